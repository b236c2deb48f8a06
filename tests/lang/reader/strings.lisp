; Reader: string literals and every escape (\n \t \r \0 \\ \" \xHH \u{H...}),
; literal newlines inside strings.
(define (show x) (write x) (newline))
(show "plain")
(show "")
(show "a\"b\\c\n")
(display "tab:\t|") (newline)
(show "\t\r\0")
(show "\x41\x7a\x30")
(display "\u{3bb}\u{1F600}\u{41}") (newline)
(show "\u{3bb}")
(show "line1
line2")
(display "q\"uote\\") (newline)
(show (type "s"))
