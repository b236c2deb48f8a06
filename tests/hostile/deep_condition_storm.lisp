; expect: fuel-exhausted
; flags: --fuel 300000
; Errors raised and caught 20,000 frames deep, again and again.
(println "start")
(define (storm)
  (let loop () (try (error "boom") (catch e nil)) (loop)))
(define (deep n) (if (= n 0) (storm) (+ 1 (deep (- n 1)))))
(deep 20000)
