; expect: memory-limit
; flags: --max-memory 64M
; A table given a fresh string key forever.
(println "start")
(define t @{})
(let loop ((i 0)) (put t (string "key number " i) i) (loop (+ i 1)))
