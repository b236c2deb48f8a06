; expect: memory-limit
; flags: --max-memory 64M
; output: read-error
; Source nested far too deep for the reader and the compiler is refused
; with a catchable error, again and again, each time a bigger text; the
; text itself finally meets the limit.
(println "start")
(define (deep n) (string (string-join (map (fn (i) "(") (range n))) (string-join (map (fn (i) ")") (range n)))))
(let loop ((n 100000))
  (try (eval (read-string (deep n)))
       (catch e (when (= n 100000) (println (condition-type e)))))
  (loop (* n 2)))
