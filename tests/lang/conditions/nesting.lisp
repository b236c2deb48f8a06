; Conditions: each form nested inside each other one.
(define (show x) (write x) (newline))

; handler-case inside handler-case: the innermost matching clause wins;
; a non-matching inner one lets the outer catch.
(show (handler-case (handler-case (error "e") (error (c) 'inner)) (error (c) 'outer)))
(show (handler-case (handler-case (error "e") (type-error (c) 'inner)) (error (c) 'outer)))

; try inside handler-case and handler-case inside try.
(show (handler-case (try (car nil) (catch e (list 'try (condition-type e)))) (error (c) 'case)))
(show (try (handler-case (error "e") (warning (c) 'case)) (catch e 'try)))

; handler-bind inside handler-bind: both run, innermost first, then the
; error goes on to the handler-case.
(show (handler-case
        (handler-bind ((error (fn (c) (println "outer bind"))))
          (handler-bind ((error (fn (c) (println "inner bind"))))
            (error "e")))
        (error (c) 'case)))

; restart-case inside restart-case: the innermost restart of a name wins.
(show (restart-case
        (restart-case (invoke-restart 'again 1) (again (x) (list 'inner x)))
        (again (x) (list 'outer x))))

; restart-case inside handler-bind: the handler invokes a restart that was
; established after (inside) its own handler-bind.
(show (handler-bind ((error (fn (c) (invoke-restart 'skip))))
        (restart-case (list 'not (error "e")) (skip () 'skipped))))

; handler-bind inside restart-case inside handler-case: the handler
; chooses the restart, so the handler-case never sees the error.
(show (handler-case
        (restart-case
          (handler-bind ((error (fn (c) (invoke-restart 'fallback (condition-message c)))))
            (error "bad input"))
          (fallback (m) (list 'fell-back m)))
        (error (c) 'case)))

; A handler-case inside a handler function catches errors raised there.
(show (handler-case
        (handler-bind ((error (fn (c)
                                (println "handler handled:"
                                         (handler-case (error "in handler")
                                           (error (c2) (condition-message c2)))))))
          (error "first"))
        (error (c) (list 'case (condition-message c)))))

; A restart-case inside a handler function is available to handlers of
; errors raised inside it.
(show (handler-case
        (handler-bind ((type-error (fn (c) (invoke-restart 'inner-restart))))
          (handler-bind ((user-error
                          (fn (c)
                            (println "handler got"
                                     (restart-case (car 5) (inner-restart () 'restarted))))))
            (error "outer")))
        (error (c) (condition-message c))))

; try with finally inside a restart body and inside a catch clause.
(show (restart-case (invoke-restart 'r)
        (r () (try (error "in restart") (catch e 'caught-in-restart) (finally (println "restart finally"))))))
(show (try (error "a")
        (catch e (try (error "b") (catch e2 (list (condition-message e) (condition-message e2)))))))

; A try inside a finally clause.
(show (try 'body (finally (try (error "in finally") (catch e (println "caught in finally"))))))

; signal of an error type inside handler-bind inside handler-case: the
; bound handler declines, the handler-case takes it.
(show (handler-case
        (handler-bind ((error (fn (c) (println "seen"))))
          (signal (make-condition 'type-error "signalled"))
          'not-reached)
        (type-error (c) (condition-message c))))

; warn inside try: try does not catch warnings, so it is printed and the
; body goes on.
(show (try (begin (warn "just a warning") 'went-on) (catch e 'caught)))
