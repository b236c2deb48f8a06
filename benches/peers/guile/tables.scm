;; tables: string-keyed hash table read-modify-write, 200000 updates over 50000 keys, Guile port of benches/programs/tables.lisp

(define (fill-table n nkeys)
  (let ((counts (make-hash-table)))
    (do ((i 0 (+ i 1)))
        ((= i n) counts)
      (let ((key (string-append "k" (number->string (modulo i nkeys)))))
        (hash-set! counts key (+ (hash-ref counts key 0) i))))))

(define (main)
  (let ((counts (fill-table 200000 50000)))
    (display (hash-fold (lambda (key value total) (+ total value)) 0 counts))
    (newline)
    (display (hash-count (const #t) counts))
    (newline)))

(main)
