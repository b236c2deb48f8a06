; expect: fuel-exhausted
; flags: --fuel 200000
; Generated code evaluated again and again.
(println "start")
(let loop ((i 0))
  (eval (list '+ i 1))
  (loop (+ i 1)))
