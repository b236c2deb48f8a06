; expect: memory-limit
; flags: --max-memory 64M
; Ever larger literals read and evaluated from generated source: a string
; and a quoted list of numbers (a vector literal has at most 65535
; elements: larger is a syntax-error).
(println "start")
(define (literal n)
  (string "(list \"" (string-join (map (fn (i) "x") (range n))) "\" '("
          (string-join (map (fn (i) "1 ") (range n))) "))"))
(define kept [])
(let loop ((n 1000))
  (vector-push! kept (eval (read-string (literal n))))
  (loop (* n 2)))
