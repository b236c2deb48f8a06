; Printing: a deeply nested (but not cyclic) list prints in full.
(define (nest n acc) (if (= n 0) acc (nest (- n 1) (list acc))))
(write (nest 5000 1))
(newline)
