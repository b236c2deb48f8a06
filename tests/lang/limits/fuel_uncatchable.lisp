; Errors: fuel-exhausted escapes handler-bind, handler-case and catch
; clauses of every type, even its own, but the finally cleanups on the way
; out still run, innermost first; the program exits with status 1.
(define (spin) (while true nil))
(println "start")
(handler-bind ((condition (fn (c) (println "handler-bind saw it"))))
  (handler-case
    (try (try (spin) (finally (println "inner cleanup")))
         (catch (e fuel-exhausted) (println "caught"))
         (finally (println "outer cleanup")))
    (condition (c) (println "handler-case saw it"))))
(println "never printed")
