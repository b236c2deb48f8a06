; Errors: a top-level form that is a macro call expanding into itself
; forever is a syntax-error naming the limit and the form's position.
(println "before")
(defmacro m () '(m))
(m)
(println "never printed")
