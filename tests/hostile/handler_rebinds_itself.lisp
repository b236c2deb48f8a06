; expect: fuel-exhausted
; flags: --fuel 20000
; A handler-bind handler that binds itself again and signals anew: each
; level of handlers nests inside the last.
(println "start")
(define (h c)
  (handler-bind ((error h))
    (signal (make-condition 'error "again"))))
(handler-bind ((error h))
  (error "first"))
