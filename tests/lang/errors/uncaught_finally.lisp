; Errors: finally runs before an error escapes to the top level.
(try (error "escapes") (finally (println "cleanup ran")))
