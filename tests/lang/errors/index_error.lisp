; Errors: index-error from nth (and take with a negative count).
(defmacro check (expr)
  `(try (begin ,expr (println "no error:" (quote ,expr)))
        (catch e (write (list (condition-type e) (condition-message e))) (newline))))
(check (nth 3 '(a b c)))
(check (nth -1 '(a)))
(check (nth 0 nil))
(check (take -1 '(1 2)))
