; Errors: read-error from read-string (see reader/read_errors.lisp for all
; kinds) and from eval of read-string input.
(defmacro check (expr)
  `(try (begin ,expr (println "no error:" (quote ,expr)))
        (catch e (write (list (condition-type e) (condition-message e))) (newline))))
(check (read-string "(1 2"))
(check (read-string "\"open"))
(check (eval (read-string ")")))
