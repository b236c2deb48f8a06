; Reader errors (continued): every kind names <string>:LINE:COL (columns
; count characters, not bytes): dotted-pair mistakes, a datum comment with
; nothing after it, malformed \u escapes, a lone `:` inside a list, nesting
; deeper than 10,000 levels, and errors on later lines.
(define (try-read s)
  (try (begin (read-string s) (println "no error for" s))
       (catch e (write (list (condition-type e) (condition-message e))) (newline))))
(try-read "'(. 2)")
(try-read "'(1 . 2 3)")
(try-read "'(1 .)")
(try-read "#;")
(try-read "(1 #;)")
(try-read "\"\\u41\"")
(try-read "\"\\u{}\"")
(try-read "\"\\u{D800}\"")
(try-read "(list : 1)")
(try-read "#")
(try-read "#\\a")
(try-read "\"λé\\q\"")
(try-read "(a\n (b\n  c]")
(try-read "\n\n   )")
(try-read (string-append (apply string-append (map (fn (i) "(") (range 10001))) "x"))
(try-read (string-append (apply string-append (map (fn (i) "'") (range 10001))) "x"))
