; Conditions: define-condition's errors (type and message): built-in types
; cannot be redefined (the runtime's own errors keep their meaning), the
; parent must exist, no type may become its own ancestor, and the names must
; be symbols. A user type may be redefined under another parent.
(define (show x) (write x) (newline))
(defmacro check (expr)
  `(try (begin (show ,expr) (println "no error:" (quote ,expr)))
        (catch e (write (list (condition-type e) (condition-message e))) (newline))))
(check (define-condition type-error warning))
(check (define-condition condition error))
(check (define-condition fuel-exhausted error))
(check (define-condition user-error type-error))
(show (try (car 1) (catch (e type-error) :still-a-type-error)))
(check (define-condition my-error no-such-type))
(check (define-condition a-error error))
(check (define-condition b-error a-error))
(check (define-condition a-error b-error))
(check (define-condition a-error a-error))
(check (define-condition b-error type-error))
(show (condition-is? (make-condition 'b-error "m") 'type-error))
(show (condition-is? (make-condition 'b-error "m") 'a-error))
(check (eval '(define-condition 5 error)))
(check (eval '(define-condition my-error)))
(check (eval '(define-condition my-error "error")))
