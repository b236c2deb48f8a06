; Special forms begin (sequence, no scope: a define inside a top-level begin
; is global) and block (opens a scope: its defines are local).
(define (show x) (write x) (newline))
(show (begin 1 2 3))
(show (begin))
(show (begin (println "first") 'second))
(begin (define from-begin 10))
(show from-begin)
(define y 1)
(show (block (define y 2) (+ y 40)))
(show y)
(block (define only-in-block 5) (show only-in-block))
(show (try only-in-block (catch e (condition-type e))))
(show (block 1 2))
