; Errors: a macro that expands into a top-level begin calling it again is a
; syntax-error, not a crash; output before it is kept.
(println "before")
(defmacro again () '(begin (again)))
(again)
