; Debug: (trace label value) reports the label and value on stderr and
; returns the value (the stderr format is not pinned here).
(define (show x) (write x) (newline))
(show (trace "sum" (+ 1 2)))
(show (* 2 (trace :x 21)))
