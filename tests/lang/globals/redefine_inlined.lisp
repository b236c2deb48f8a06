; Globals are late-bound, including the built-ins the compiler inlines
; (arithmetic, comparisons, car/cdr, vector-ref, vector-set!): redefining
; one is seen by code compiled before and after, in every position (value,
; if test, fold of several operands, effect), and putting the built-in back
; restores it.
(define (add a b) (+ a b))
(define (add3 a b c) (+ a b c))
(define (small? x) (if (< x 10) 'small 'big))
(define (less? x) (< x 10))
(define (poke v) (vector-set! v 0 'x) v)
(define (head l) (car l))
(define (empty? l) (if (null? l) 'empty 'full))
(define (neg x) (- x))
(println (add 1 2) (add3 1 2 3) (small? 5) (less? 5) (poke [1 2]) (head '(9))
         (empty? nil) (neg 4))

(define builtin+ +)
(define builtin< <)
(define builtin- -)
(define (+ & xs) (list 'plus xs))
(define (< a b) #f)
(define (vector-set! v i x) 'mine)
(define (car l) 'kar)
(define (null? l) #f)
(define (- & xs) (list 'minus xs))
(println (add 1 2) (add3 1 2 3) (small? 5) (less? 5) (poke [1 2]) (head '(9))
         (empty? nil) (neg 4))
(define (add-later a b) (+ a b))
(println (add-later 1 2))

; A redefinition in the middle of a running function takes effect at once.
(define (switch-midway)
  (let ((before (builtin+ 1 1)))
    (set! + builtin-)
    (list before (+ 10 1) (add 10 1))))
(println (switch-midway))

(define + builtin+)
(define < builtin<)
(define (add-restored a b) (+ a b))
(println (add 1 2) (add-later 1 2) (add-restored 1 2) (small? 5))
