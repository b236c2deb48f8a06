; expect: memory-limit
; flags: --max-memory 64M
; Data nested 100,000 deep is compared, printed and measured without
; native recursion (their work lists, about 50 bytes a level, are not
; counted: deeper data would take that much beyond the limit); then
; nesting goes on until the limit.
(println "start")
(define (nest n acc) (if (= n 0) acc (nest (- n 1) (list acc))))
(define d (nest 100000 nil))
(define same (= d (nest 100000 nil)))
(define printed (length (string d)))
(let loop ((acc d)) (loop (list acc acc)))
