; Special form match: (pattern :when guard body...) matches only when the
; guard is truthy, with the pattern's bindings in scope.
(define (show x) (write x) (newline))
(define (sign n)
  (match n
    (x :when (< x 0) 'negative)
    (0 'zero)
    (x :when (> x 100) 'big)
    (_ 'positive)))
(show (sign -5))
(show (sign 0))
(show (sign 500))
(show (sign 5))
(define (sum7 v)
  (match v
    ((list a b) :when (= (+ a b) 7) (list 'sum-seven a b))
    ((list a b) :when #f 'never)
    ((list a b) (list 'other-pair a b))
    (_ 'no)))
(show (sum7 '(3 4)))
(show (sum7 '(3 5)))
(show (sum7 '(3)))
(show (match 4 (x :when (even? x) (println "guard passed") (* x 10)) (_ 'odd)))
(show (match 3 (x :when (even? x) 'even)))
