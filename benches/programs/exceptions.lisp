;; exceptions: raise and catch an error on every other call.

(define (check i)
  (if (odd? i)
      (error "odd" i)
      i))

(define (main)
  (let ((total 0)
        (i 0))
    (while (< i 300000)
      (set! total (+ total (try (check i)
                             (catch e (condition-data e)))))
      (set! i (+ i 1)))
    (println total)))

(main)
