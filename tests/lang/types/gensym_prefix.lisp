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
(show (try (gensym "a" "b") (catch e (list (condition-type e) (condition-message e)))))
