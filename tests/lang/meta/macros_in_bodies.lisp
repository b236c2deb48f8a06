;; Macros in function bodies: a macro whose expansion is a `begin` of
;; definitions splices them into the body (nested `begin`s too), a macro
;; expanding into another macro call is expanded again, and forms that are
;; not macro calls are left as they are.

(defmacro two-defs (a b)
  `(begin (define ,a 1) (begin (define ,b 2))))

(defmacro defs-via-macro (a b)
  `(two-defs ,a ,b))

(defmacro twice (e)
  `(begin ,e ,e))

(define (spliced)
  (two-defs x y)
  (+ x y))
(println (spliced))

(define (spliced-twice-removed)
  (defs-via-macro p q)
  (define r (* 10 q))
  (list p q r))
(println (spliced-twice-removed))

(define counter 0)
(define (bump-twice)
  (twice (set! counter (+ counter 1)))
  counter)
(println (bump-twice))

;; A local named like a macro is not expanded.
(define (shadowed twice)
  (twice 5))
(println (shadowed (fn (n) (* n 3))))

;; The value of a definition may itself be a macro call.
(defmacro square-fn () '(fn (n) (* n n)))
(define (use-square)
  (define sq (square-fn))
  (sq 7))
(println (use-square))
