;; fib: naive recursive (fib 32), Guile port of benches/programs/fib.lisp

(define (fib n)
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(define (main)
  (display (fib 32))
  (newline))

(main)
