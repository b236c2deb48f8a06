; expect: memory-limit
; flags: --max-memory 64M
; macroexpand-1 of a self-expanding macro, again and again on its result:
; every step's form is kept, as a tree, so memory runs out.
(println "start")
(defmacro grow (x) `(grow (,x ,x)))
(let loop ((form '(grow 1)))
  (loop (macroexpand-1 form)))
