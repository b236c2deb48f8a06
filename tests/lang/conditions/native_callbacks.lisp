; Conditions: errors, handlers, restarts and finally clauses across the
; built-ins that call back into Elle (map, for-each, filter, fold, sort
; with a comparator, apply).
(define (show x) (write x) (newline))
(define log nil)
(define (note x) (set! log (cons x log)))
(define (events) (let ((l (reverse log))) (set! log nil) l))

; An error inside a map callback unwinds out of map to the handler-case,
; running the finally inside the callback once.
(show (handler-case
        (map (fn (x) (try (if (= x 2) (error "two") x) (finally (note x)))) '(1 2 3))
        (error (c) (list 'stopped (condition-message c)))))
(show (events))

; A handler-bind outside map sees the error at the signal point, inside
; the callback, and chooses a restart established in the callback.
(define (safe-div a b)
  (restart-case (/ a b) (use-value (v) v)))
(show (handler-bind ((division-by-zero (fn (c) (invoke-restart 'use-value 0))))
        (map (fn (x) (safe-div 12 x)) '(1 0 3 0 4))))

; The same through for-each, filter and fold.
(show (handler-bind ((division-by-zero (fn (c) (invoke-restart 'use-value -1))))
        (let ((acc nil))
          (for-each (fn (x) (set! acc (cons (safe-div 10 x) acc))) [5 0 2])
          (reverse acc))))
(show (handler-case (filter (fn (x) (if (string? x) (error 'type-error "not a number" x) (> x 1)))
                            '(1 2 "three" 4))
        (type-error (c) (list 'rejected (condition-data c)))))
(show (handler-bind ((error (fn (c) (invoke-restart 'skip-item))))
        (fold (fn (acc x) (restart-case (+ acc x) (skip-item () acc))) 0 '(1 2 :three 4))))

; An error in a sort comparator leaves sort; finally clauses run.
(show (try (sort '(3 1 2) (fn (a b) (try (if (= a 2) (error "cmp") (< a b)) (finally (note 'cmp)))))
        (catch e (list 'sort-failed (condition-message e)))))
(show (> (length (events)) 0))

; apply of a function that raises, and of a function that signals.
(show (handler-case (apply (fn (a b) (error 'index-error "bad" (+ a b))) '(1 2))
        (index-error (c) (condition-data c))))
(show (handler-bind ((warning (fn (c) (note (condition-message c)))))
        (apply signal (list (make-condition 'warning "via apply")))))
(show (events))

; Nested callbacks: map inside map, the error from the inner callback
; caught by a try in the outer callback.
(show (map (fn (row) (try (map (fn (x) (/ 6 x)) row) (catch e 'bad-row)))
           '((1 2) (0 3) (6))))
