; Errors: a malformed special form in a program is an uncaught syntax-error
; (a compile error) naming the file, line and column; earlier forms have run.
(println "before")
(define (f x)
  (if))
(println "never printed")
