; Equality: = compares arbitrarily deep structures correctly (here lists
; nested 100,000 levels deep in the car), never guessing.
(define (show x) (write x) (newline))
(define (nest n acc) (if (= n 0) acc (nest (- n 1) (list acc))))
(show (= (nest 100000 1) (nest 100000 1)))
(show (= (nest 100000 1) (nest 100000 2)))
(show (= (nest 20000 '(a b)) (nest 20000 '(a b))))
