;; startup: prints 0, the cost of starting and stopping Guile; port of benches/programs/startup.lisp
(display 0)
(newline)
