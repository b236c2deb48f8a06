; Meta: (exit 0) inside a function ends the program successfully.
(define (finish) (println "finishing") (exit 0) (println "never printed"))
(finish)
(println "never printed either")
