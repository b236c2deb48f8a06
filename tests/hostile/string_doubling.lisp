; expect: memory-limit
; flags: --max-memory 64M
; A string that doubles until it no longer fits; a catch-all `try` and a
; `handler-case` around it see nothing.
(println "start")
(define (grow s) (grow (string-append s s)))
(handler-case (try (grow "0123456789abcdef") (catch e (println "caught")))
  (condition (c) (println "handler-case saw it")))
