; Types: (gensym prefix) names the fresh symbol PREFIX__N (a string or a
; symbol prefix); each call gives a new symbol. Any other prefix is a
; type-error.
(define (show x) (write x) (newline))
(define a (gensym "tmp"))
(define b (gensym 'loop))
(show (string-starts-with? (symbol->string a) "tmp__"))
(show (string-starts-with? (symbol->string b) "loop__"))
(show (eq? a (gensym "tmp")))
(show (try (gensym 5) (catch e (list (condition-type e) (condition-message e)))))
; (The arity message is not pinned: "expected 0 to 1 argument" lacks its
; plural, a known defect of the interpreter's arity messages.)
(show (try (gensym "a" "b") (catch e (condition-type e))))
