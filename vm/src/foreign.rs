//! Host objects the VM holds without knowing what they are: library
//! handles, foreign memory blocks, anything a plug-in crate (`elle-ffi`)
//! defines. The VM names none of them; it stores a
//! [`ForeignObject`] in the heap (`Obj::Foreign`), prints it, reports its
//! type, and drops it when the collector frees its slot, so that its
//! `Drop` releases what it owns (a library is closed, a block freed).

use std::any::Any;

use crate::object::Obj;
use crate::value::Value;
use crate::vm::Vm;

/// A value owned by the host and kept in the VM's heap.
///
/// `Any` lets the crate that defines it downcast it back
/// ([`Vm::foreign`]). It refers to no Elle values (the collector does not
/// look inside it), so anything it must keep alive is held by Rust means
/// (an `Rc`), not as a `Value`.
pub trait ForeignObject: Any {
    /// What `type` returns, without the colon (`"library"`).
    fn type_name(&self) -> &'static str;

    /// Appends the write form (`#<library "libm.so.6">`).
    fn write(&self, out: &mut String);

    /// Approximate bytes it owns, for the heap's accounting.
    fn extra_bytes(&self) -> usize {
        0
    }
}

impl std::fmt::Debug for dyn ForeignObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::new();
        self.write(&mut s);
        f.write_str(&s)
    }
}

impl Vm {
    /// Puts `obj` in the heap. Like any new value, it must be rooted to
    /// outlive a collection (it is unreachable until stored somewhere).
    pub fn alloc_foreign(&mut self, obj: Box<dyn ForeignObject>) -> Value {
        self.heap.alloc(Obj::Foreign(obj))
    }

    /// The foreign object `v` refers to, if it is one of type `T`.
    pub fn foreign<T: ForeignObject>(&self, v: Value) -> Option<&T> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Obj::Foreign(o) => {
                    let any: &dyn Any = &**o;
                    any.downcast_ref::<T>()
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// [`Vm::foreign`], mutably.
    pub fn foreign_mut<T: ForeignObject>(&mut self, v: Value) -> Option<&mut T> {
        match v {
            Value::Obj(r) => match self.heap.get_mut(r) {
                Obj::Foreign(o) => {
                    let any: &mut dyn Any = &mut **o;
                    any.downcast_mut::<T>()
                }
                _ => None,
            },
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    /// A foreign object that counts its drops.
    struct Probe {
        drops: Rc<Cell<u32>>,
    }

    impl ForeignObject for Probe {
        fn type_name(&self) -> &'static str {
            "probe"
        }
        fn write(&self, out: &mut String) {
            out.push_str("#<probe>");
        }
    }

    impl Drop for Probe {
        fn drop(&mut self) {
            self.drops.set(self.drops.get() + 1);
        }
    }

    #[test]
    fn a_foreign_object_prints_has_a_type_and_is_dropped_when_collected() {
        let mut vm = Vm::new();
        let drops = Rc::new(Cell::new(0));
        let v = vm.alloc_foreign(Box::new(Probe {
            drops: drops.clone(),
        }));
        vm.define_global("probe", v);
        let shown = vm.eval_source("(list (type probe) probe)", "t").unwrap();
        assert_eq!(
            crate::printer::write_string(&vm, shown),
            "(:probe #<probe>)"
        );
        assert!(vm.foreign::<Probe>(v).is_some());
        assert!(vm.foreign_mut::<Probe>(v).is_some());
        assert!(vm.foreign::<Probe>(Value::Int(1)).is_none());
        vm.collect_garbage();
        assert_eq!(drops.get(), 0, "still reachable from a global");
        vm.define_global("probe", Value::Nil);
        vm.collect_garbage();
        assert_eq!(drops.get(), 1, "freed with its slot");
    }

    #[test]
    fn a_pointer_prints_compares_by_address_and_has_its_type() {
        let mut vm = Vm::new();
        vm.define_global("p", Value::Pointer(0x7f00_1234));
        vm.define_global("q", Value::Pointer(0x7f00_1234));
        let v = vm
            .eval_source("(list (type p) p (= p q) (eq? p q) (= p 0))", "t")
            .unwrap();
        assert_eq!(
            crate::printer::write_string(&vm, v),
            "(:pointer #<pointer 0x7f001234> #t #t #f)"
        );
        let e = vm.eval_source("(put @{} p 1)", "t").unwrap_err();
        assert_eq!(e.ctype, "type-error");
    }
}
