;; closures: many closures, each with its own mutable captured count.

(define (make-counter)
  (let ((count 0))
    (fn (n)
      (set! count (+ count n))
      count)))

(define (main)
  (let ((counters (map (fn (i) (make-counter)) (range 1000)))
        (r 0)
        (total 0))
    (while (< r 20000)
      (for c in counters
        (c r))
      (set! r (+ r 1)))
    (for c in counters
      (set! total (+ total (c 0))))
    (println total)))

(main)
