;; exceptions: raise an error carrying i on every odd call and catch it, Chez Scheme port of benches/programs/exceptions.lisp

(define (check i)
  (if (odd? i)
      (error 'check "odd" i)
      i))

(define (main)
  (let loop ((i 0) (total 0))
    (if (< i 300000)
        (loop (+ i 1)
              (+ total
                 (guard (e ((error? e) (car (condition-irritants e))))
                   (check i))))
        (begin
          (display total)
          (newline)))))

(main)
