; Reader: lists, dotted pairs, nested lists.
(define (show x) (write x) (newline))
(show '(a b c))
(show '(1 (2 (3)) ()))
(show '(a . b))
(show '(1 2 . 3))
(show '(1 . (2 3)))
(show '(1 . (2 . (3 . ()))))
(show (car '(a . b)))
(show (cdr '(a . b)))
(show '( 1   2
         3 ))
