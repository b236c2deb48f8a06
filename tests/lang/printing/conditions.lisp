; Printing: conditions print as #<condition type: message>.
(write (make-condition 'division-by-zero "division by zero")) (newline)
(write (exception "boom")) (newline)
(display (exception "shown")) (newline)
(write (try (/ 1 0) (catch e e))) (newline)
(write (list (exception "in list"))) (newline)
