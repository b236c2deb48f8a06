; Errors: with --fuel, a long loop stops with fuel-exhausted, which Lisp
; code cannot catch: try does not see it and the program exits with status 1.
; (The loop is bounded so that a missing fuel check fails instead of hanging.)
(println "start")
(try (let loop ((i 0)) (if (< i 20000000) (loop (+ i 1)) i))
     (catch e (println "caught, but must not be")))
(println "never printed")
