; Logic: not is #t only for nil and #f.
(define (show x) (write x) (newline))
(show (list (not #f) (not nil) (not #t) (not 0) (not "") (not '(1))))
(show (not (not 5)))
