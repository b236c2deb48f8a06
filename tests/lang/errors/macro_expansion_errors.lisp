; Errors: errors raised by macro expansion keep their type and message;
; the trace has a `<macro NAME>` line at the call being expanded, including a
; call with the wrong number of arguments (which fails before the macro's
; body runs), and expansions at run time through eval.
(define (show x) (write x) (newline))
(defmacro two (a b) `(list ,a ,b))
(defmacro boom (x) (error 'type-error "boom at expansion" x))
(define (report e)
  (show (list (condition-type e) (condition-message e) (condition-data e)))
  (show (condition-trace e)))
(try (eval '(two 1)) (catch e (report e)))
(try (eval '(boom 42)) (catch e (report e)))
(define (expand-late) (eval '(two 1 2 3)))
(try (expand-late) (catch e (report e)))
(show (two 1 2))
