; Special form for over a vector, a string (one-character strings) and the
; keys of a table and a struct (insertion order).
(define (show x) (write x) (newline))
(for x in [10 20 30] (show x))
(for c in "h\u{e9}y" (show c))
(for k in @{:a 1 :b 2 "c" 3} (show k))
(for k {:x 1 :y 2} (show k))
(for x in [] (println "never"))
(for c in "" (println "never"))
(show (for x [1 2] x))
