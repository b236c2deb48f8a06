; JSON: json-serialize writes compact JSON (no spaces): tables and structs
; as objects (keyword keys by name), vectors and lists as arrays, nil as
; null; strings escaped; round trip through json-parse.
(define (show x) (write x) (newline))
(show (json-serialize @{"a" 1 "b" [1 2.5 "s" nil #t #f]}))
(show (json-serialize {:name "elle" :n 2}))
(show (json-serialize '(1 2 3)))
(show (json-serialize []))
(show (json-serialize @{}))
(show (json-serialize "q\"uote\n"))
(show (json-serialize 42))
(show (json-serialize nil))
(define text "{\"k\":[1,{\"x\":null}],\"s\":\"v\"}")
(show (json-serialize (json-parse text)))
(show (= (json-serialize (json-parse text)) text))
