; Types: symbol? keyword? string? boolean? function? condition?
(define (show x) (write x) (newline))
(show (list (symbol? 'a) (symbol? :a) (symbol? "a") (symbol? nil) (symbol? #t)))
(show (list (keyword? :a) (keyword? 'a) (keyword? ":a")))
(show (list (string? "a") (string? "") (string? 'a) (string? 1)))
(show (list (boolean? #t) (boolean? #f) (boolean? nil) (boolean? 0)))
(show (list (function? car) (function? map) (function? (fn () 1)) (function? 'car) (function? nil)))
(show (list (condition? (exception "x")) (condition? "x") (condition? nil)))
