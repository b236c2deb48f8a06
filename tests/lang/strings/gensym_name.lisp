; Types: gensym names look like G__12 (LANGUAGE.md 5) and are all distinct.
(define (show x) (write x) (newline))
(define g (gensym))
(show (string-starts-with? (symbol->string g) "G__"))
(show (integer? (string->number (substring (symbol->string g) 3 (string-length (symbol->string g))))))
