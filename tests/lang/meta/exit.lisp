; Meta: (exit n) ends the program with status n; output so far is kept.
(println "before exit")
(exit 3)
(println "never printed")
