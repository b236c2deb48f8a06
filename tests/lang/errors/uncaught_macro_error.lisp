; Errors: an error raised while a macro expands names the macro call in the
; trace (`<macro NAME>` at the call), below the macro's own frames.
(defmacro first-of (form)
  (car form))

(define (ok) (first-of (1 2)))
(define (bad)
  (first-of 5))
