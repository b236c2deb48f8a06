; expect: fuel-exhausted
; flags: --fuel 100000
; A cleanup that never ends, at every level of a recursion, and a catch
; that restarts the loop: the cleanups' allowance runs out.
(println "start")
(define (f n)
  (try (f (+ n 1)) (finally (while true nil))))
(let loop ()
  (try (f 0) (catch e nil))
  (loop))
