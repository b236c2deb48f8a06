;; Code-generation cases the compiler optimises and must keep right:
;; named-let parameters rebound in place, float constants of loops loaded
;; once, operator chains whose result is also an operand, and inlined
;; chains falling back to a call when the operator is redefined.

;; Rebinding: a later new value reads an earlier parameter (fib), values
;; swap, and a value reads its own parameter after a branch.
(println (let loop ((a 0) (b 1) (n 50))
           (if (= n 0) a (loop b (+ a b) (- n 1)))))
(println (let loop ((x 1) (y 2) (n 5))
           (if (= n 0) (list x y) (loop y x (- n 1)))))
(println (let loop ((i 0) (steps 0))
           (if (> i 20)
               (list i steps)
               (loop (if (even? i) (+ i 3) (- i 1)) (+ steps 1)))))
;; A parameter captured by a closure made while rebinding.
(println (let loop ((i 0) (fs '()))
           (if (= i 3)
               (map (fn (f) (f)) fs)
               (loop (+ i 1) (cons (fn () (* i 10)) fs)))))

;; The result of a chain is also one of its later operands.
(define (chain-into-operand x y)
  (set! x (* 2 y x))
  x)
(println (chain-into-operand 3 5))
(define (sum-into-operand a b c)
  (let ((c c))
    (set! c (+ a b c c))
    c))
(println (sum-into-operand 1 2 3))

;; Float constants used by loops, in folds and comparisons.
(define (count-below limit)
  (let loop ((x 0.0) (n 0))
    (if (> (* x 1.5 2.0) limit)
        n
        (loop (+ x 0.25) (+ n 1)))))
(println (count-below 30.0))
(define (while-floats)
  (let ((x 1.0) (k 0))
    (while (< x 1000.0)
      (set! x (* x 2.5))
      (set! k (+ k 1)))
    (list x k)))
(println (while-floats))

;; The same chains after the operator is redefined: the inlined chain
;; becomes a call of the new global with every operand, constants included.
(define (scaled x) (* 2.0 x 3.0))
(define (loop-scaled n)
  (let loop ((i 0) (acc 0.0))
    (if (= i n) acc (loop (+ i 1) (+ acc (* 0.5 i 4.0))))))
(println (scaled 1.0) (loop-scaled 4))
(define original* *)
(set! * (fn args (cons 'times args)))
(println (scaled 1.0))
(println (chain-into-operand 3 5))
(set! * original*)
(println (scaled 1.0) (loop-scaled 4))

;; Forms whose value is not used (`let`, `if` without else, `when`,
;; `unless`) still do everything, with `vector-set!` as their last form.
(define (effects v)
  (let ((i 0))
    (while (< i (vector-length v))
      (let ((x (vector-ref v i)))
        (if (even? x) (vector-set! v i (* x 10)))
        (when (= x 3) (vector-set! v i 'three))
        (unless (< x 5)
          (let ((y (+ x 1)))
            (vector-set! v i y))))
      (set! i (+ i 1)))
    v))
(println (effects (vector 1 2 3 4 5 6 7)))
(define hits 0)
(define (count-evens xs)
  (for x in xs
    (if (even? x) (set! hits (+ hits 1)) (set! hits (- hits 0))))
  hits)
(println (count-evens '(1 2 3 4 6)))
