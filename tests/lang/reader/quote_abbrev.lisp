; Reader: ' ` , ,@ abbreviations read as quote / quasiquote / unquote /
; unquote-splicing forms.
(define (show x) (write x) (newline))
(show ''x)
(show '`x)
(show ',x)
(show ',@x)
(show '`(a ,b ,@c))
(show (car ''x))
(show (length ''x))
