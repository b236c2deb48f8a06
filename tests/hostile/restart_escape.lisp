; expect: fuel-exhausted
; flags: --fuel 100000
; A cleanup that invokes a restart to jump back into the loop.
(println "start")
(define (spin) (while true nil))
(let loop ()
  (restart-case (try (spin) (finally (invoke-restart 'again)))
    (again () nil))
  (loop))
