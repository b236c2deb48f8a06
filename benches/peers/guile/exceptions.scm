;; exceptions: raise an error carrying i on every odd call and catch it, Guile port of benches/programs/exceptions.lisp

(use-modules (ice-9 exceptions))

(define (check i)
  (if (odd? i)
      (error "odd" i)
      i))

(define (main)
  (let loop ((i 0) (total 0))
    (if (< i 300000)
        (loop (+ i 1)
              (+ total
                 (with-exception-handler
                  (lambda (e) (car (exception-irritants e)))
                  (lambda () (check i))
                  #:unwind? #t)))
        (begin
          (display total)
          (newline)))))

(main)
