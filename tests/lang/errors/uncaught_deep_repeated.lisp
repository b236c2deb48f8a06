; Errors: in the report of an error raised deep in a recursion, runs of the
; same frame are collapsed on each side of the frames left out.
(define (down n) (if (= n 0) (car n) (+ 1 (down (- n 1)))))
(down 1000)
