;; mandelbrot: count the points of a grid that never escape.

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
  (let ((count 0)
        (row 0))
    (while (< row size)
      (let ((ci (+ -1.5 (/ (* 3.0 row) size)))
            (col 0))
        (while (< col size)
          (let ((cr (+ -2.0 (/ (* 3.0 col) size))))
            (when (inside? cr ci max-iter)
              (set! count (+ count 1))))
          (set! col (+ col 1))))
      (set! row (+ row 1)))
    count))

(define (main)
  (println (mandelbrot 600 200)))

(main)
