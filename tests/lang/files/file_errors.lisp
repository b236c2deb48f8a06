; Files: the error cases of the file primitives (type and message): a
; non-string path or content is a type-error; a failure of the operating
; system (a directory where a file is expected, bytes that are not UTF-8) is
; an io-error naming the function, the path and the reason, with the path
; as its data.
(defmacro check (expr)
  `(try (begin (write ,expr) (println " <- no error:" (quote ,expr)))
        (catch e (write (list (condition-type e) (condition-message e) (condition-data e))) (newline))))
(check (read-file 5))
(check (read-lines :p))
(check (write-file 'p "x"))
(check (write-file "files/tmp-file-errors.txt" 5))
(check (append-file "files/tmp-file-errors.txt" nil))
(check (file-exists? 5))
(check (delete-file nil))
(check (list-directory 1))
(check (read-file))
(check (write-file "x"))
(check (read-file "files/fixture"))
(check (read-lines "files/fixture"))
(check (write-file "files/fixture" "x"))
(check (delete-file "files/fixture"))
(check (list-directory "files/fixture/a.txt"))
(check (read-file "files/fixture-bytes/latin1.txt"))
(check (read-lines "files/fixture-bytes/latin1.txt"))
(check (import "fixture"))
