; Lists: map, filter, fold and for-each also accept vectors (and mixtures of
; sequences); their results are lists.
(define (show x) (write x) (newline))
(show (map inc [1 2 3]))
(show (map + [1 2] '(10 20)))
(show (filter even? [1 2 3 4]))
(show (fold + 0 [1 2 3]))
(for-each (fn (x) (println x)) [:a :b])
