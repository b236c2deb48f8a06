; expect: fuel-exhausted
; flags: --fuel 200000
; Errors raised and caught without end: every catch is honoured, the
; fuel is what stops it.
(println "start")
(let loop ((i 0))
  (try (error "boom") (catch e i))
  (loop (+ i 1)))
