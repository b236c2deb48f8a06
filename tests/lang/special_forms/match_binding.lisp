; Special form match: a symbol pattern matches anything and binds it (even
; when a variable of that name exists); `_` binds nothing.
(define (show x) (write x) (newline))
(show (match 5 (x (* x 2))))
(show (match '(1 2) (whole whole)))
(show (match 5 (_ 'any)))
(define y 100)
(show (match 3 (y y)))
(show y)
(show (match '(1 2 3) ((list _ _ c) c)))
