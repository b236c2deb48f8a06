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
      (%map1 f (%for-items seq))
      (%map-n f (%map1 %for-items (%cons seq more)))))

(define (for-each f seq & more)
  (if (%null? more)
      (let loop ((xs (%for-items seq)))
        (when (%pair? xs)
          (f (%car xs))
          (loop (%cdr xs))))
      (let loop ((ls (%map1 %for-items (%cons seq more))))
        (when (%all-pairs? ls)
          (%apply f (%map1 %car ls))
          (loop (%map1 %cdr ls)))))
  nil)

(define (filter pred seq)
  (let loop ((xs (%for-items seq)) (acc nil))
    (if (%pair? xs)
        (loop (%cdr xs) (if (pred (%car xs)) (%cons (%car xs) acc) acc))
        (%reverse acc))))

(define (fold f init seq)
  (let loop ((xs (%for-items seq)) (acc init))
    (if (%pair? xs)
        (loop (%cdr xs) (f acc (%car xs)))
        acc)))

(define reduce fold)

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

(define (sort seq & less)
  (if (%null? less)
      (%sort-default seq)
      (let ((items (%for-items seq)))
        (let ((sorted (%merge-sort items (%length items) (%car less))))
          (if (%vector? seq) (%list->vector sorted) sorted)))))
