;; strings: build, join and split many small strings.

(define (main)
  (let* ((parts (map number->string (range 100000)))
         (joined (string-join parts ","))
         (pieces (string-split joined ","))
         (total 0))
    (for p in pieces
      (set! total (+ total (string-length p))))
    (println total)))

(main)
