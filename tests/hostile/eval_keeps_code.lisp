; expect: memory-limit
; flags: --max-memory 64M
; Code generated and compiled by `eval` again and again, each function
; kept: the code counts against the limit.
(println "start")
(define kept [])
(let loop ((i 0))
  (vector-push! kept (eval (list 'fn '(x) (list '+ 'x i (list '* i 'x)))))
  (loop (+ i 1)))
