; Special form import (and import-file): runs a file once, relative to the
; importing file, returns #t; later imports of the same file do nothing;
; definitions and macros of the imported file are usable afterwards.
(define (show x) (write x) (newline))
(show (import "helpers/math_lib.lisp"))
(show (square 5))
(show nested-value)
(show (square-it 3))
(show (import "helpers/math_lib.lisp"))
(show (import-file "helpers/math_lib.lisp"))
(show (import "./helpers/../helpers/math_lib.lisp"))
(show (import "helpers/nested_lib.lisp"))
(println "done")
