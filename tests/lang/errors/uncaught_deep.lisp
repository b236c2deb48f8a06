; Errors: the report of an uncaught error raised 1,001 calls deep shows the
; innermost 20 and the outermost 20 frames, with the number of frames left
; out between them.
(define (ping n) (if (= n 0) (error "deep") (+ 1 (pong (- n 1)))))
(define (pong n) (+ 1 (ping (- n 1))))
(ping 1000)
