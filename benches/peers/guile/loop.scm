;; loop: integer loop acc += (i*i) mod 7 for i below 30000000, Guile port of benches/programs/loop.lisp

(define (sum-squares-mod-7 n)
  (let loop ((i 0) (acc 0))
    (if (< i n)
        (loop (+ i 1) (+ acc (modulo (* i i) 7)))
        acc)))

(define (main)
  (display (sum-squares-mod-7 30000000))
  (newline))

(main)
