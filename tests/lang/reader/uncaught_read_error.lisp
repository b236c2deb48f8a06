; Reader: an unbalanced bracket in a program file is an uncaught read-error
; naming the file, line and column; exit status 1, nothing runs.
(println (+ 1 2]
