//! One compilation: the function asked for and every eligible function it
//! calls (transitively), each specialised to the argument types of its
//! calls, with their types inferred together until the return types
//! settle.

use std::collections::HashMap;
use std::rc::Rc;

use elle_vm::Vm;
use elle_vm::bytecode::Proto;
use elle_vm::tier::Eligibility;
use elle_vm::value::Value;

use crate::codegen;
use crate::infer::{self, Env, Ty, Types};

/// A global function that compiled code calls, guarded by identity.
pub struct Callee {
    /// Its global slot.
    pub slot: u32,
    /// Its closure (an `ObjRef` index): the guard compares the global with
    /// it, and deoptimised frames of it run it.
    pub closure: u32,
    pub closure_value: Value,
    pub proto: Rc<Proto>,
}

/// A function specialised to the types of its registers at its entry.
pub struct Spec {
    pub proto: Rc<Proto>,
    pub closure: u32,
    /// Where it is entered: 0, or a loop header (on-stack replacement).
    pub start: usize,
    /// The types at the entry (parameters for a call).
    pub entry: Vec<Ty>,
    pub types: Types,
    /// Compiled by an earlier unit: only its signature and result matter.
    pub existing: Option<cranelift_module::FuncId>,
    /// What the existing code assumes the globals hold.
    pub existing_guards: Vec<Guard>,
}

/// An assumption of compiled code: global `slot` holds the closure whose
/// `ObjRef` index is `closure`. Compiled code runs no Elle code, so no
/// global can change while it runs: the assumptions are checked once, when
/// the interpreter enters the code, not at each use.
pub type Guard = (u32, u32);

impl Spec {
    /// The parameter types (the entry types of its parameters).
    pub fn params(&self) -> &[Ty] {
        &self.entry[..self.proto.nparams() as usize]
    }
}

/// Key of a compiled specialisation: the prototype (by address, kept
/// alive by the cache entry's `Rc`), the closure and the parameter types.
pub type SpecKey = (usize, u32, Vec<Ty>);

/// A specialisation an earlier unit compiled.
#[derive(Clone)]
pub struct Cached {
    pub func: cranelift_module::FuncId,
    pub ret: Ty,
    /// What its code (and the code it calls) assumes of the globals.
    pub guards: Vec<Guard>,
    /// Keeps the prototype, whose address is part of the key, from being
    /// freed and its address reused.
    pub _proto: Rc<Proto>,
}

pub struct Unit<'a> {
    pub vm: &'a Vm,
    pub callees: Vec<Callee>,
    pub specs: Vec<Spec>,
    cache: &'a HashMap<SpecKey, Cached>,
}

/// Rounds of inference before a unit gives up (the lattice is shallow; this
/// only guards against a bug looping forever).
const MAX_ROUNDS: usize = 64;

impl<'a> Unit<'a> {
    /// A unit whose first specialisation is `proto` (closure `closure`)
    /// entered at `start` with registers `registers`.
    pub fn new(
        vm: &'a Vm,
        cache: &'a HashMap<SpecKey, Cached>,
        proto: &Rc<Proto>,
        closure: u32,
        start: usize,
        registers: &[Value],
    ) -> Result<Unit<'a>, String> {
        let entry = entry_types(proto, start, registers)?;
        let mut unit = Unit {
            vm,
            callees: Vec::new(),
            specs: Vec::new(),
            cache,
        };
        unit.add_spec(proto.clone(), closure, start, entry);
        unit.settle()?;
        Ok(unit)
    }

    fn add_spec(
        &mut self,
        proto: Rc<Proto>,
        closure: u32,
        start: usize,
        mut entry: Vec<Ty>,
    ) -> usize {
        if start == 0 {
            entry.truncate(proto.nparams() as usize);
        }
        let key = (Rc::as_ptr(&proto) as usize, closure, entry.clone());
        let cached = (start == 0).then(|| self.cache.get(&key)).flatten();
        let ret = cached.map_or(Ty::Undef, |c| c.ret);
        self.specs.push(Spec {
            proto,
            closure,
            start,
            entry,
            types: Types {
                at: Vec::new(),
                ret,
            },
            existing: cached.map(|c| c.func),
            existing_guards: cached.map_or_else(Vec::new, |c| c.guards.clone()),
        });
        self.specs.len() - 1
    }

    /// Infers every specialisation until no return type changes.
    fn settle(&mut self) -> Result<(), String> {
        for _ in 0..MAX_ROUNDS {
            let mut changed = false;
            let mut i = 0;
            while i < self.specs.len() {
                let spec = &self.specs[i];
                let (proto, start) = (spec.proto.clone(), spec.start);
                let mut entry = spec.entry.clone();
                entry.resize(proto.nregs() as usize, Ty::Undef);
                if spec.existing.is_none() {
                    let types = infer::infer(&proto, start, entry, self)?;
                    if types.ret != self.specs[i].types.ret || self.specs[i].types.at.is_empty() {
                        changed = true;
                    }
                    self.specs[i].types = types;
                } else if codegen::inline_candidate(&proto) {
                    // Code compiled earlier is called, not analysed again,
                    // unless a caller may inline it; then its types are
                    // inferred with the others', and its result type stays
                    // the one its code returns. Code that cannot be analysed any more
                    // (a callee of it redefined) is only called.
                    if let Ok(types) = infer::infer(&proto, start, entry, self) {
                        self.specs[i].types.at = types.at;
                    }
                }
                i += 1;
            }
            if !changed {
                if self
                    .specs
                    .iter()
                    .any(|s| matches!(s.types.ret, Ty::Func(_)))
                {
                    return Err("returns a function".into());
                }
                return Ok(());
            }
        }
        Err("internal: type inference did not settle".into())
    }

    /// Every assumption the unit's code makes of the globals: the globals
    /// it calls, and those the code it reuses assumes.
    pub fn guards(&self) -> Vec<Guard> {
        let mut guards: Vec<Guard> = self.callees.iter().map(|c| (c.slot, c.closure)).collect();
        for spec in &self.specs {
            guards.extend(spec.existing_guards.iter().copied());
        }
        guards.sort_unstable();
        guards.dedup();
        guards
    }

    /// The specialisation called at a call of callee `f` with `args`.
    pub fn spec_for(&self, f: u32, args: &[Ty]) -> Option<usize> {
        let callee = &self.callees[f as usize];
        self.specs.iter().position(|s| {
            s.start == 0
                && Rc::ptr_eq(&s.proto, &callee.proto)
                && s.closure == callee.closure
                && s.params() == args
        })
    }
}

impl Env for Unit<'_> {
    fn global_function(&mut self, slot: u32) -> Result<u32, String> {
        if let Some(i) = self.callees.iter().position(|c| c.slot == slot) {
            return Ok(i as u32);
        }
        let name = self
            .vm
            .global_name(slot)
            .map_or_else(|| "?".to_string(), |s| s.to_string());
        let value = self
            .vm
            .global_value(slot)
            .ok_or_else(|| format!("calls `{name}`, which is unbound"))?;
        let Value::Obj(closure) = value else {
            return Err(format!(
                "calls `{name}`, which is not a compiled Elle function"
            ));
        };
        let proto = elle_vm::disasm::closure_proto(self.vm, value)
            .ok_or_else(|| format!("calls `{name}`, which is not a function"))?;
        if let Eligibility::Ineligible { reason, .. } = proto.tier().eligibility() {
            return Err(format!("calls `{name}`, which is not eligible ({reason})"));
        }
        self.callees.push(Callee {
            slot,
            closure: closure.0,
            closure_value: value,
            proto,
        });
        Ok(self.callees.len() as u32 - 1)
    }

    fn arity(&self, f: u32) -> u32 {
        self.callees[f as usize].proto.nparams()
    }

    fn call_result(&mut self, f: u32, args: &[Ty]) -> Ty {
        if let Some(i) = self.spec_for(f, args) {
            return self.specs[i].types.ret;
        }
        let callee = &self.callees[f as usize];
        let (proto, closure) = (callee.proto.clone(), callee.closure);
        let i = self.add_spec(proto, closure, 0, args.to_vec());
        self.specs[i].types.ret
    }
}

/// The types of the registers compiled code reads at `start`: those live
/// there, from their values now. Registers not live are not read (they may
/// hold anything left over from earlier frames).
fn entry_types(proto: &Proto, start: usize, registers: &[Value]) -> Result<Vec<Ty>, String> {
    let reachable = reachable_from(proto, start);
    let live = infer::liveness(proto, &reachable);
    let nregs = proto.nregs() as usize;
    let mut types = vec![Ty::Undef; nregs];
    let count = if start == 0 {
        proto.nparams() as usize
    } else {
        nregs
    };
    for r in 0..count.min(nregs) {
        if start == 0 || live[start][r] {
            let v = registers.get(r).copied().unwrap_or(Value::Nil);
            types[r] =
                Ty::of_value(v).ok_or("an argument or variable is not a number, boolean or nil")?;
        }
    }
    Ok(types)
}

/// The instructions that can run from `start`.
pub fn reachable_from(proto: &Proto, start: usize) -> Vec<bool> {
    let mut seen = vec![false; proto.code_len()];
    let mut work = vec![start];
    while let Some(pc) = work.pop() {
        if pc >= seen.len() || std::mem::replace(&mut seen[pc], true) {
            continue;
        }
        if let Some(op) = proto.op(pc) {
            work.extend(op.successors(pc));
        }
    }
    seen
}
