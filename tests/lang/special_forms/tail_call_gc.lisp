; Tail calls: a tail call with more arguments than the call that entered the
; frame, while garbage is being collected, keeps every argument alive (a
; regression test: the collector used to free the last ones).
(define (g a b c d e) (car e))
(define (f x) (g 1 2 3 4 (list x)))
(define (sum-to n)
  (let loop ((i 0) (acc 0))
    (if (= i n) acc (loop (+ i 1) (+ acc (f i))))))
(println (sum-to 300000))
; The same through map: each level tail-calls map with more arguments.
(define (runaway x) (map runaway (list 1 2)))
(println (try (runaway 1) (catch e (condition-type e))))
