;; tables: a hash table with string keys, read-modify-write.

(define (fill-table n nkeys)
  (let ((counts (table))
        (i 0))
    (while (< i n)
      (let ((key (string "k" (mod i nkeys))))
        (put counts key (+ (get counts key 0) i)))
      (set! i (+ i 1)))
    counts))

(define (main)
  (let ((counts (fill-table 200000 50000))
        (total 0))
    (for v in (values counts)
      (set! total (+ total v)))
    (println total)
    (println (table-length counts))))

(main)
