; expect: fuel-exhausted
; flags: --fuel 100000
; Endless tail recursion runs in constant space: only fuel stops it.
(println "start")
(define (f n) (f (+ n 1)))
(f 0)
