; Proper tail calls: 1,000,000-iteration tail-recursive loops run in constant
; stack (part 2: loop-begin, loop-let, loop-let*, loop-and, loop-or).
(define (show x) (write x) (newline))
(define n 1000000)
(define (loop-begin i) (if (= i 0) 'begin (begin 1 (loop-begin (- i 1)))))
(show (loop-begin n))
(define (loop-let i) (let ((j (- i 1))) (if (< j 0) 'let (loop-let j))))
(show (loop-let n))
(define (loop-let* i) (let* ((j (- i 1)) (k j)) (if (< k 0) 'let* (loop-let* k))))
(show (loop-let* n))
(define (loop-and i) (if (= i 0) 'and (and #t (loop-and (- i 1)))))
(show (loop-and n))
(define (loop-or i) (or (and (= i 0) 'or) (loop-or (- i 1))))
(show (loop-or n))
