;; tables: string-keyed hash table read-modify-write, 200000 updates over 50000 keys, Chez Scheme port of benches/programs/tables.lisp

(define (fill-table n nkeys)
  (let ((counts (make-hashtable string-hash string=?)))
    (do ((i 0 (+ i 1)))
        ((= i n) counts)
      (let ((key (string-append "k" (number->string (modulo i nkeys)))))
        (hashtable-set! counts key (+ (hashtable-ref counts key 0) i))))))

(define (main)
  (let* ((counts (fill-table 200000 50000))
         (vals (hashtable-values counts)))
    (display (do ((i 0 (+ i 1))
                  (total 0 (+ total (vector-ref vals i))))
                 ((= i (vector-length vals)) total)))
    (newline)
    (display (hashtable-size counts))
    (newline)))

(main)
