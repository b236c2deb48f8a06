; Lists: list? pair? null? nil?
(define (show x) (write x) (newline))
(show (list (list? '(1 2)) (list? nil) (list? 5) (list? "ab")))
(show (list (pair? '(1)) (pair? '(1 . 2)) (pair? nil) (pair? 5)))
(show (list (null? nil) (null? '()) (null? '(1)) (null? #f) (null? 0)))
(show (list (nil? nil) (nil? #f) (nil? 0) (nil? '(nil))))
