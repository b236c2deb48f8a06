; Conditions: handler-bind calls the handler at the signal point without
; unwinding; a handler that returns declines and the search goes on
; outwards; handlers bound at the same or inner levels are not active inside
; a handler; a handler takes over by invoking a restart or raising.
(define (show x) (write x) (newline))
(show (handler-case
        (handler-bind ((error (fn (c) (println "bind saw:" (condition-message c)))))
          (error "boom"))
        (error (c) (list 'case-caught (condition-message c)))))
(show (handler-bind ((warning (fn (c) (println "warned:" (condition-message c)))))
        (signal (make-condition 'warning "w1"))
        'after-signal))
(show (handler-bind ((error (fn (c) (println "not a warning"))))
        (signal (make-condition 'warning "w2"))))
(handler-case
  (handler-bind ((error (fn (c) (println "handler"))))
    (try (error "x") (finally (println "finally"))))
  (error (c) (println "case")))
(show (handler-case
        (handler-bind ((error (fn (c) (error "from handler"))))
          (handler-bind ((error (fn (c) (println "inner handler:" (condition-message c)))))
            (error "original")))
        (error (c) (condition-message c))))
(show (restart-case
        (handler-bind ((division-by-zero (fn (c) (invoke-restart 'use-value 0))))
          (/ 1 0))
        (use-value (v) (list 'used v))))
(show (handler-case
        (handler-bind ((type-error (fn (c) (println "first")))
                       (error (fn (c) (println "second"))))
          (car nil))
        (error (c) 'caught)))
(show (handler-bind ((error (fn (c) (println "outside the try: never called"))))
        (try (car nil) (catch e 'try-is-innermost))))
