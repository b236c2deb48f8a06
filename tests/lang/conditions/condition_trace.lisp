; Conditions: a condition carries the stack trace of the point where it was
; raised; condition-trace returns it as a list of strings, innermost first,
; in the form of the error report's `at` lines: "fn (file:line:col)".
(define (show x) (write x) (newline))
(define (inner) (error "deep"))
(define (outer) (+ 1 (inner)))
(define tr (try (outer) (catch e (condition-trace e))))
(show (list? tr))
(show (fold (fn (ok s) (and ok (string? s))) #t tr))
(show tr)
