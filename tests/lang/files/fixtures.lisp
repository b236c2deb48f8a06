; Files: reading committed fixture files; list-directory returns the entry
; names (order not pinned here, so they are checked by membership).
(define (show x) (write x) (newline))
(show (read-file "files/fixture/a.txt"))
(show (read-lines "files/fixture/b.txt"))
(define entries (list-directory "files/fixture"))
(show (length entries))
(show (list (length (filter (fn (n) (= n "a.txt")) entries))
            (length (filter (fn (n) (= n "b.txt")) entries))))
(show (file-exists? "files/fixture"))
(show (file-exists? "files/fixture/none.txt"))
