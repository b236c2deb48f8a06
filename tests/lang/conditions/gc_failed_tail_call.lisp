; A tail call that fails to start (wrong arity) after its callee slot was
; overwritten: the failing frame must keep its own closure alive while a
; handler runs Elle code that collects garbage, because the error's stack
; trace is read from that frame afterwards (a regression test: the
; prototype was freed and the trace read freed memory).
(define (g x) x)
(define f (fn () (g 1 2)))
(define (take) (let ((h f)) (set! f nil) h))
(define (churn) (let loop ((i 0)) (when (< i 300000) (cons i i) (loop (+ i 1)))))
(try (handler-bind ((error (fn (c) (churn) (try (car 1) (catch e nil)) nil))) ((take)))
     (catch e (println (condition-message e))))
