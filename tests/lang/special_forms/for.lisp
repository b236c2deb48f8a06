; Special form for: `for x in seq` and `for x seq` over lists; returns nil;
; the variable is local to the loop.
(define (show x) (write x) (newline))
(for x in '(1 2 3) (println x))
(for x '(a b) (println x))
(show (for x in '(1) x))
(for x in nil (println "never"))
(define x 'outer)
(for x in '(1 2) (set! x (* x 10)))
(show x)
(define total 0)
(for n in (range 1 11) (set! total (+ total n)))
(show total)
(for p in '((1 2) (3 4)) (println (apply + p)))
