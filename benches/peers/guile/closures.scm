;; closures: 1000 mutable-count closures called 20000 rounds, Guile port of benches/programs/closures.lisp

(define (make-counter)
  (let ((count 0))
    (lambda (n)
      (set! count (+ count n))
      count)))

(define (main)
  (let ((counters (map (lambda (i) (make-counter)) (iota 1000))))
    (do ((r 0 (+ r 1)))
        ((= r 20000))
      (for-each (lambda (c) (c r)) counters))
    (display (let loop ((cs counters) (total 0))
               (if (null? cs)
                   total
                   (loop (cdr cs) (+ total ((car cs) 0))))))
    (newline)))

(main)
