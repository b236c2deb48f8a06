; expect: fuel-exhausted
; flags: --fuel 100000
; A loop with no calls at all: only its back-edge is counted.
(println "start")
(while true nil)
