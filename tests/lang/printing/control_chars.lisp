; Printing: in the write form every control character other than \n \t \r
; (C0, DEL and C1, U+0080 to U+009F) is written as \xHH, which reads back as
; the same character; other characters are written as they are.
(define s "a\x00b\x1b\x7f\x85\x9f\xa0é\u{2028}z")
(write s) (newline)
(println (= s (read-string (repr s))))
(println (string-length s))
(write (list "\x01" "\t\n\r")) (newline)
