; Errors: an uncaught unbound-variable inside a function.
(define (helper) (undefined-thing 1))
(helper)
