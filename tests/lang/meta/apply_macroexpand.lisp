; Meta: apply with built-in, prelude and user functions; macroexpand of a
; non-macro form returns it unchanged.
(define (show x) (write x) (newline))
(show (apply + '(1 2 3)))
(show (apply map (list inc '(1 2))))
(define (sum3 a b c) (+ a b c))
(show (apply sum3 1 '(2 3)))
(show (macroexpand '(foo 1)))
(show (macroexpand-1 '(foo 1)))
