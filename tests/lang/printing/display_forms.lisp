; Printing: display differs from write only for a string at top level;
; elements inside collections always use the write form.
(display "raw \"text\"") (newline)
(display 'sym) (newline)
(display :kw) (newline)
(display 1.5) (newline)
(display nil) (newline)
(display '("a" b "c\n")) (newline)
(display "multi
line") (newline)
(display "") (newline)
