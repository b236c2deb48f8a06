; Errors: --max-depth sets the non-tail recursion limit (here 50).
(define (show x) (write x) (newline))
(define (down n) (if (= n 0) 0 (+ 1 (down (- n 1)))))
(show (down 30))
(show (try (down 100) (catch e (list (condition-type e) (condition-message e)))))
(define (loop n) (if (= n 0) 'tail-calls-unaffected (loop (- n 1))))
(show (loop 10000))
