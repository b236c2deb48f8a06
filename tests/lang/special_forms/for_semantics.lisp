; How `for` walks a sequence that changes, and what it does at the edges.
(define (show x) (write x) (newline))

; A vector is walked by position: an element changed ahead of the loop is
; seen, elements pushed during the loop are not (the length is checked at
; each step, so a vector that shrinks ends the loop early).
(define v [1 2 3])
(define seen nil)
(for x in v
  (when (= x 1) (vector-set! v 2 30))
  (vector-push! v 99)
  (set! seen (cons x seen)))
(show (reverse seen))
(define w [1 2 3 4])
(set! seen nil)
(for x in w (vector-pop! w) (set! seen (cons x seen)))
(show (reverse seen))

; A table's keys are taken when the loop starts.
(define t @{:a 1 :b 2})
(set! seen nil)
(for k in t (put t :c 3) (del t :b) (set! seen (cons k seen)))
(show (reverse seen))

; A list must be proper: walking into a tail that is not nil (even a
; vector) is a type error, raised when the walk gets there.
(set! seen nil)
(show (try (for x in (cons 1 (cons 2 [3 4])) (set! seen (cons x seen)))
        (catch e (list (condition-type e) (condition-message e)))))
(show (reverse seen))

; Strings are walked by character.
(set! seen nil)
(for c in "a\u{e9}\u{1F600}" (set! seen (cons c seen)))
(show (reverse seen))

; Each iteration binds the variable afresh, for closures too, also when
; they assign it.
(define fs nil)
(for x in '(1 2 3) (set! fs (cons (fn () (set! x (* x 10)) x) fs)))
(show (map (fn (f) (f)) fs))

; break leaves the loop with a value.
(show (for x in [5 6 7 8] (when (> x 6) (break (* x 100)))))

; A non-sequence is a type error.
(show (try (for x in 42 x) (catch e (list (condition-type e) (condition-message e)))))
