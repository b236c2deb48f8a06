//! The host's side of the VM: values built from Rust, and [`Root`]s, which
//! keep a value alive for as long as the host holds them.
//!
//! A `Value` held in Rust is valid only until the next call into Elle
//! (docs/ARCHITECTURE.md, "What keeps a value alive"). A `Root` lifts that
//! limit for one value: its slot in the VM's root set is scanned by every
//! collection until the `Root` is dropped, so the rule is kept by the type
//! rather than by the host's care.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use crate::object::{Map, Obj};
use crate::value::Value;
use crate::vm::Vm;

/// The values the host holds through [`Root`]s: a slot per live `Root`
/// (freed slots hold nil and are reused). Shared with the `Root`s, so
/// that dropping one frees its slot without access to the VM.
#[derive(Default)]
pub(crate) struct RootSet(Rc<RefCell<Slots>>);

#[derive(Default)]
struct Slots {
    values: Vec<Value>,
    free: Vec<usize>,
}

impl RootSet {
    /// The rooted values (and nil in the free slots), for the collector.
    pub(crate) fn values(&self) -> Ref<'_, Vec<Value>> {
        Ref::map(self.0.borrow(), |s| &s.values)
    }

    fn add(&self, v: Value) -> Root {
        let mut slots = self.0.borrow_mut();
        let slot = match slots.free.pop() {
            Some(i) => {
                slots.values[i] = v;
                i
            }
            None => {
                slots.values.push(v);
                slots.values.len() - 1
            }
        };
        Root {
            set: self.0.clone(),
            slot,
        }
    }
}

/// A value kept alive across collections for as long as the `Root` lives:
/// dropping it unroots the value. Made by [`Vm::root`]; read back with
/// [`Root::get`] on the same VM.
pub struct Root {
    set: Rc<RefCell<Slots>>,
    slot: usize,
}

impl Root {
    /// The rooted value, or `None` when `vm` is not the VM that made the
    /// root (a value of one VM means nothing in another).
    pub fn get(&self, vm: &Vm) -> Option<Value> {
        self.belongs_to(vm)
            .then(|| self.set.borrow().values[self.slot])
    }

    /// Whether the root was made by `vm`.
    pub fn belongs_to(&self, vm: &Vm) -> bool {
        Rc::ptr_eq(&self.set, &vm.host_roots.0)
    }
}

impl Clone for Root {
    /// Another root of the same value, with a slot of its own.
    fn clone(&self) -> Root {
        let v = self.set.borrow().values[self.slot];
        RootSet(self.set.clone()).add(v)
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        let mut slots = self.set.borrow_mut();
        slots.values[self.slot] = Value::Nil;
        slots.free.push(self.slot);
    }
}

impl std::fmt::Debug for Root {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Root({})", self.slot)
    }
}

impl Vm {
    /// Roots `v` until the returned [`Root`] is dropped.
    pub fn root(&self, v: Value) -> Root {
        self.host_roots.add(v)
    }

    /// A new string.
    pub fn make_string(&mut self, s: &str) -> Value {
        self.heap.alloc_str(s)
    }

    /// A new proper list of `items`.
    pub fn make_list(&mut self, items: &[Value]) -> Value {
        self.heap.list(items)
    }

    /// A new vector of `items`.
    pub fn make_vector(&mut self, items: Vec<Value>) -> Value {
        self.heap.alloc(Obj::Vector(items))
    }

    /// A new (mutable) table with these entries.
    pub fn make_table(&mut self, entries: Map) -> Value {
        self.heap.alloc(Obj::Table(Box::new(entries)))
    }

    /// The name `(type v)` gives, without the colon: `"integer"`, `"list"`...
    pub fn type_name(&self, v: Value) -> &'static str {
        crate::primitives::type_name(self, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_keeps_its_value_across_collections_until_dropped() {
        let mut vm = Vm::new();
        vm.set_gc_stress(true);
        let list = vm.make_list(&[Value::Int(1), Value::Int(2)]);
        let root = vm.root(list);
        let copy = root.clone();
        drop(root);
        vm.collect_garbage();
        let kept = copy.get(&vm).expect("made by this VM");
        assert_eq!(crate::printer::write_string(&vm, kept), "(1 2)");
        let live = vm.heap.live_objects();
        drop(copy);
        assert!(vm.host_roots.values().iter().all(|v| v.is_nil()));
        vm.collect_garbage();
        assert_eq!(vm.heap.live_objects(), live - 2, "the list's two pairs");
    }

    #[test]
    fn a_root_means_nothing_to_another_vm() {
        let vm = Vm::bare();
        let other = Vm::bare();
        let root = vm.root(Value::Int(3));
        assert!(root.get(&other).is_none());
        assert!(matches!(root.get(&vm), Some(Value::Int(3))));
    }
}
