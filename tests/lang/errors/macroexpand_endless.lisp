; Errors: macroexpand of a macro that expands into a call of itself stops
; after as many expansions as the compiler allows: a syntax-error naming
; the limit, not a hang. macroexpand-1 still expands once.
(define (show x) (write x) (newline))
(defmacro m () '(m))
(show (macroexpand-1 '(m)))
(show (try (macroexpand '(m))
        (catch e (list (condition-type e) (condition-message e)))))
; Two macros taking turns never stop either.
(defmacro ping (n) `(pong ,(+ n 1)))
(defmacro pong (n) `(ping ,(+ n 1)))
(show (macroexpand-1 '(ping 0)))
(show (try (macroexpand '(ping 0)) (catch e (condition-type e))))
; The compiler stops at the same limit, with the same message.
(show (try (eval '(m))
        (catch e (list (condition-type e) (condition-message e)))))
(macroexpand '(m))
(println "never printed")
