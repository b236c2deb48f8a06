;; loop: a plain integer loop on locals.

(define (sum-squares-mod-7 n)
  (let ((acc 0)
        (i 0))
    (while (< i n)
      (set! acc (+ acc (mod (* i i) 7)))
      (set! i (+ i 1)))
    acc))

(define (main)
  (println (sum-squares-mod-7 30000000)))

(main)
