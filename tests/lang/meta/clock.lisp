; Meta: (clock) is monotonic seconds as a float; (time-ms) milliseconds.
(define (show x) (write x) (newline))
(define t0 (clock))
(show (float? t0))
(show (>= (clock) t0))
(define m0 (time-ms))
(show (number? m0))
(show (>= (time-ms) m0))
