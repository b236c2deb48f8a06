; Errors: index-error from vector-ref, vector-set!, char-at, substring
; (messages not pinned: these primitives were written after this test).
(defmacro check (expr)
  `(try (begin ,expr (println "no error:" (quote ,expr)))
        (catch e (write (condition-type e)) (newline))))
(check (vector-ref [1 2] 2))
(check (vector-ref [1 2] -1))
(check (vector-ref [] 0))
(check (vector-set! [1] 1 0))
(check (char-at "ab" 2))
(check (char-at "" 0))
(check (substring "abc" 2 5))
(check (substring "abc" 2 1))
(check (vector-pop! []))
