; expect: stack-overflow
; flags: --fuel 10000000 --max-depth 1000
; With fuel to spare, the depth limit stops non-tail recursion.
(println "start")
(define (f n) (+ 1 (f (+ n 1))))
(f 0)
