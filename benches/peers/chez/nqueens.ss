;; nqueens: count 9-queens solutions, placed queens in an immutable list, Chez Scheme port of benches/programs/nqueens.lisp
;; The queens placed so far are a list of columns, most recent first;
;; dist is how many rows above the current row that queen sits.

(define (safe? col placed dist)
  (or (null? placed)
      (let ((q (car placed)))
        (and (not (= q col))
             (not (= q (+ col dist)))
             (not (= q (- col dist)))
             (safe? col (cdr placed) (+ dist 1))))))

(define (place n row placed)
  (if (= row n)
      1
      (let loop ((col 0) (count 0))
        (if (< col n)
            (loop (+ col 1)
                  (if (safe? col placed 1)
                      (+ count (place n (+ row 1) (cons col placed)))
                      count))
            count))))

(define (main)
  (display (place 9 0 '()))
  (newline))

(main)
