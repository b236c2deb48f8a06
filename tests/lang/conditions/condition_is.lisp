; Conditions: condition-is? follows the single-inheritance hierarchy of
; built-in types.
(define (show x) (write x) (newline))
(define dz (make-condition 'division-by-zero "d"))
(show (condition-is? dz 'division-by-zero))
(show (condition-is? dz 'error))
(show (condition-is? dz 'condition))
(show (condition-is? dz 'type-error))
(show (condition-is? dz 'warning))
(define w (make-condition 'style-warning "s"))
(show (condition-is? w 'warning))
(show (condition-is? w 'condition))
(show (condition-is? w 'error))
(show (condition-is? (exception "x") 'user-error))
(show (map (fn (t) (condition-is? (make-condition t "x") 'error))
           '(type-error arity-error unbound-variable division-by-zero
             overflow-error index-error key-error stack-overflow read-error
             syntax-error io-error ffi-error user-error)))
(show (condition-is? (make-condition 'warning "w") 'error))
(show (condition-is? (make-condition 'error "e") 'condition))
