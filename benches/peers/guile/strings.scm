;; strings: join the decimals of 0..99999 with "," and split them back, Guile port of benches/programs/strings.lisp

(define (main)
  (let* ((parts (map number->string (iota 100000)))
         (joined (string-join parts ","))
         (pieces (string-split joined #\,)))
    (display (let loop ((ps pieces) (total 0))
               (if (null? ps)
                   total
                   (loop (cdr ps) (+ total (string-length (car ps)))))))
    (newline)))

(main)
