; Helper imported by math_lib.lisp (path relative to the importing file).
(println "loading nested_lib")
(define nested-value 7)
