;; The prelude: built-ins written in Elle (see prelude.rs).
;; It calls built-ins only through their %-names, so that a program that
;; defines its own `reverse` or `length` does not break `map`.

(define (%map1 f xs)
  (let loop ((xs xs) (acc nil))
    (if (%pair? xs)
        (loop (%cdr xs) (%cons (f (%car xs)) acc))
        (%reverse acc))))

(define (%map-n f lists)
  (let loop ((ls lists) (acc nil))
    (if (%all-pairs? ls)
        (loop (%map1 %cdr ls) (%cons (%apply f (%map1 %car ls)) acc))
        (%reverse acc))))

(define (map f seq & more)
  (if (%null? more)
      (%map1 f (%for-items seq 'map))
      (%map-n f (%map1 (fn (s) (%for-items s 'map)) (%cons seq more)))))

(define (for-each f seq & more)
  (if (%null? more)
      (let loop ((xs (%for-items seq 'for-each)))
        (when (%pair? xs)
          (f (%car xs))
          (loop (%cdr xs))))
      (let loop ((ls (%map1 (fn (s) (%for-items s 'for-each)) (%cons seq more))))
        (when (%all-pairs? ls)
          (%apply f (%map1 %car ls))
          (loop (%map1 %cdr ls)))))
  nil)

(define (filter pred seq)
  (let loop ((xs (%for-items seq 'filter)) (acc nil))
    (if (%pair? xs)
        (loop (%cdr xs) (if (pred (%car xs)) (%cons (%car xs) acc) acc))
        (%reverse acc))))

(define (fold f init seq)
  (let loop ((xs (%for-items seq 'fold)) (acc init))
    (if (%pair? xs)
        (loop (%cdr xs) (f acc (%car xs)))
        acc)))

(define (reduce f init seq)
  (let loop ((xs (%for-items seq 'reduce)) (acc init))
    (if (%pair? xs)
        (loop (%cdr xs) (f acc (%car xs)))
        acc)))

;; Stable merge sort of a list with a less-than function.
(define (%merge a b less)
  (let loop ((a a) (b b) (acc nil))
    (cond ((%null? a) (%append-reverse acc b))
          ((%null? b) (%append-reverse acc a))
          ((less (%car b) (%car a)) (loop a (%cdr b) (%cons (%car b) acc)))
          (else (loop (%cdr a) b (%cons (%car a) acc))))))

(define (%merge-sort xs n less)
  (if (%lt n 2)
      xs
      (let ((h (%quotient n 2)))
        (%merge (%merge-sort (%take h xs) h less)
                (%merge-sort (%drop h xs) (%minus n h) less)
                less))))

;; `sort` with a less-than function (the native `sort` hands the call here
;; once it has checked its arguments).
(define (%sort-by seq less)
  (let ((items (%for-items seq 'sort)))
    (let ((sorted (%merge-sort items (%length items) less)))
      (if (%vector? seq) (%list->vector sorted) sorted))))

;; Searching with a predicate, on a list or a vector.
(define (find pred seq)
  (let loop ((xs (%seq-items seq 'find)))
    (cond ((%null? xs) nil)
          ((pred (%car xs)) (%car xs))
          (else (loop (%cdr xs))))))

(define (any? pred seq)
  (let loop ((xs (%seq-items seq 'any?)))
    (cond ((%null? xs) #f)
          ((pred (%car xs)) #t)
          (else (loop (%cdr xs))))))

(define (every? pred seq)
  (let loop ((xs (%seq-items seq 'every?)))
    (cond ((%null? xs) #t)
          ((pred (%car xs)) (loop (%cdr xs)))
          (else #f))))

(define (count pred seq)
  (let loop ((xs (%seq-items seq 'count)) (n 0))
    (if (%pair? xs)
        (loop (%cdr xs) (if (pred (%car xs)) (%inc n) n))
        n)))

;; The elements that fail pred, as a list for a list, a vector for a vector.
(define (remove pred seq)
  (let loop ((xs (%seq-items seq 'remove)) (acc nil))
    (if (%pair? xs)
        (loop (%cdr xs) (if (pred (%car xs)) acc (%cons (%car xs) acc)))
        (if (%vector? seq) (%list->vector (%reverse acc)) (%reverse acc)))))

;; `(warn msg)`: signals a warning; unhandled, it is printed on stderr. A
;; handler that invokes `muffle-warning` suppresses it, and warn returns nil.
(define (warn msg)
  (restart-case (%warn msg)
    (muffle-warning () nil)))
