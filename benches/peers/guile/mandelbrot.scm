;; mandelbrot: count non-escaping points of a 600x600 grid, 200 iterations, Guile port of benches/programs/mandelbrot.lisp

(define (inside? cr ci max-iter)
  (let loop ((zr 0.0) (zi 0.0) (i 0))
    (if (>= i max-iter)
        #t
        (let ((nzr (+ (- (* zr zr) (* zi zi)) cr))
              (nzi (+ (* 2.0 zr zi) ci)))
          (if (> (+ (* nzr nzr) (* nzi nzi)) 4.0)
              #f
              (loop nzr nzi (+ i 1)))))))

(define (mandelbrot size max-iter)
  (let row-loop ((row 0) (count 0))
    (if (< row size)
        (let ((ci (+ -1.5 (/ (* 3.0 row) size))))
          (let col-loop ((col 0) (count count))
            (if (< col size)
                (let ((cr (+ -2.0 (/ (* 3.0 col) size))))
                  (col-loop (+ col 1)
                            (if (inside? cr ci max-iter) (+ count 1) count)))
                (row-loop (+ row 1) count))))
        count)))

(define (main)
  (display (mandelbrot 600 200))
  (newline))

(main)
