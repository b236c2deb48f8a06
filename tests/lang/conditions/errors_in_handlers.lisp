; Conditions: errors raised inside handler functions, catch clauses,
; restart bodies and finally clauses.
(define (show x) (write x) (newline))

; An error raised by a handler replaces the one it was handling; the
; handlers at its own level and inside are not active while it runs.
(show (handler-case
        (handler-bind ((error (fn (c) (error 'index-error (string "while handling " (condition-message c))))))
          (error "first"))
        (index-error (c) (condition-message c))
        (error (c) 'wrong-clause)))

; A handler that raises the condition it was given (re-throws it).
(show (handler-case
        (handler-bind ((error (fn (c) (throw c))))
          (car nil))
        (type-error (c) (list 'rethrown (condition-message c)))))

; An error in a catch clause propagates to the next try out; the finally
; of the try whose catch failed still runs.
(show (try (try (error "a")
             (catch e (error (string "catch failed on " (condition-message e))))
             (finally (println "inner finally")))
        (catch e (condition-message e))))

; An error in a finally clause during normal exit.
(show (try (try 'fine (finally (error "finally broke")))
        (catch e (condition-message e))))

; An error in a finally clause while unwinding for another error: the new
; condition wins, and the unwinding continues from there with the new one
; (the outer finally still runs once).
(show (handler-case
        (try (try (error "original") (finally (error "from finally")))
          (finally (println "outer finally")))
        (error (c) (condition-message c))))

; The same while unwinding for a restart: the restart is abandoned. (The
; handler-bind is still in force while the finally runs, as it was bound
; outside the try; it only takes user errors, so the type error from the
; finally goes past it.)
(show (handler-case
        (restart-case
          (handler-bind ((user-error (fn (c) (invoke-restart 'r))))
            (try (error "original") (finally (car 'not-a-list))))
          (r () 'restart-taken))
        (type-error (c) 'finally-error-won)))

; An error inside a finally that is caught inside that finally does not
; disturb the unwinding it is part of.
(show (handler-case
        (try (error "original")
          (finally (try (error "local") (catch e (println "finally caught" (condition-message e))))))
        (error (c) (condition-message c))))

; An error in a restart body propagates from the restart-case.
(show (handler-case (restart-case (invoke-restart 'r) (r () (/ 1 0)))
        (division-by-zero (c) 'restart-body-failed)))

; Invoking a restart that is not available is an error, also from a
; handler, and also a restart whose restart-case has already returned.
(show (handler-case (handler-bind ((error (fn (c) (invoke-restart 'missing))))
                      (error "e"))
        (error (c) (condition-message c))))
(define escaped (restart-case (find-restart 'gone) (gone () 'x)))
(show escaped)
(show (handler-case (invoke-restart escaped) (error (c) (condition-message c))))

; Wrong arguments to a restart is an arity error at the call.
(show (handler-case (restart-case (invoke-restart 'r 1 2) (r (x) x))
        (arity-error (c) (condition-message c))))
