; Named let: calling the loop with the wrong number of arguments is an
; arity-error, also when every call is in tail position (such a loop is
; compiled to a jump; a wrong count used to loop forever or drop arguments).
(defmacro check (expr)
  `(try (begin (write ,expr) (println " <- no error:" (quote ,expr)))
        (catch e (write (list (condition-type e) (condition-message e))) (newline))))
(check (let loop ((i 0)) (if (< i 3) (loop) i)))
(check (let loop ((i 0)) (if (< i 3) (loop (+ i 1) 5) i)))
(check (let loop ((i 0) (acc nil)) (if (< i 3) (loop (+ i 1)) acc)))
(check (let loop () (loop 1)))
(check (let loop ((i 0) (acc nil)) (if (< i 3) (loop (+ i 1) (cons i acc)) acc)))
(define (count-down n) (let loop ((i n)) (if (= i 0) :done (loop (- i 1)))))
(check (count-down 1000000))
