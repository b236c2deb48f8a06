; Truthiness: only nil and #f are false; 0, 0.0, "", empty collections and
; symbols are true.
(define (show x) (write x) (newline))
(define (truthy? x) (if x #t #f))
(show (map truthy? (list nil #f)))
(show (map truthy? (list #t 0 0.0 "" 'a :k '(nil))))
(show (map truthy? (list [] @{} {})))
