; Printing: a cyclic structure prints `...` where a collection is entered a
; second time, instead of hanging.
(define v [1 2])
(vector-push! v v)
(write v) (newline)
(define t @{:a 1})
(put t :self t)
(write t) (newline)
(define w [0])
(vector-set! w 0 (list 1 w))
(write w) (newline)
(display v) (newline)
(println "still running")
