//! Inlined built-ins, and what happens when a program redefines one.
//!
//! The compiler turns calls of some built-ins (`+`, `<`, `car`,
//! `vector-ref`, ...; see `bytecode::inlined_names`) into instructions
//! that do the work in place. Globals are late-bound, so a program may
//! redefine `+` at any time, and every later `(+ a b)` must call the new
//! definition, also in code compiled before. Rather than having every
//! inlined instruction check for that, the VM keeps a registry of all
//! compiled prototypes and, when an inlined built-in is redefined, rewrites
//! each instruction that inlines it into its generic form (a call of the
//! global). Code compiled afterwards calls the global directly. Redefinition
//! is rare and costs one pass over the code; the inlined instructions cost
//! nothing for it.

use std::rc::{Rc, Weak};

use crate::bytecode::{Op, Proto, inlined_names};
use crate::symbol::Sym;
use crate::value::Value;
use crate::vm::Vm;

#[derive(Default)]
pub struct Inlining {
    /// Bit `i` set: the built-in numbered `i` is no longer what its global
    /// holds.
    redefined: u64,
    /// The global slot and the built-in value of each inlined built-in, by
    /// bit (`-` has two bits: subtraction and negation).
    originals: Vec<(u32, Value)>,
    /// The highest of those slots: stores above it need no check.
    max_slot: u32,
    /// Every compiled prototype still alive.
    protos: Vec<Weak<Proto>>,
}

impl Inlining {
    /// Whether calls of the built-in numbered `bit` may be inlined now.
    pub fn may_inline(&self, bit: u8) -> bool {
        self.redefined & (1 << bit) == 0
    }
}

impl Vm {
    /// Records the built-in values of the inlined globals. Called once the
    /// built-ins are installed.
    pub(crate) fn install_inlining(&mut self) {
        let originals: Vec<(u32, Value)> = inlined_names()
            .map(|name| {
                let slot = self.global_slot(Sym::intern(name));
                (slot, self.globals[slot as usize])
            })
            .collect();
        self.inlining.max_slot = originals.iter().map(|&(s, _)| s).max().unwrap_or(0);
        self.inlining.originals = originals;
        self.inlining.redefined = 0;
    }

    /// Notes a store into a global slot: if it redefines an inlined
    /// built-in, the code that inlines it is rewritten; storing the
    /// built-in back lets new code inline it again.
    #[inline]
    pub(crate) fn note_global_store(&mut self, slot: u32, v: Value) {
        if slot > self.inlining.max_slot || self.inlining.originals.is_empty() {
            return;
        }
        for bit in 0..self.inlining.originals.len() {
            let (s, original) = self.inlining.originals[bit];
            if s != slot {
                continue;
            }
            if v.identical(original) {
                self.inlining.redefined &= !(1 << bit);
            } else if self.inlining.may_inline(bit as u8) {
                self.inlining.redefined |= 1 << bit;
                self.deoptimize(bit as u8);
            }
        }
    }

    /// Rewrites every instruction that inlines the built-in `bit` into its
    /// generic form. An inlined fold's first instruction becomes a jump to
    /// the fold's call, so the global gets all the operands at once.
    fn deoptimize(&mut self, bit: u8) {
        self.inlining.protos.retain(|p| p.strong_count() > 0);
        for proto in self.inlining.protos.iter().filter_map(Weak::upgrade) {
            for &(head, call) in &proto.folds {
                if let Some(cell) = proto.code.get(head as usize)
                    && cell.get().inlined_bit() == Some(bit)
                {
                    cell.set(Op::Jump { target: call });
                }
            }
            for cell in &proto.code {
                let op = cell.get();
                if op.inlined_bit() == Some(bit) {
                    cell.set(op.generic());
                }
            }
        }
        // Compiled code inlines the built-ins too.
        self.forget_compiled_code();
    }

    /// Registers newly compiled code (and the functions inside it), so that
    /// a later redefinition reaches it.
    pub(crate) fn register_code(&mut self, proto: &Rc<Proto>) {
        let mut work = vec![proto];
        while let Some(p) = work.pop() {
            self.arm_tier(p);
            self.inlining.protos.push(Rc::downgrade(p));
            work.extend(p.children.iter());
        }
    }

    /// Every compiled prototype still alive.
    pub(crate) fn live_protos(&self) -> Vec<Rc<Proto>> {
        self.inlining
            .protos
            .iter()
            .filter_map(Weak::upgrade)
            .collect()
    }

    /// Forgets prototypes that no longer exist (after a collection).
    pub(crate) fn prune_code_registry(&mut self) {
        self.inlining.protos.retain(|p| p.strong_count() > 0);
    }

    /// What the global of the built-in numbered `bit` holds now.
    pub(crate) fn inlined_global(&self, bit: u8) -> Value {
        let (slot, _) = self.inlining.originals[bit as usize];
        self.globals[slot as usize]
    }

    /// The built-in numbered `bit` itself.
    pub(crate) fn inlined_builtin(&self, bit: u8) -> Value {
        self.inlining.originals[bit as usize].1
    }
}
