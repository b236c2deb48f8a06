; Reader: a quoted vector literal is a vector datum whose elements are not
; evaluated (unspecified in LANGUAGE.md; chosen as a Lisp user expects, and
; consistent with quasiquote working in vectors).
(define (show x) (write x) (newline))
(show '[1 (+ 1 1) x])
(show (type '[a]))
(show (= '[1 2] [1 2]))
