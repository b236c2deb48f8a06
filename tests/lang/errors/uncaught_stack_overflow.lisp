; Errors: an uncaught stack-overflow ends the program with exit status 1 (no
; crash); stderr is not pinned (the trace format for deep stacks is unspecified).
(define (runaway n) (+ 1 (runaway n)))
(runaway 0)
