; Errors: the report of an uncaught error lists every frame, innermost first.
(define (level3 x) (car x))
(define (level2 x) (+ 1 (level3 x)))
(define (level1 x) (+ 1 (level2 x)))
(level1 5)
