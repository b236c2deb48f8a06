;; nbody: 5-body simulation, 200000 steps of dt 0.01, Chez Scheme port of benches/programs/nbody.lisp
;; A body is a mutable vector of floats: #(x y z vx vy vz mass).

(define pi (* 4.0 (atan 1.0)))
(define solar-mass (* 4.0 pi pi))
(define days-per-year 365.24)

(define (make-body x y z vx vy vz mass)
  (vector x y z
          (* vx days-per-year) (* vy days-per-year) (* vz days-per-year)
          (* mass solar-mass)))

(define (make-system)
  (vector
   ;; Sun
   (make-body 0.0 0.0 0.0 0.0 0.0 0.0 1.0)
   ;; Jupiter
   (make-body 4.84143144246472090 -1.16032004402742839 -1.03622044471123109e-1
              1.66007664274403694e-3 7.69901118419740425e-3 -6.90460016972063023e-5
              9.54791938424326609e-4)
   ;; Saturn
   (make-body 8.34336671824457987 4.12479856412430479 -4.03523417114321381e-1
              -2.76742510726862411e-3 4.99852801234917238e-3 2.30417297573763929e-5
              2.85885980666130812e-4)
   ;; Uranus
   (make-body 12.8943695621391310 -15.1111514016986312 -2.23307578892655734e-1
              2.96460137564761618e-3 2.37847173959480950e-3 -2.96589568540237556e-5
              4.36624404335156298e-5)
   ;; Neptune
   (make-body 15.3796971148509165 -25.9193146099879641 1.79258772950371181e-1
              2.68067772490389322e-3 1.62824170038242295e-3 -9.51592254519715870e-5
              5.15138902046611451e-5)))

(define (offset-momentum! bodies)
  (let loop ((i 0) (px 0.0) (py 0.0) (pz 0.0))
    (if (< i (vector-length bodies))
        (let ((b (vector-ref bodies i)))
          (loop (+ i 1)
                (+ px (* (vector-ref b 3) (vector-ref b 6)))
                (+ py (* (vector-ref b 4) (vector-ref b 6)))
                (+ pz (* (vector-ref b 5) (vector-ref b 6)))))
        (let ((sun (vector-ref bodies 0)))
          (vector-set! sun 3 (/ (- px) solar-mass))
          (vector-set! sun 4 (/ (- py) solar-mass))
          (vector-set! sun 5 (/ (- pz) solar-mass))))))

(define (energy bodies)
  (let ((n (vector-length bodies)))
    (let loop-i ((i 0) (e 0.0))
      (if (< i n)
          (let* ((bi (vector-ref bodies i))
                 (vx (vector-ref bi 3))
                 (vy (vector-ref bi 4))
                 (vz (vector-ref bi 5))
                 (e (+ e (* 0.5 (vector-ref bi 6)
                            (+ (* vx vx) (* vy vy) (* vz vz))))))
            (let loop-j ((j (+ i 1)) (e e))
              (if (< j n)
                  (let* ((bj (vector-ref bodies j))
                         (dx (- (vector-ref bi 0) (vector-ref bj 0)))
                         (dy (- (vector-ref bi 1) (vector-ref bj 1)))
                         (dz (- (vector-ref bi 2) (vector-ref bj 2))))
                    (loop-j (+ j 1)
                            (- e (/ (* (vector-ref bi 6) (vector-ref bj 6))
                                    (sqrt (+ (* dx dx) (* dy dy) (* dz dz)))))))
                  (loop-i (+ i 1) e))))
          e))))

(define (advance! bodies dt)
  (let ((n (vector-length bodies)))
    (do ((i 0 (+ i 1)))
        ((= i n))
      (let ((bi (vector-ref bodies i)))
        (do ((j (+ i 1) (+ j 1)))
            ((= j n))
          (let* ((bj (vector-ref bodies j))
                 (dx (- (vector-ref bi 0) (vector-ref bj 0)))
                 (dy (- (vector-ref bi 1) (vector-ref bj 1)))
                 (dz (- (vector-ref bi 2) (vector-ref bj 2)))
                 (d2 (+ (* dx dx) (* dy dy) (* dz dz)))
                 (mag (/ dt (* d2 (sqrt d2))))
                 (mi (* (vector-ref bi 6) mag))
                 (mj (* (vector-ref bj 6) mag)))
            (vector-set! bi 3 (- (vector-ref bi 3) (* dx mj)))
            (vector-set! bi 4 (- (vector-ref bi 4) (* dy mj)))
            (vector-set! bi 5 (- (vector-ref bi 5) (* dz mj)))
            (vector-set! bj 3 (+ (vector-ref bj 3) (* dx mi)))
            (vector-set! bj 4 (+ (vector-ref bj 4) (* dy mi)))
            (vector-set! bj 5 (+ (vector-ref bj 5) (* dz mi)))))))
    (do ((i 0 (+ i 1)))
        ((= i n))
      (let ((b (vector-ref bodies i)))
        (vector-set! b 0 (+ (vector-ref b 0) (* dt (vector-ref b 3))))
        (vector-set! b 1 (+ (vector-ref b 1) (* dt (vector-ref b 4))))
        (vector-set! b 2 (+ (vector-ref b 2) (* dt (vector-ref b 5))))))))

(define (main)
  (let ((bodies (make-system)))
    (offset-momentum! bodies)
    (format #t "~,9F~%" (energy bodies))
    (do ((step 0 (+ step 1)))
        ((= step 200000))
      (advance! bodies 0.01))
    (format #t "~,9F~%" (energy bodies))))

(main)
