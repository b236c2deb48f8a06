; Printing: the write form of vectors, tables and structs, nested.
(write [1 "two" :three]) (newline)
(write [1 [2 [3]]]) (newline)
(write @{:a 1 "b" 2}) (newline)
(write {:a 1 "b" 2}) (newline)
(write {:nested {:v [1 "x"]}}) (newline)
