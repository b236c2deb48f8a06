; Errors: with --max-memory, a program that keeps everything it allocates
; stops with memory-limit, which Lisp code cannot catch; exit status 1.
; (Bounded so that a missing limit fails instead of exhausting the machine.)
(println "start")
(define (grow n acc) (if (= n 0) 'finished (grow (- n 1) (cons (list n n n) acc))))
(try (grow 3000000 nil)
     (catch e (println "caught, but must not be")))
(println "never printed")
