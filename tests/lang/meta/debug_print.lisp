; Debug: debug-print prints [DEBUG] <write form> to stderr and returns its
; argument.
(define (show x) (write x) (newline))
(show (debug-print (+ 1 2)))
(show (debug-print "s\n"))
(show (+ 1 (debug-print 41)))
(debug-print '(a "b" [1]))
