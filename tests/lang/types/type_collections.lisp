; Types: (type x) for vectors, tables and structs.
(define (show x) (write x) (newline))
(show (type [1]))
(show (type (vector)))
(show (type @{}))
(show (type (table :a 1)))
(show (type {}))
(show (type (struct :a 1)))
