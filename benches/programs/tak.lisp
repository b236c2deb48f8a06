;; tak: the Takeuchi function, deep non-tail recursion on three integers.

(define (tak x y z)
  (if (< y x)
      (tak (tak (- x 1) y z)
           (tak (- y 1) z x)
           (tak (- z 1) x y))
      z))

(define (main)
  (println (tak 28 16 8)))

(main)
