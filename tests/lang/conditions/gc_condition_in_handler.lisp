; A handler that drops its own reference to the condition and then
; allocates: the condition must stay alive while it is being signalled, so
; the outer catch receives it intact (a regression test: the collector
; reused its slot and the catch received a list of strings).
(define (churn) (let loop ((i 0)) (when (< i 300000) (list "a" "b") (loop (+ i 1)))))
(try
  (handler-bind ((error (fn (c) (set! c nil) (churn) nil)))
    (error "boom"))
  (catch e (println (list (condition? e) (condition-type e) (condition-message e)))))
; The same through signal, with a condition made in Elle and dropped by
; the program before the handler runs.
(define cnd (make-condition 'warning "dropped"))
(define (signal-dropped) (let ((c cnd)) (set! cnd nil) (signal c)))
(try
  (handler-bind ((warning (fn (c) (set! c nil) (churn) (error "from handler"))))
    (handler-bind ((warning (fn (c) (churn) nil)))
      (signal-dropped)))
  (catch e (println (condition-message e))))
(handler-case (handler-bind ((warning (fn (c) (set! c nil) (churn) nil))) (warn "kept"))
  (warning (c) (println (list (condition-type c) (condition-message c)))))
