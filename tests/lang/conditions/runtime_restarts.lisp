; Conditions: errors raised by the runtime are ordinary conditions: each
; type can be handled by handler-case and handler-bind, and recovered from
; through a restart.
(define (show x) (write x) (newline))

(define (kind thunk)
  (handler-case (thunk)
    (condition (c) (list (condition-type c) (condition-message c)))))
(show (kind (fn () (+ 1 "a"))))
(show (kind (fn () ((fn (x) x) 1 2))))
(show (kind (fn () undefined-variable-here)))
(show (kind (fn () (/ 5 0))))
(show (kind (fn () (* 9223372036854775807 2))))
(show (kind (fn () (vector-ref [1 2] 5))))
(show (kind (fn () (error (quote key-error) "no such key" :b))))
(show (kind (fn () (read-string "(1 2"))))
(show (kind (fn () (eval '(if)))))
(show (kind (fn () (read-file "/nonexistent/elle-file"))))

; A use-value restart around a computation recovers from a division by
; zero deep inside it.
(define (ratio a b) (/ a b))
(define (average-ratio pairs)
  (/ (fold (fn (acc p) (+ acc (restart-case (ratio (first p) (second p))
                                  (use-value (v) v))))
           0 pairs)
     (length pairs)))
(show (handler-bind ((division-by-zero (fn (c) (invoke-restart 'use-value 0))))
        (average-ratio '((10 2) (9 0) (8 4) (1 0)))))

; Recovering from an unbound variable and an arity error the same way.
(define (try-call f)
  (restart-case (f) (use-value (v) v)))
(show (handler-bind ((unbound-variable (fn (c) (invoke-restart 'use-value (list 'unbound (condition-data c)))))
                     (arity-error (fn (c) (invoke-restart 'use-value 'arity))))
        (list (try-call (fn () no-such-thing))
              (try-call (fn () ((fn (a) a))))
              (try-call (fn () 'fine)))))

; stack-overflow is a condition too, and the program goes on afterwards.
(define (forever n) (+ 1 (forever n)))
(show (handler-case (forever 0) (stack-overflow (c) 'overflowed)))
(show (handler-bind ((stack-overflow (fn (c) (invoke-restart 'stop 'stopped))))
        (restart-case (forever 0) (stop (v) v))))
(show (+ 1 2))
