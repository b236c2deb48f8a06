//! The heap: an object table with a precise mark-and-sweep collector.
//!
//! Values refer to objects by index, so the collector can never leave a
//! dangling pointer behind: a slot is reused only after it was found
//! unreachable from the roots the VM supplies. Allocation never collects;
//! the VM collects at safe points (calls and loop back-edges) when
//! [`Heap::should_collect`] says enough was allocated since the last
//! collection, so Rust code holding values in locals is always safe.

use std::rc::Rc;

use rustc_hash::FxHashSet;

use crate::bytecode::Proto;
use crate::object::{Obj, Str};
use crate::value::{ObjRef, Value};

const MIN_GC_THRESHOLD: usize = 1 << 20;

pub struct Heap {
    objs: Vec<Obj>,
    marks: Vec<bool>,
    free_head: Option<u32>,
    /// Approximate bytes held by live (or not yet collected) objects.
    bytes: usize,
    /// Collect when `bytes` passes this.
    threshold: usize,
    /// Nonzero while the compiler holds unrooted values (see compiler.rs).
    pub inhibit: u32,
    pub collections: u64,
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

const SLOT_BYTES: usize = std::mem::size_of::<Obj>() + 1;

impl Heap {
    pub fn new() -> Heap {
        Heap {
            objs: Vec::new(),
            marks: Vec::new(),
            free_head: None,
            bytes: 0,
            threshold: MIN_GC_THRESHOLD,
            inhibit: 0,
            collections: 0,
        }
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn live_objects(&self) -> usize {
        self.objs
            .iter()
            .filter(|o| !matches!(o, Obj::Free(_)))
            .count()
    }

    #[inline]
    pub fn alloc(&mut self, obj: Obj) -> Value {
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
    pub fn note_growth(&mut self, bytes: usize) {
        self.bytes += bytes;
    }

    #[inline]
    pub fn get(&self, r: ObjRef) -> &Obj {
        &self.objs[r.0 as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, r: ObjRef) -> &mut Obj {
        &mut self.objs[r.0 as usize]
    }

    pub fn alloc_str(&mut self, s: &str) -> Value {
        self.alloc(Obj::Str(Str::new(s.into())))
    }

    pub fn alloc_string(&mut self, s: String) -> Value {
        self.alloc(Obj::Str(Str::new(s.into_boxed_str())))
    }

    pub fn cons(&mut self, car: Value, cdr: Value) -> Value {
        self.alloc(Obj::Pair(car, cdr))
    }

    /// Builds a proper list from `items`.
    pub fn list(&mut self, items: &[Value]) -> Value {
        self.list_with_tail(items, Value::Nil)
    }

    pub fn list_with_tail(&mut self, items: &[Value], tail: Value) -> Value {
        items.iter().rev().fold(tail, |acc, &x| self.cons(x, acc))
    }

    /// Whether enough was allocated since the last collection to collect
    /// again (`Vm::collect_garbage` also honours `inhibit`).
    #[inline(always)]
    pub fn should_collect(&self) -> bool {
        self.bytes > self.threshold
    }

    /// Marks everything reachable from `roots` and the constants of `protos`,
    /// then frees the rest.
    pub fn collect<'a>(
        &mut self,
        roots: impl Iterator<Item = Value>,
        protos: impl Iterator<Item = &'a Rc<Proto>>,
    ) {
        self.mark(roots, protos);
        self.sweep();
        self.collections += 1;
    }

    /// Marks from the roots with an explicit work list (no recursion, so
    /// any depth of structure is fine). Prototypes reached through closures
    /// have their constants (and nested prototypes) marked once each.
    fn mark<'a>(
        &mut self,
        roots: impl Iterator<Item = Value>,
        protos: impl Iterator<Item = &'a Rc<Proto>>,
    ) {
        let Heap { objs, marks, .. } = self;
        let mut stack: Vec<ObjRef> = Vec::new();
        let mut mark = |v: Value, stack: &mut Vec<ObjRef>| {
            if let Value::Obj(r) = v {
                let m = &mut marks[r.0 as usize];
                if !*m {
                    *m = true;
                    stack.push(r);
                }
            }
        };
        let mut seen_protos: FxHashSet<*const Proto> = FxHashSet::default();
        let mut proto_work: Vec<&Proto> = protos.map(|p| &**p).collect();
        for v in roots {
            mark(v, &mut stack);
        }
        loop {
            while let Some(r) = stack.pop() {
                let obj = &objs[r.0 as usize];
                if let Obj::Closure(c) = obj {
                    proto_work.push(&c.proto);
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
    }

    fn sweep(&mut self) {
        let mut bytes = 0;
        for i in 0..self.objs.len() {
            if self.marks[i] {
                self.marks[i] = false;
                bytes += SLOT_BYTES + self.objs[i].extra_bytes();
            } else {
                self.objs[i] = Obj::Free(u32::MAX);
            }
        }
        // Shrink the table when its tail is free, so a burst of garbage
        // does not pin memory forever.
        while let Some(Obj::Free(_)) = self.objs.last() {
            self.objs.pop();
            self.marks.pop();
        }
        let len = self.objs.len() as u32;
        // Rebuild the free list over the remaining slots, lowest first.
        let mut free_head = u32::MAX;
        for i in (0..len).rev() {
            if let Obj::Free(next) = &mut self.objs[i as usize] {
                *next = free_head;
                free_head = i;
            }
        }
        self.free_head = (free_head != u32::MAX).then_some(free_head);
        self.bytes = bytes;
        self.threshold = (bytes * 2).max(MIN_GC_THRESHOLD);
    }
}
