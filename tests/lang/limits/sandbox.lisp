; Files: under --sandbox every file primitive raises io-error.
(define (show x) (write x) (newline))
(define (kind thunk) (try (begin (thunk) 'no-error) (catch e (condition-type e))))
(show (kind (fn () (read-file "files/fixture/a.txt"))))
(show (kind (fn () (read-lines "files/fixture/a.txt"))))
(show (kind (fn () (file-exists? "files/fixture/a.txt"))))
(show (kind (fn () (list-directory "files/fixture"))))
(show (kind (fn () (write-file "files/tmp-sandbox.txt" "x"))))
(show (kind (fn () (append-file "files/tmp-sandbox.txt" "x"))))
(show (kind (fn () (delete-file "files/fixture/a.txt"))))
; The environment: under --sandbox no variable is set.
(show (getenv "PATH"))
; The FFI: under --sandbox its names are unbound.
(show (kind (fn () (ffi/load "libm.so.6"))))
