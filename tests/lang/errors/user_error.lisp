; Errors: user-error from error and throw, caught with its message.
(defmacro check (expr)
  `(try (begin ,expr (println "no error:" (quote ,expr)))
        (catch e (write (list (condition-type e) (condition-message e))) (newline))))
(check (error "x"))
(check (throw "y"))
(check (throw (exception "z")))
