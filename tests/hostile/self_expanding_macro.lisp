; expect: syntax-error
; flags: --fuel 200000 --max-memory 64M
; A macro whose expansion holds a call of itself with its argument twice:
; the form doubles at each expansion while the heap holds it shared, so
; the compiler's tree of it would grow past any limit without the cap on
; a form's size.
(println "start")
(defmacro grow (x) `(grow (,x ,x)))
(grow 1)
