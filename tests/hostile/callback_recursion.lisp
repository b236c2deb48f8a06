; expect: fuel-exhausted
; flags: --fuel 100000
; Recursion through a built-in that calls back into Elle.
(println "start")
(define (again xs) (map (fn (x) (again (list x x))) xs))
(again '(1))
