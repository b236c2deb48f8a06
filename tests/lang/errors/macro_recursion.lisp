; Errors: a macro that expands into a call of itself, nested ever deeper or
; through a top-level begin, is a syntax-error naming the form's position;
; the compiler never overflows the native stack.
(defmacro check (expr)
  `(try (begin ,expr (println "no error:" (quote ,expr)))
        (catch e (write (list (condition-type e) (condition-message e))) (newline))))
(defmacro grow (x) `(list (grow ,x)))
(check (eval '(grow 1)))
(define (f) (grow 2))
(println "never printed")
