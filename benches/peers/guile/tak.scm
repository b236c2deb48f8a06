;; tak: Takeuchi (tak 28 16 8), Guile port of benches/programs/tak.lisp

(define (tak x y z)
  (if (< y x)
      (tak (tak (- x 1) y z)
           (tak (- y 1) z x)
           (tak (- z 1) x y))
      z))

(define (main)
  (display (tak 28 16 8))
  (newline))

(main)
