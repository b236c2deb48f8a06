; expect: fuel-exhausted
; flags: --fuel 50000
; Recursion that would reach the depth limit runs out of fuel first.
(println "start")
(define (f n) (+ 1 (f (+ n 1))))
(f 0)
