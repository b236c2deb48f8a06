; Special form match: a clause with no body, (expr), is the default, used only
; when no pattern matched (wherever it appears); (p) alone is the pattern p;
; no match and no default gives nil.
(define (show x) (write x) (newline))
(define (m v)
  (match v
    ((1) "one")
    ("default")
    ((2) "two")
    ((x) :when (> x 10) "big")))
(show (m 1))
(show (m 2))
(show (m 50))
(show (m 5))
(show (match 5 (1 'one)))
(show (match 9 (1 'one) ((* 2 3))))
(show (match 1 (1 'one) ((println "default not evaluated"))))
(show (match 2 ((:a) 'a) ((2) 'two)))
(show (match "s" (("s") 'string)))
(show (match 'q (('q) 'quoted-q)))
