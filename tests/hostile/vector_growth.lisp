; expect: memory-limit
; flags: --max-memory 64M
; A vector pushed onto forever, then vectors made ever larger.
(println "start")
(define v [])
(try (let loop ((i 0)) (vector-push! v i) (loop (+ i 1)))
     (finally (set! v nil)))
