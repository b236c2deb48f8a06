; Conditions: the order of events when a condition is signalled deep inside
; nested forms: handler-bind handlers run first, innermost first, at the
; signal point (before any finally); then the stack unwinds to the
; handler-case, running every finally between, innermost first, each once.
(define (show x) (write x) (newline))
(define log nil)
(define (note x) (set! log (cons x log)))
(define (events) (let ((l (reverse log))) (set! log nil) l))

(define (inner)
  (try (begin (note 'inner-body) (error "deep"))
    (finally (note 'inner-finally))))
(define (middle)
  (handler-bind ((error (fn (c) (note 'middle-handler))))
    (try (inner) (finally (note 'middle-finally)))))
(show (handler-case
        (handler-bind ((error (fn (c) (note 'outer-handler))))
          (try (middle) (finally (note 'outer-finally))))
        (error (c) (note 'case-clause) (condition-message c))))
(show (events))

; A catch that does not match lets the search go on; the handlers bound
; outside it still run before the stack unwinds through its finally.
(show (handler-case
        (handler-bind ((division-by-zero (fn (c) (note 'bound-outside))))
          (try (/ 1 0)
            (catch (e type-error) (note 'wrong-catch))
            (finally (note 'try-finally))))
        (division-by-zero (c) (note 'case) 'done)))
(show (events))

; Invoking a restart from a handler unwinds to the restart-case through
; the finally clauses in between, innermost first.
(show (restart-case
        (handler-bind ((error (fn (c) (note 'handler) (invoke-restart 'recover 7))))
          (try (try (error "e") (finally (note 'f1)))
            (finally (note 'f2))))
        (recover (v) (note 'restart-body) (* v 6))))
(show (events))

; Normal exit runs each finally once, in order, and nothing else.
(show (handler-bind ((error (fn (c) (note 'never))))
        (try (try 'ok (finally (note 'f-inner))) (finally (note 'f-outer)))))
(show (events))

; A handler that declines, then a try that catches: the finally inside
; the try's body runs once, before the catch clause.
(show (try (handler-bind ((error (fn (c) (note 'declined))))
             (try (error "x") (finally (note 'finally))))
        (catch e (note 'catch) 'caught)))
(show (events))

; break out of a loop inside try and handler-bind pops them: a later error
; is not seen by their handlers.
(define (loop-then-fail)
  (while #t
    (handler-bind ((error (fn (c) (note 'stale-handler))))
      (try (break 'left) (finally (note 'left-finally)))))
  (error "after the loop"))
(show (handler-case (loop-then-fail) (error (c) (condition-message c))))
(show (events))
