; Conditions: signal returns nil when no handler transfers control; warn
; signals a warning and, if unhandled, prints "warning: msg" to stderr and
; returns nil.
(define (show x) (write x) (newline))
(show (signal (make-condition 'warning "nobody listens")))
(show (signal (make-condition 'style-warning "style")))
(show (warn "careful"))
(show (handler-case (warn "handled") (warning (c) (list 'got (condition-message c)))))
(show (handler-bind ((warning (fn (c) (println "saw" (condition-message c)))))
        (warn "seen and declined")))
