; expect: memory-limit
; flags: --max-memory 64M
; Fresh symbols made without end: the table of names never shrinks, and
; its growth counts against the limit even though no value holds them.
(println "start")
(let loop ((i 0))
  (gensym)
  (string->symbol (string "name-" i))
  (loop (+ i 1)))
