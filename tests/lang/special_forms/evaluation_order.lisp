; Calls evaluate their arguments left to right.
(define (show x) (write x) (newline))
(define (note x) (print x) x)
(show (list (note 1) (note 2) (note 3)))
(show (+ (note 10) (note 20)))
(define (three a b c) (list a b c))
(show (three (note :a) (note :b) (note :c)))
