; expect: memory-limit
; flags: --max-memory 64M
; Consing a list that is kept, inside a recursion that is not a tail call
; (the frames hold it too).
(println "start")
(define (grow n acc) (if (= (% n 1000) 0) (+ 1 (grow (+ n 1) (cons n acc))) (grow (+ n 1) (cons (list n n) acc))))
(grow 1 nil)
