; Lists: take and drop also work on vectors and return a new vector (the
; same kind as their argument, like reverse and sort); a list's drop shares
; its tail.
(define (show x) (write x) (newline))
(define v [1 2 3 4])
(show (take 2 v))
(show (take 9 v))
(show (take 0 v))
(show (drop 1 v))
(show (drop 9 v))
(show (eq? v (drop 0 v)))
(show v)
(define l '(1 2 3))
(show (eq? (cdr l) (drop 1 l)))
(show (take 1 '(1 . 2)))
(show (drop 1 '(1 . 2)))
