;; startup: the cost of starting and stopping the interpreter.
(println 0)
