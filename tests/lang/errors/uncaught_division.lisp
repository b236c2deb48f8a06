; Errors: an uncaught division-by-zero stops the program with exit status 1
; and the report of LANGUAGE.md 9 (headline, then frames innermost first).
(define (average xs)
  (/ (fold + 0 xs) (length xs)))

(println "before")

(average nil)
(println "never printed")
