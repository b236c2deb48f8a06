; Errors: an uncaught error of a user-defined condition type reports that type.
(define-condition config-error error)
(define (load-config) (error 'config-error "missing key: port"))
(load-config)
