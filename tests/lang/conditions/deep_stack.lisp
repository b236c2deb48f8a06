; Conditions: a condition signalled 50,000 (non-tail) frames down, caught
; or handled at the top.
(define (show x) (write x) (newline))

(define (dive n)
  (if (= n 0)
      (error 'index-error "bottom reached" n)
      (+ 1 (dive (- n 1)))))
(show (handler-case (dive 50000) (index-error (c) (list 'caught (condition-message c)))))
(show (try (dive 50000) (catch e (condition-type e))))

; A handler-bind at the top runs at the bottom, 50,000 frames down. The
; condition's trace keeps the innermost 20 and the outermost 20 frames of
; that stack, and counts the 49,962 between them (50,001 calls of dive
; and the top level).
(define trace-seen nil)
(show (handler-case
        (handler-bind ((index-error (fn (c) (set! trace-seen (condition-trace c)))))
          (dive 50000))
        (error (c) 'unwound)))
(show (length trace-seen))
(show (first trace-seen))
(show (nth 20 trace-seen))
(show (nth 21 trace-seen))
(show (last trace-seen))

; A restart established at the top, invoked from a handler at the bottom.
(show (restart-case
        (handler-bind ((index-error (fn (c) (invoke-restart 'give-up 'from-the-bottom))))
          (dive 50000))
        (give-up (why) why)))

; A restart at the bottom, chosen by a handler at the top: the computation
; goes on and finishes.
(define (dive-recovering n)
  (if (= n 0)
      (restart-case (error "bottom") (use-value (v) v))
      (+ 1 (dive-recovering (- n 1)))))
(show (handler-bind ((error (fn (c) (invoke-restart 'use-value 1000))))
        (dive-recovering 50000)))

; A finally in every one of 10,000 frames runs exactly once each.
(define cleanups 0)
(define (dive-with-finally n)
  (try (if (= n 0) (error "down") (dive-with-finally (- n 1)))
    (finally (set! cleanups (+ cleanups 1)))))
(show (handler-case (dive-with-finally 10000) (error (c) (condition-message c))))
(show cleanups)
