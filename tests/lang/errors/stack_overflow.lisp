; Errors: runaway recursion raises stack-overflow (default depth limit),
; catchable by try, with finally clauses run while unwinding; the program
; goes on normally afterwards, also through native callbacks (map, sort).
(define (show x) (write x) (newline))
(define (runaway n) (+ 1 (runaway n)))
(show (try (runaway 0) (catch e (list (condition-type e) (condition-message e)))))
(show (try (runaway 0) (catch (e stack-overflow) 'typed-catch)))
(define (runaway-with-finally n)
  (try (+ 1 (runaway n)) (finally (println "finally during unwind"))))
(show (try (runaway-with-finally 0) (catch e (condition-type e))))
(define (via-map n) (car (map (fn (x) (+ 1 (via-map x))) (list n))))
(show (try (via-map 0) (catch e (condition-type e))))
(define (via-sort n) (sort '(2 1) (fn (a b) (+ 1 (via-sort n)))))
(show (try (via-sort 0) (catch e (condition-type e))))
(define (via-apply n) (+ 1 (apply via-apply (list n))))
(show (try (via-apply 0) (catch e (condition-type e))))
(define (sum-to n) (if (= n 0) 0 (+ n (sum-to (- n 1)))))
(show (sum-to 50000))
(show (try (runaway 0) (catch e 'again)))
