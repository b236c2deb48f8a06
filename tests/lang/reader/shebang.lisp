#!/usr/bin/env elle
; Reader: a first line starting with #! is ignored.
(println "after shebang")
