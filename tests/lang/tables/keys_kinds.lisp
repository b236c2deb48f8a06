; Tables: keys may be nil, booleans, integers, floats, symbols, keywords and
; strings; a float key equal to an integer is a different key.
(define (show x) (write x) (newline))
(define k (table nil 'n #t 't #f 'f 1 'int 1.0 'float 'sym 's :kw 'k "str" 's2))
(show (table-length k))
(show (map (fn (key) (get k key)) (list nil #t #f 1 1.0 'sym :kw "str")))
(show (get k 2))
(show (has? k "sym"))
(show (get k (string "s" "tr")))
