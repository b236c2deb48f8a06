//! The heap: an object table with a precise mark-and-sweep collector.
//!
//! # Memory accounting
//!
//! `bytes` estimates what the objects hold: a slot of the table each
//! ([`SLOT_BYTES`], the mark included) and what each owns outside it
//! ([`Obj::extra_bytes`]: a string's text, a vector's or a table's
//! capacity, a closure's captures and lone code, a condition's trace).
//! Allocation adds an object's bytes, growth in place adds its growth
//! (`Heap::note_growth`), and a collection recounts the survivors. The
//! value stack is counted apart (`outside`), as it grows.
//!
//! The memory limit (`Vm::set_memory_limit`) caps `bytes + outside`. It
//! costs nothing on the allocation path: the collection threshold is kept
//! below the room the limit leaves, so the safe point that collects is the
//! one that finds the limit exceeded (`Vm::collect_at_safe_point`), after
//! collecting. A built-in about to make something large asks first
//! (`Vm::reserve`), so a single request never overshoots the limit.
//!
//! Values refer to objects by index, so the collector can never leave a
//! dangling pointer behind: a slot is reused only after it was found
//! unreachable from the roots the VM supplies. Allocation never collects;
//! the VM collects at safe points (calls and loop back-edges) when
//! `Heap::should_collect` says enough was allocated since the last
//! collection, so Rust code holding values in locals is safe until it next
//! runs Elle code (docs/ARCHITECTURE.md, "What keeps a value alive").
//!
//! # Stress mode
//!
//! With `ELLE_GC_STRESS=1` in the environment (read once per process), the
//! VM collects at every safe point reached after an allocation, and freed
//! slots are poisoned and kept out of reuse for a while (a quarantine of
//! [`QUARANTINE`] slots), so that a stale reference reads a poisoned slot
//! and panics with a clear message instead of silently reading whatever
//! object reused the slot. Outside stress mode a freed slot is reused at
//! once; reading one before it is reused panics just the same.

use std::collections::VecDeque;
use std::sync::OnceLock;

use rustc_hash::FxHashSet;

use crate::bytecode::Proto;
use crate::object::{Obj, Str};
use crate::value::{ObjRef, Value};

const MIN_GC_THRESHOLD: usize = 1 << 20;

/// Freed slots stress mode keeps out of reuse, oldest reused first.
pub const QUARANTINE: usize = 1 << 12;

/// Stress mode collects once `1/STRESS_DIVISOR` of the live data was
/// allocated since the last collection, which bounds its cost on programs
/// with a large live heap or a deep stack to a constant factor (a
/// collection after every allocation would be quadratic on them).
const STRESS_DIVISOR: usize = 256;

/// Whether `ELLE_GC_STRESS` asks for stress mode (read once per process).
pub fn stress_from_env() -> bool {
    static STRESS: OnceLock<bool> = OnceLock::new();
    *STRESS.get_or_init(|| {
        std::env::var_os("ELLE_GC_STRESS").is_some_and(|v| v != "0" && !v.is_empty())
    })
}

pub struct Heap {
    objs: Vec<Obj>,
    marks: Vec<bool>,
    free_head: Option<u32>,
    /// Approximate bytes held by live (or not yet collected) objects.
    bytes: usize,
    /// Collect when `bytes` passes this: never above the room the memory
    /// limit leaves the objects, so that the safe point that collects is
    /// also the one that checks the limit.
    threshold: usize,
    /// The memory limit in bytes (`usize::MAX`: none).
    limit: usize,
    /// Bytes allowed beyond `limit` while the `finally` cleanups of a
    /// script stopped by it run ([`CLEANUP_MEMORY`]); zero otherwise.
    allowance: usize,
    /// Bytes the VM holds outside the objects and counts against the limit
    /// (the value stack), which a collection does not recount.
    outside: usize,
    /// Nonzero while the compiler holds unrooted values
    /// (`Vm::without_collection`).
    inhibit: u32,
    collections: u64,
    /// Stress mode (see the module's documentation).
    stress: bool,
    /// Stress mode: freed slots not yet reusable, oldest first.
    quarantine: VecDeque<u32>,
}

/// Bytes the `finally` cleanups of a script stopped by the memory limit
/// may hold beyond it, all together, so that a cleanup can still print or
/// build a message while what the script held is still reachable (from its
/// frames' registers, say) — the memory counterpart of
/// `limits::CLEANUP_ALLOWANCE`.
pub const CLEANUP_MEMORY: usize = 1 << 20;

/// Bytes counted for an object's slot in the table and its mark.
pub const SLOT_BYTES: usize = std::mem::size_of::<Obj>() + 1;

impl Heap {
    pub(crate) fn new() -> Heap {
        Heap {
            objs: Vec::new(),
            marks: Vec::new(),
            free_head: None,
            bytes: 0,
            threshold: MIN_GC_THRESHOLD,
            limit: usize::MAX,
            allowance: 0,
            outside: 0,
            inhibit: 0,
            collections: 0,
            stress: false,
            quarantine: VecDeque::new(),
        }
    }

    /// Turns stress mode on or off (see the module's documentation).
    pub(crate) fn set_stress(&mut self, on: bool) {
        self.stress = on;
        if on {
            self.threshold = 0;
        }
    }

    pub fn stress(&self) -> bool {
        self.stress
    }

    /// Collections so far.
    pub fn collections(&self) -> u64 {
        self.collections
    }

    pub(crate) fn inhibit(&mut self) {
        self.inhibit += 1;
    }

    pub(crate) fn uninhibit(&mut self) {
        self.inhibit -= 1;
    }

    pub(crate) fn inhibited(&self) -> bool {
        self.inhibit > 0
    }

    /// Approximate bytes held by objects not yet collected (live ones and
    /// garbage).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// What counts against the memory limit: [`Heap::bytes`] and the bytes
    /// the VM holds outside the objects (its value stack).
    pub fn counted_bytes(&self) -> usize {
        self.bytes.saturating_add(self.outside)
    }

    /// Whether a memory limit is set: built-ins that must work out how
    /// much they are about to make do so only then.
    #[inline]
    pub fn limited(&self) -> bool {
        self.limit != usize::MAX
    }

    /// The memory limit in bytes, if one is set.
    pub fn memory_limit(&self) -> Option<usize> {
        (self.limit != usize::MAX).then_some(self.limit)
    }

    /// Sets the memory limit (`None`: none). It is checked at the next
    /// safe point.
    pub(crate) fn set_memory_limit(&mut self, limit: Option<usize>) {
        self.limit = limit.unwrap_or(usize::MAX);
        self.clamp_threshold();
    }

    /// Allows the cleanups of a script stopped by the memory limit
    /// [`CLEANUP_MEMORY`] bytes beyond it (`on`), or takes that back.
    pub(crate) fn allow_cleanups(&mut self, on: bool) {
        self.allowance = if on { CLEANUP_MEMORY } else { 0 };
        self.clamp_threshold();
    }

    /// The limit in force: the memory limit and the cleanups' allowance.
    fn effective_limit(&self) -> usize {
        self.limit.saturating_add(self.allowance)
    }

    /// Records bytes the VM now holds outside the objects (or no longer
    /// holds, when negative).
    pub(crate) fn note_outside(&mut self, grown: isize) {
        self.outside = self.outside.saturating_add_signed(grown);
        self.clamp_threshold();
    }

    /// Whether `bytes` more fit under the memory limit now (without
    /// collecting).
    #[inline]
    pub fn fits(&self, bytes: usize) -> bool {
        bytes <= self.effective_limit().saturating_sub(self.counted_bytes())
    }

    /// Whether what is counted exceeds the memory limit.
    #[inline]
    pub fn over_limit(&self) -> bool {
        self.counted_bytes() > self.effective_limit()
    }

    /// Keeps the collection threshold within the room the limit leaves
    /// the objects.
    fn clamp_threshold(&mut self) {
        let room = self.effective_limit().saturating_sub(self.outside);
        self.threshold = self.threshold.min(room);
    }

    pub fn live_objects(&self) -> usize {
        self.objs
            .iter()
            .filter(|o| !matches!(o, Obj::Free(_)))
            .count()
    }

    #[inline]
    pub(crate) fn alloc(&mut self, obj: Obj) -> Value {
        self.bytes += SLOT_BYTES + obj.extra_bytes();
        let idx = match self.free_head {
            Some(i) => {
                let slot = &mut self.objs[i as usize];
                self.free_head = match slot {
                    Obj::Free(next) if *next != u32::MAX => Some(*next),
                    _ => None,
                };
                *slot = obj;
                i
            }
            None => {
                self.objs.push(obj);
                self.marks.push(false);
                (self.objs.len() - 1) as u32
            }
        };
        Value::Obj(ObjRef(idx))
    }

    /// Records that an object grew (a vector push, a table insert).
    #[inline]
    pub(crate) fn note_growth(&mut self, bytes: usize) {
        self.bytes += bytes;
    }

    /// The object `r` refers to.
    ///
    /// # Panics
    /// When `r` is a stale reference, to a slot the collector freed: a
    /// violation of the rooting rules, reported loudly rather than read as
    /// a wrong object (which stress mode makes likely to be caught here).
    #[inline]
    pub fn get(&self, r: ObjRef) -> &Obj {
        match self.objs.get(r.0 as usize) {
            Some(Obj::Free(_)) | None => stale(r),
            Some(o) => o,
        }
    }

    /// The object `r` refers to, to change it. Panics as [`Heap::get`].
    #[inline]
    pub(crate) fn get_mut(&mut self, r: ObjRef) -> &mut Obj {
        match self.objs.get_mut(r.0 as usize) {
            Some(Obj::Free(_)) | None => stale(r),
            Some(o) => o,
        }
    }

    pub(crate) fn alloc_str(&mut self, s: &str) -> Value {
        self.alloc(Obj::Str(Str::new(s.into())))
    }

    pub(crate) fn alloc_string(&mut self, s: String) -> Value {
        self.alloc(Obj::Str(Str::new(s.into_boxed_str())))
    }

    pub(crate) fn cons(&mut self, car: Value, cdr: Value) -> Value {
        self.alloc(Obj::Pair(car, cdr))
    }

    /// Builds a proper list from `items`.
    pub(crate) fn list(&mut self, items: &[Value]) -> Value {
        self.list_with_tail(items, Value::Nil)
    }

    pub(crate) fn list_with_tail(&mut self, items: &[Value], tail: Value) -> Value {
        items.iter().rev().fold(tail, |acc, &x| self.cons(x, acc))
    }

    /// Whether enough was allocated since the last collection to collect
    /// again (`Vm::collect_garbage` also honours `inhibit`).
    #[inline(always)]
    pub(crate) fn should_collect(&self) -> bool {
        self.bytes > self.threshold
    }

    /// Marks everything reachable from `roots` (and the constants of the
    /// prototypes of the closures reached), then frees the rest.
    pub(crate) fn collect(&mut self, roots: impl Iterator<Item = Value>) {
        let nroots = self.mark(roots);
        self.sweep(nroots);
        self.collections += 1;
    }

    /// Marks from the roots with an explicit work list (no recursion, so
    /// any depth of structure is fine). Prototypes reached through closures
    /// have their constants (and nested prototypes) marked once each.
    /// Returns how many roots there were.
    fn mark(&mut self, roots: impl Iterator<Item = Value>) -> usize {
        let Heap { objs, marks, .. } = self;
        let mut stack: Vec<ObjRef> = Vec::new();
        let mut mark = |v: Value, stack: &mut Vec<ObjRef>| {
            // A register is not cleared when a frame takes it over (see
            // `Vm::push_frame`), so a root may be a stale reference: to a
            // free slot (marking it is harmless) or past the end of a table
            // that shrank since; the latter refers to nothing.
            if let Value::Obj(r) = v
                && let Some(m) = marks.get_mut(r.0 as usize)
                && !*m
            {
                *m = true;
                stack.push(r);
            }
        };
        let mut seen_protos: FxHashSet<*const Proto> = FxHashSet::default();
        let mut proto_work: Vec<&Proto> = Vec::new();
        let mut nroots = 0;
        for v in roots {
            nroots += 1;
            mark(v, &mut stack);
        }
        loop {
            while let Some(r) = stack.pop() {
                let obj = &objs[r.0 as usize];
                if let Obj::Closure(c) = obj {
                    proto_work.push(c.proto());
                }
                obj.for_each_child(|v| mark(v, &mut stack));
            }
            let Some(p) = proto_work.pop() else { break };
            if !seen_protos.insert(p as *const Proto) {
                continue;
            }
            for &c in p.consts.iter() {
                mark(c, &mut stack);
            }
            proto_work.extend(p.children.iter().map(|c| &**c));
        }
        nroots
    }

    fn sweep(&mut self, nroots: usize) {
        let mut bytes = 0;
        let mut freed = Vec::new();
        for i in 0..self.objs.len() {
            if self.marks[i] {
                self.marks[i] = false;
                bytes += SLOT_BYTES + self.objs[i].extra_bytes();
            } else if !matches!(self.objs[i], Obj::Free(_)) {
                self.objs[i] = Obj::Free(u32::MAX);
                freed.push(i as u32);
            }
        }
        self.bytes = bytes;
        if self.stress {
            self.quarantine_freed(freed);
            // Collect again at the first safe point after a small fraction
            // of the live data (heap and roots) was allocated: while the
            // heap is small, after nearly every allocation.
            self.threshold = bytes + (bytes + nroots * SLOT_BYTES) / STRESS_DIVISOR;
        } else {
            self.rebuild_free_list();
            self.threshold = (bytes * 2).max(MIN_GC_THRESHOLD);
        }
        self.clamp_threshold();
    }

    /// Links every free slot into the free list, lowest first, after
    /// dropping the free tail of the table, so that a burst of garbage
    /// does not pin memory forever.
    fn rebuild_free_list(&mut self) {
        while let Some(Obj::Free(_)) = self.objs.last() {
            self.objs.pop();
            self.marks.pop();
        }
        let mut free_head = u32::MAX;
        for i in (0..self.objs.len() as u32).rev() {
            if let Obj::Free(next) = &mut self.objs[i as usize] {
                *next = free_head;
                free_head = i;
            }
        }
        self.free_head = (free_head != u32::MAX).then_some(free_head);
    }

    /// Stress mode: puts the freed slots in quarantine and makes reusable
    /// only those that have waited behind [`QUARANTINE`] younger ones.
    fn quarantine_freed(&mut self, freed: Vec<u32>) {
        self.quarantine.extend(freed);
        while self.quarantine.len() > QUARANTINE {
            let Some(i) = self.quarantine.pop_front() else {
                break;
            };
            self.objs[i as usize] = Obj::Free(self.free_head.unwrap_or(u32::MAX));
            self.free_head = Some(i);
        }
    }
}

/// A stale reference was used: see [`Heap::get`].
#[cold]
#[inline(never)]
fn stale(r: ObjRef) -> ! {
    panic!(
        "stale heap reference: object {} was freed by the collector while still in use (a value held outside the roots; see \"What keeps a value alive\" in docs/ARCHITECTURE.md)",
        r.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stress_heap() -> Heap {
        let mut heap = Heap::new();
        heap.set_stress(true);
        heap
    }

    fn obj_ref(v: Value) -> ObjRef {
        match v {
            Value::Obj(r) => r,
            _ => panic!("not a heap object"),
        }
    }

    #[test]
    #[should_panic(expected = "stale heap reference")]
    fn a_stale_reference_fails_loudly_in_stress_mode() {
        let mut heap = stress_heap();
        let kept = heap.cons(Value::Int(1), Value::Nil);
        let dropped = obj_ref(heap.cons(Value::Int(2), Value::Nil));
        heap.collect([kept].into_iter());
        // Later allocations do not reuse the slot while it is quarantined.
        for i in 0..100 {
            heap.cons(Value::Int(i), Value::Nil);
        }
        let _ = heap.get(dropped);
    }

    #[test]
    fn stress_mode_keeps_freed_slots_out_of_reuse() {
        let mut heap = stress_heap();
        let dropped = obj_ref(heap.cons(Value::Int(2), Value::Nil));
        heap.collect(std::iter::empty());
        let fresh: Vec<ObjRef> = (0..QUARANTINE as i64)
            .map(|i| obj_ref(heap.cons(Value::Int(i), Value::Nil)))
            .collect();
        assert!(!fresh.contains(&dropped));
        // Once enough other slots were freed behind it, it is reused.
        heap.collect(std::iter::empty());
        let reused = obj_ref(heap.cons(Value::Nil, Value::Nil));
        assert_eq!(reused, dropped);
    }

    #[test]
    #[should_panic(expected = "stale heap reference")]
    fn a_freed_slot_not_yet_reused_fails_loudly_outside_stress_mode() {
        let mut heap = Heap::new();
        let kept = heap.cons(Value::Int(1), Value::Nil);
        let dropped = obj_ref(heap.cons(Value::Int(2), Value::Nil));
        let _after = heap.cons(Value::Int(3), Value::Nil);
        heap.collect([kept, _after].into_iter());
        let _ = heap.get(dropped);
    }

    #[test]
    fn a_stale_root_past_the_end_of_a_shrunk_table_is_ignored() {
        let mut heap = Heap::new();
        let kept = heap.cons(Value::Int(1), Value::Nil);
        let dropped = heap.cons(Value::Int(2), Value::Nil);
        // The free tail is dropped: `dropped` now points past the end.
        heap.collect([kept].into_iter());
        assert_eq!(heap.live_objects(), 1);
        // An uncleared register still holding it is no reason to panic.
        heap.collect([kept, dropped].into_iter());
        assert_eq!(heap.live_objects(), 1);
    }

    #[test]
    fn live_objects_survive_and_their_children_too() {
        let mut heap = stress_heap();
        let inner = heap.cons(Value::Int(1), Value::Nil);
        let outer = heap.cons(inner, Value::Nil);
        heap.collect([outer].into_iter());
        assert!(matches!(
            heap.get(obj_ref(inner)),
            Obj::Pair(Value::Int(1), _)
        ));
        assert_eq!(heap.live_objects(), 2);
    }
}
