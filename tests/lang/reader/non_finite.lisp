; Reader: +inf.0, -inf.0 and +nan.0 (also -nan.0) are the non-finite floats,
; written as the printer writes them, so every float's write form reads
; back; string->number, float and int accept them too. Other spellings
; (inf, nan, +inf) are symbols.
(define (show x) (write x) (newline))
(show (list +inf.0 -inf.0 +nan.0 -nan.0))
(show (map type (list +inf.0 -inf.0 +nan.0)))
(show (= +inf.0 (/ 1.0 0)))
(show (= -inf.0 (/ -1.0 0)))
(show (nan? +nan.0))
(show (nan? -nan.0))
(show (read-string (repr (list (/ 1.0 0) (/ 0.0 0.0)))))
(show (string->number "-inf.0"))
(show (float "+inf.0"))
(show (try (int "+inf.0") (catch e (list (condition-type e) (condition-message e)))))
(show (map symbol? '(inf nan +inf -inf.1 +inf.00 infinity)))
