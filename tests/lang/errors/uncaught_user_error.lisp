; Errors: an uncaught (error msg) at top level; output before it is kept.
(println "before")
(error "custom failure")
(println "never printed")
