; Types: vector? table? struct? on every collection kind.
(define (show x) (write x) (newline))
(show (list (vector? [1]) (vector? []) (vector? '(1)) (vector? @{}) (vector? nil)))
(show (list (table? @{}) (table? {}) (table? [])))
(show (list (struct? {}) (struct? @{}) (struct? '())))
