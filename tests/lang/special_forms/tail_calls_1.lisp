; Proper tail calls: 1,000,000-iteration tail-recursive loops run in constant
; stack (part 1: loop-if, loop-cond, loop-case, loop-when, loop-unless).
(define (show x) (write x) (newline))
(define n 1000000)
(define (loop-if i) (if (= i 0) 'if (loop-if (- i 1))))
(show (loop-if n))
(define (loop-cond i) (cond ((= i 0) 'cond) (else (loop-cond (- i 1)))))
(show (loop-cond n))
(define (loop-case i) (case i ((0) 'case) (else (loop-case (- i 1)))))
(show (loop-case n))
(define (loop-when i) (if (= i 0) 'when (when #t (loop-when (- i 1)))))
(show (loop-when n))
(define (loop-unless i) (if (= i 0) 'unless (unless #f (loop-unless (- i 1)))))
(show (loop-unless n))
