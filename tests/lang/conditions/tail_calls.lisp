; Conditions: unwinding through frames that tail calls replaced, and
; handlers and finally clauses around tail-recursive loops.
(define (show x) (write x) (newline))

; A million tail calls, then an error: the try around the loop catches
; it, its finally runs once, and the stack did not grow.
(define (count-down n) (if (= n 0) (error 'index-error "done counting" n) (count-down (- n 1))))
(define finally-runs 0)
(show (try (count-down 1000000)
        (catch e (list (condition-type e) (condition-message e)))
        (finally (set! finally-runs (+ finally-runs 1)))))
(show finally-runs)

; A function whose body is a try calls, in tail position of a catch
; clause's caller, another function that raises: each try's finally runs
; once, innermost first.
(define log nil)
(define (note x) (set! log (cons x log)))
(define (a) (try (b) (finally (note 'a))))
(define (b) (c))
(define (c) (try (d) (finally (note 'c))))
(define (d) (e))
(define (e) (error "from e"))
(show (handler-case (a) (error (c) (condition-message c))))
(show (reverse log))

; handler-bind around a tail-recursive loop sees an error raised at the
; end of it, and a restart established inside the loop body recovers it.
(define (sum-safely xs acc)
  (if (null? xs)
      acc
      (sum-safely (rest xs)
                  (+ acc (restart-case (if (number? (first xs)) (first xs) (error 'type-error "skip me"))
                           (use-value (v) v))))))
(show (handler-bind ((type-error (fn (c) (invoke-restart 'use-value 0))))
        (sum-safely (append (range 100000) '(x y)) 0)))

; A named-let loop inside try: the loop is a jump, the finally runs once.
(define loops-finally 0)
(show (try (let loop ((i 0)) (if (= i 100000) (throw "stop") (loop (+ i 1))))
        (catch e (condition-message e))
        (finally (set! loops-finally (+ loops-finally 1)))))
(show loops-finally)
