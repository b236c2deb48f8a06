; Proper tail calls: 1,000,000-iteration tail-recursive loops run in constant
; stack (part 3: loop-match, ev?, named let, count-acc).
(define (show x) (write x) (newline))
(define n 1000000)
(define (loop-match i) (match i (0 'match) (_ (loop-match (- i 1)))))
(show (loop-match n))
(define (ev? i) (if (= i 0) #t (od? (- i 1))))
(define (od? i) (if (= i 0) #f (ev? (- i 1))))
(show (ev? n))
(show (let loop ((i 0)) (if (< i n) (loop (+ i 1)) i)))
(define (count-acc i acc) (if (= i 0) acc (count-acc (- i 1) (+ acc 1))))
(show (count-acc n 0))
