; The FFI (LANGUAGE.md §8): libm and libc functions through ffi/fn, their
; results against Elle's own, and the errors of loading, lookup and calls.
(define (show x) (write x) (newline))
(defmacro check (expr)
  `(try (begin (write ,expr) (println " <- no error:" (quote ,expr)))
        (catch e (write (list (condition-type e) (condition-message e))) (newline))))

(define libm (ffi/load "libm.so.6"))
(define libc (load-library "libc.so.6"))
(show libm)
(show (type libm))

; Doubles: libm against Elle's own.
(define c-cos (ffi/fn libm "cos" :double :double))
(define c-pow (ffi/fn libm "pow" :double :double :double))
(show c-cos)
(show (c-cos 0.0))
(show (= (c-cos 1.25) (cos 1.25)))
(show (c-pow 2.0 10))
(show (= (c-pow 1.5 2.5) (pow 1.5 2.5)))

; Integers and strings from libc.
(define strlen (ffi/fn libc "strlen" :string :size))
(define c-abs (ffi/fn libc "abs" :int :int))
(define toupper (ffi/fn libc "toupper" :int :int))
(define atoi (ffi/fn libc "atoi" :string :int))
(define c-getenv (ffi/fn libc "getenv" :string :string))
(show (strlen "hello"))
(show (strlen ""))
(show (c-abs -7))
(show (c-abs -2147483647))
(show (toupper 97))
(show (atoi "-123"))
(show (= (c-getenv "PATH") (getenv "PATH")))
(show (c-getenv "ELLE_SURELY_UNSET_VARIABLE"))

; Pointers and sizes.
(show (ffi/null))
(show (type (ffi/null)))
(show (ffi/null? (ffi/null)))
(show (map ffi/sizeof '(:bool :i8 :u16 :i32 :int :long :size :float :double :pointer :string)))

; Errors.
(check (c-abs 2147483648))
(check (c-abs -2147483649))
(check (c-abs "x"))
(check (c-abs 1 2))
(check (strlen 'sym))
(check (strlen "a\0b"))
(check (c-cos "x"))
; The loader's own message follows the prefix; it names system paths.
(define (error-start thunk n)
  (try (thunk)
       (catch e (list (condition-type e)
                      (substring (condition-message e) 0 n)))))
(show (error-start (lambda () (ffi/fn libc "elle_no_such_symbol" :int)) 61))
(show (error-start (lambda () (ffi/load "libelle-no-such-library.so")) 52))
(check (ffi/fn libc "abs" :int :bogus))
(check (ffi/fn libc "abs" :void :int))
(check (ffi/fn 42 "abs" :int))
(check (ffi/null? 0))
(show (condition-is? (try (ffi/load "libelle-no-such-library.so") (catch e e)) 'error))

; Early Elle's call-c-function: types as strings, arguments as a list.
(show (call-c-function libm "pow" "double" '("double" "double") '(2.0 8)))
(show (call-c-function libc "strlen" "size" '("string") '("four")))
(show (call-c-function libc "abs" :int '(:int) '(-3)))
(check (call-c-function libc "abs" "int" '("int") '(1 2)))
(check (call-c-function libc "abs" "int" '("integer") '(1)))
(check (call-c-function libc "abs" "int" '("int") '(5000000000)))

; A :string result that points into a :string argument is copied before
; the argument's copy is freed.
(show ((ffi/fn libc "strchr" :string :int :string) "hello, world" 44))
