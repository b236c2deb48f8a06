; Reader: keywords are self-evaluating and interned.
(define (show x) (write x) (newline))
(show :name)
(show :a-b?)
(show (type :k))
(show (eq? :k :k))
(show '(:a :b))
