; Non-tail recursion: 10,000 deep works, and so does 90,000 deep (the
; default depth limit is at least 100,000 frames).
(define (show x) (write x) (newline))
(define (sum-to n) (if (= n 0) 0 (+ n (sum-to (- n 1)))))
(show (sum-to 10000))
(define (build n) (if (= n 0) nil (cons n (build (- n 1)))))
(show (length (build 10000)))
(define (depth n) (cond ((= n 0) 0) (else (let ((d (depth (- n 1)))) (+ d 1)))))
(show (depth 10000))
(show (sum-to 90000))
