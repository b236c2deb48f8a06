; expect: fuel-exhausted
; flags: --fuel 100000
; Every level's cleanup raises an error that an outer level catches, and
; the catch goes on recursing: the cleanups cannot raise their way past
; the limit.
(println "start")
(define (f n)
  (try (try (f (+ n 1)) (finally (/ n 0)))
       (catch e (f (+ n 1)))))
(f 0)
