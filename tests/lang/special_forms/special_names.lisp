; Special-form names are recognised only in head position and cannot be
; shadowed by locals; elsewhere the name is an ordinary variable.
(define (show x) (write x) (newline))
(show (let ((if (fn (a b c) 'shadowed))) (if #t 'special 'no)))
(show (let ((if 5)) if))
(define (f quote) quote)
(show (f 3))
(show (let ((define 1) (let 2)) (+ define let)))
(define (g list) (list 1 2))
(show (g (fn (a b) (* a b))))
