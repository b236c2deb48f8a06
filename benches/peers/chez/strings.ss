;; strings: join the decimals of 0..99999 with "," and split them back, Chez Scheme port of benches/programs/strings.lisp

;; Chez has neither string-join nor string-split; these are the usual ones.
(define (string-join strs sep)
  (if (null? strs)
      ""
      (call-with-string-output-port
       (lambda (out)
         (put-string out (car strs))
         (for-each (lambda (s) (put-string out sep) (put-string out s))
                   (cdr strs))))))

(define (string-split s ch)
  (let ((n (string-length s)))
    (let loop ((i (- n 1)) (end n) (pieces '()))
      (cond ((< i 0)
             (cons (substring s 0 end) pieces))
            ((char=? (string-ref s i) ch)
             (loop (- i 1) i (cons (substring s (+ i 1) end) pieces)))
            (else
             (loop (- i 1) end pieces))))))

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
