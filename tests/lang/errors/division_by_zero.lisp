; Errors: division-by-zero for integer /, mod, %, remainder, quotient by
; integer zero (float division by zero does not raise).
(defmacro check (expr)
  `(try (begin ,expr (println "no error:" (quote ,expr)))
        (catch e (write (list (condition-type e) (condition-message e))) (newline))))
(check (/ 1 0))
(check (/ 0 0))
(check (/ 5 2 0))
(check (mod 1 0))
(check (% 5 0))
(check (remainder 1 0))
(check (quotient 1 0))
(write (list (/ 1.0 0) (/ -1 0.0)))
(newline)
