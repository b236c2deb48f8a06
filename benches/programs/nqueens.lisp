;; nqueens: count the solutions of the n-queens problem.
;; The queens placed so far are an immutable list of columns, most recent
;; first; dist is how many rows above the current row that queen sits.

(define (safe? col placed dist)
  (if (null? placed)
      #t
      (let ((q (first placed)))
        (if (or (= q col)
                (= q (+ col dist))
                (= q (- col dist)))
            #f
            (safe? col (rest placed) (+ dist 1))))))

(define (place n row placed)
  (if (= row n)
      1
      (let ((count 0)
            (col 0))
        (while (< col n)
          (when (safe? col placed 1)
            (set! count (+ count (place n (+ row 1) (cons col placed)))))
          (set! col (+ col 1)))
        count)))

(define (main)
  (println (place 9 0 nil)))

(main)
