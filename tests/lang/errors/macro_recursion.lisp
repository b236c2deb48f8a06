; Errors: a macro that expands into a call of itself, nested ever deeper or
; through a top-level begin, is a syntax-error naming the form's position;
; the compiler never overflows the native stack.
(defmacro check (expr)
  `(try (begin ,expr (println "no error:" (quote ,expr)))
        (catch e (write (list (condition-type e) (condition-message e))) (newline))))
(defmacro grow (x) `(list (grow ,x)))
(check (eval '(grow 1)))
; Each level opens a scope: still quick (names are found by a hash probe,
; not by walking every open scope).
(defmacro grow-let (x) `(let ((y ,x)) (try (grow-let y) (catch e e))))
(check (eval '(grow-let 1)))
(define (f) (grow 2))
(println "never printed")
