; Printing: display of collections writes their elements in write form.
(display ["x" 1]) (newline)
(display {:k "v"}) (newline)
(display @{"k" "v"}) (newline)
(println ["a\n" :k] {"s" "t"})
(print @{1 "one"}) (newline)
