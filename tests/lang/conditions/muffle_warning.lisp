; Conditions: warn establishes a muffle-warning restart. A handler that
; invokes it suppresses the message (nothing reaches stderr) and warn
; returns nil; a handler that declines lets the message through.
(define (show x) (write x) (newline))
(defmacro check (expr)
  `(try (begin (write ,expr) (println " <- no error:" (quote ,expr)))
        (catch e (write (list (condition-type e) (condition-message e))) (newline))))
(define (muffle c) (invoke-restart 'muffle-warning))
(show (handler-bind ((warning muffle)) (list (warn "muffled") 'after)))
(show (handler-bind ((warning (fn (c) (show (compute-restarts)) (muffle c))))
        (warn "listed")))
(show (handler-bind ((warning (fn (c) (show (find-restart 'muffle-warning)))))
        (warn "declined, so printed")))
; Only inside warn: no muffle-warning restart outside it.
(show (find-restart 'muffle-warning))
(check (invoke-restart 'muffle-warning))
; The innermost warn's restart is the one invoked.
(define (noisy n) (warn (string "warning " n)) n)
(show (handler-bind ((warning muffle)) (map noisy '(1 2 3))))
; A warning raised by signal has no muffle-warning restart.
(show (handler-bind ((warning (fn (c) (show (find-restart 'muffle-warning)))))
        (signal (make-condition 'warning "signalled"))))
(check (warn 'sym))
(check (warn))
(check (warn "a" "b"))
