; expect: fuel-exhausted
; flags: --fuel 100000
; Mutual recursion through closures kept in a table, each call made
; through a freshly made closure.
(println "start")
(define fns @{})
(put fns :ping (fn (n) ((fn () ((get fns :pong) (+ n 1))))))
(put fns :pong (fn (n) ((get fns :ping) n)))
((get fns :ping) 0)
