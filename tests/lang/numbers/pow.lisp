; Numbers: pow is integer for an integer base and non-negative integer
; exponent, float otherwise.
(define (show x) (write x) (newline))
(show (pow 2 3))
(show (pow 2 0))
(show (pow -3 3))
(show (pow 2 62))
(show (pow 2 -1))
(show (pow 2.0 3))
(show (pow 4 0.5))
(show (pow 0 0))
(show (type (pow 2 10)))
(show (type (pow 2 -2)))
