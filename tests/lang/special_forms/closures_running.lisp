;; A running closure reads and writes its captured variables while the heap
;; grows and collects around it, and tail calls between closures with
;; different captures switch to the callee's.

(define (make-accumulator)
  (let ((total 0)
        (junk '()))
    (fn (n)
      ;; Enough allocation to grow the object table and trigger
      ;; collections while this closure's frame is running.
      (let loop ((i 0))
        (when (< i 3000)
          (set! junk (cons (vector i n (string i)) junk))
          (loop (+ i 1))))
      (set! junk '())
      (set! total (+ total n))
      total)))

(define acc (make-accumulator))
(for i in (range 300) (acc i))
(println (acc 0))

(define (make-ping-pong)
  (let ((pings 0)
        (pongs 0))
    (letrec ((ping (fn (n)
                     (set! pings (+ pings 1))
                     (if (= n 0) (list pings pongs) (pong (- n 1)))))
             (pong (fn (n)
                     (set! pongs (+ pongs 1))
                     (if (= n 0) (list pings pongs) (ping (- n 1))))))
      ping)))

(println ((make-ping-pong) 100001))

;; A closure made inside a running closure copies that closure's captures.
(define (make-adder-maker base)
  (fn (k) (fn (x) (+ base k x))))
(println (((make-adder-maker 100) 20) 3))

;; A closure that captures nothing, called from one that does.
(define (outer)
  (let ((n 5))
    (fn () (map (fn (x) (* x x)) (list n (+ n 1))))))
(println ((outer)))
