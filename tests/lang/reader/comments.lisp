; Reader: line comments, nested block comments, datum comments.
(define (show x) (write x) (newline))
(show 1) ; a trailing comment
#| a block comment
   (show "not shown")
   #| nested |# still inside
|#
(show 2)
(show '(a #| inline |# b))
#;(show "skipped datum")
(show '(1 #;2 3))
(show '(1 #; (2 (3)) 4))
(show (+ 1 #;100 2))
;; (show "commented out")
(show 3);no space before comment
