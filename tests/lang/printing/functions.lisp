; Printing: functions print as #<function name>, anonymous ones as
; #<function>.
(define (named x) x)
(write named) (newline)
(write (fn (x) x)) (newline)
(write (lambda () 1)) (newline)
(write cons) (newline)
(write +) (newline)
(write map) (newline)
(display named) (newline)
(write (list named)) (newline)
