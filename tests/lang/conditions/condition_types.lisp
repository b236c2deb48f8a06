; Conditions: user condition types (define-condition, single inheritance)
; with handler-case, handler-bind and signal; condition-is?.
(define (show x) (write x) (newline))
(define-condition app-error error)
(define-condition net-error app-error)
(define-condition timeout net-error)
(define-condition notice warning)

(define (fetch how)
  (case how
    ((:timeout) (error 'timeout "took too long" 30))
    ((:net) (error 'net-error "no route"))
    ((:app) (error 'app-error "bad state"))
    ((:notice) (signal (make-condition 'notice "fyi")) 'fetched-anyway)
    (else 'fetched)))

; The most specific clause is not preferred: the first matching one wins.
(show (map (fn (how)
             (handler-case (fetch how)
               (timeout (c) (list 'timeout (condition-data c)))
               (net-error (c) 'net)
               (app-error (c) 'app)))
           '(:timeout :net :app :ok)))
(show (handler-case (fetch :timeout) (app-error (c) (condition-type c))))

; handler-bind on a parent type sees subtypes.
(show (handler-case
        (handler-bind ((net-error (fn (c) (println "net handler saw" (condition-type c)))))
          (fetch :timeout))
        (error (c) 'done)))

; A signalled user warning type goes to its handlers and otherwise
; returns nil; try does not catch it.
(show (handler-bind ((notice (fn (c) (println "notice:" (condition-message c)))))
        (fetch :notice)))
(show (try (fetch :notice) (catch e 'caught)))
(show (handler-case (fetch :notice) (warning (c) (list 'warning (condition-type c)))))

(define t (make-condition 'timeout "t"))
(show (map (fn (ty) (condition-is? t ty)) '(timeout net-error app-error error condition warning)))

; define-condition needs a known parent and a symbol name.
(show (handler-case (eval '(define-condition orphan no-such-parent)) (error (c) (condition-type c))))
(show (handler-case (eval '(define-condition "str" error)) (error (c) (condition-type c))))
