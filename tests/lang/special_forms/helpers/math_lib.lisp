; Helper for import.lisp: defines functions and a macro, prints when loaded,
; and imports another helper relative to this file's folder.
(println "loading math_lib")
(import "nested_lib.lisp")
(define (square x) (* x x))
(defmacro square-it (x) `(square ,x))
