//! The virtual machine's state: heap, value stack, call frames, globals,
//! built-in functions, macros, condition types and handler stack.
//!
//! The dispatch loop itself lives in `interp/`; raising and catching in
//! `conditions.rs`.

use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::bytecode::Proto;
use crate::error::{RtError, RtResult};
use crate::heap::Heap;
use crate::object::{Obj, Trace, TraceEntry};
use crate::symbol::Sym;
use crate::value::{NativeId, Value};

/// Default limit on nested (non-tail) calls.
pub const DEFAULT_MAX_DEPTH: usize = 100_000;

/// A built-in function that computes a value.
pub type NativeFn = fn(&mut Vm, &[Value]) -> RtResult<Value>;
/// A built-in function that may ask the interpreter to call a function in
/// its place (`apply`, `eval`), so that no Rust recursion is needed.
pub type ControlFn = fn(&mut Vm, &[Value]) -> RtResult<Control>;

pub enum Control {
    Return(Value),
    /// Call the function with these arguments, as a tail call of the native.
    Call(Value, Vec<Value>),
}

#[derive(Clone, Copy)]
pub enum NativeImpl {
    Plain(NativeFn),
    Control(ControlFn),
}

#[derive(Clone)]
pub struct Native {
    pub name: Sym,
    pub min_args: u32,
    /// `None`: variadic.
    pub max_args: Option<u32>,
    pub imp: NativeImpl,
}

/// One activation of a compiled function.
///
/// The frame does not own its prototype: the function value it runs sits in
/// the stack slot below its registers (`base - 1`) for the frame's whole
/// life, or, for top-level code, the prototype is in
/// `Vm::pending_protos`. Both are garbage-collection roots, so the prototype
/// outlives the frame. Not counting references keeps a call to two plain
/// stores and a return to a plain load.
///
/// For the same reason the frame can point straight at the captured
/// values of its closure: a closure's captures are a boxed slice made once
/// when the closure is made and never resized or replaced, and the box's
/// contents stay put when the heap's object table moves the closure.
#[derive(Clone, Copy)]
pub struct Frame {
    proto: *const Proto,
    /// The captured values of the closure at `base - 1`, as many as
    /// `proto.captures` (none, and dangling, for top-level code).
    captures: *const Value,
    /// The next instruction (saved when the frame is not the running one).
    pub pc: usize,
    /// Index of the frame's first register in the value stack. The function
    /// value itself sits just below, at `base - 1`, and the result of the
    /// call is written there.
    pub base: usize,
    /// Where the result goes: a register of the caller, or the slot below
    /// `base` for calls made from Rust.
    pub ret: usize,
}

impl Frame {
    pub fn new(proto: *const Proto, captures: *const Value, base: usize, ret: usize) -> Frame {
        Frame {
            proto,
            captures,
            pc: 0,
            base,
            ret,
        }
    }

    /// The prototype this frame runs.
    #[inline(always)]
    pub fn proto(&self) -> &Proto {
        // SAFETY: the prototype is kept alive by the function value at
        // `base - 1` or by `Vm::pending_protos` for as long as the frame is
        // on the frame stack (see the type's documentation), and frames are
        // only read while they are on it.
        unsafe { &*self.proto }
    }

    pub(crate) fn proto_ptr(&self) -> *const Proto {
        self.proto
    }

    pub(crate) fn captures_ptr(&self) -> *const Value {
        self.captures
    }

    /// Turns this frame into a fresh call of `proto` (a tail call whose
    /// function value the caller has just put below the frame).
    pub(crate) fn become_call_of(&mut self, proto: *const Proto, captures: *const Value) {
        self.proto = proto;
        self.captures = captures;
        self.pc = 0;
    }

    /// One past the frame's last register.
    pub fn top(&self) -> usize {
        self.base + self.proto().nregs as usize
    }
}

pub use crate::conditions::Handler;

pub struct Vm {
    pub heap: Heap,
    pub stack: Vec<Value>,
    pub frames: Vec<Frame>,
    pub handlers: Vec<Handler>,
    pub globals: Vec<Value>,
    pub global_names: Vec<Sym>,
    pub global_index: FxHashMap<Sym, u32>,
    pub natives: Vec<Native>,
    pub macros: FxHashMap<Sym, Value>,
    /// Condition type → parent type.
    pub condition_parents: FxHashMap<Sym, Sym>,
    /// The inlined built-ins and the code that inlines them.
    pub inlining: crate::inlining::Inlining,
    pub max_depth: usize,
    /// Frames allowed beyond `max_depth` while a condition handler runs.
    pub(crate) depth_headroom: usize,
    /// Transfers of control waiting for a `finally` cleanup to end.
    pub(crate) pending_unwinds: Vec<crate::conditions::PendingUnwind>,
    /// The values carried by the transfer of control in flight.
    pub(crate) transfer_values: Vec<Value>,
    pub out: Box<dyn Write>,
    /// Files already run by `import`.
    pub imported: FxHashSet<PathBuf>,
    /// The file being loaded, for resolving relative imports.
    pub current_file: Option<PathBuf>,
    pub command_line: Vec<String>,
    /// Values the host keeps alive across collections.
    pub host_roots: Vec<Value>,
    /// Top-level code compiled but not yet finished (GC roots).
    pub pending_protos: Vec<Rc<Proto>>,
    pub gensym_counter: u64,
    /// Stack slots in use by the host's own calls when no frame is running.
    pub host_top: usize,
}

impl Vm {
    /// A VM with every built-in function and the prelude loaded.
    pub fn new() -> Vm {
        let mut vm = Vm::bare();
        crate::primitives::install(&mut vm);
        vm.install_inlining();
        crate::prelude::load(&mut vm);
        vm
    }

    /// A VM with no built-ins at all.
    pub fn bare() -> Vm {
        let mut vm = Vm {
            heap: Heap::new(),
            stack: vec![Value::Nil; 1024],
            frames: Vec::with_capacity(256),
            handlers: Vec::new(),
            globals: Vec::new(),
            global_names: Vec::new(),
            global_index: FxHashMap::default(),
            natives: Vec::new(),
            macros: FxHashMap::default(),
            condition_parents: FxHashMap::default(),
            inlining: Default::default(),
            max_depth: DEFAULT_MAX_DEPTH,
            depth_headroom: 0,
            pending_unwinds: Vec::new(),
            transfer_values: Vec::new(),
            out: Box::new(std::io::BufWriter::new(std::io::stdout())),
            imported: FxHashSet::default(),
            current_file: None,
            command_line: Vec::new(),
            host_roots: Vec::new(),
            pending_protos: Vec::new(),
            gensym_counter: 0,
            host_top: 0,
        };
        crate::conditions::install_builtin_types(&mut vm);
        vm
    }

    /// The global slot for `name`, created unbound if new.
    pub fn global_slot(&mut self, name: Sym) -> u32 {
        if let Some(&i) = self.global_index.get(&name) {
            return i;
        }
        let i = self.globals.len() as u32;
        self.globals.push(Value::Unbound);
        self.global_names.push(name);
        self.global_index.insert(name, i);
        i
    }

    pub fn define_global(&mut self, name: &str, v: Value) {
        let slot = self.global_slot(Sym::intern(name));
        self.set_global_slot(slot, v);
    }

    /// Stores into a global slot, keeping inlined code honest.
    #[inline]
    pub fn set_global_slot(&mut self, slot: u32, v: Value) {
        self.globals[slot as usize] = v;
        self.note_global_store(slot, v);
    }

    pub fn get_global(&self, name: &str) -> Option<Value> {
        let i = *self.global_index.get(&Sym::intern(name))?;
        match self.globals[i as usize] {
            Value::Unbound => None,
            v => Some(v),
        }
    }

    /// Registers a built-in function under `name`.
    pub fn define_native(&mut self, name: &str, min: u32, max: Option<u32>, f: NativeFn) {
        self.register_native(name, min, max, NativeImpl::Plain(f));
    }

    /// Registers a built-in that may hand a call back to the interpreter.
    pub fn define_control(&mut self, name: &str, min: u32, max: Option<u32>, f: ControlFn) {
        self.register_native(name, min, max, NativeImpl::Control(f));
    }

    fn register_native(&mut self, name: &str, min: u32, max: Option<u32>, imp: NativeImpl) {
        let id = NativeId(self.natives.len() as u32);
        self.natives.push(Native {
            name: Sym::intern(name),
            min_args: min,
            max_args: max,
            imp,
        });
        self.define_global(name, Value::Native(id));
    }

    /// The built-in function registered under `name` (whatever the global
    /// holds now), for code the compiler generates.
    pub fn builtin(&self, name: &str) -> Value {
        let s = Sym::intern(name);
        self.natives
            .iter()
            .position(|n| n.name == s)
            .map(|i| Value::Native(NativeId(i as u32)))
            .unwrap_or(Value::Nil)
    }

    /// Makes `alias` name the same built-in as `name`.
    /// A built-in alias is a built-in of its own (the same code under the
    /// alias's name), so that its errors name what the program called.
    pub fn alias(&mut self, alias: &str, name: &str) {
        match self.get_global(name) {
            Some(Value::Native(id)) => {
                let mut native = self.natives[id.0 as usize].clone();
                native.name = Sym::intern(alias);
                let id = NativeId(self.natives.len() as u32);
                self.natives.push(native);
                self.define_global(alias, Value::Native(id));
            }
            Some(v) => self.define_global(alias, v),
            None => {}
        }
    }

    /// The first stack slot above every live frame's registers.
    pub fn stack_top(&self) -> usize {
        self.frames.last().map_or(self.host_top, Frame::top)
    }

    /// The stack trace of the current execution point, innermost first (of
    /// a deep stack, both ends: see [`Trace`]).
    pub fn trace(&self) -> Trace {
        Trace::of_stack(&self.frames, |f| {
            let proto = f.proto();
            let at =
                f.pc.saturating_sub(1)
                    .min(proto.spans.len().saturating_sub(1));
            TraceEntry {
                function: proto.trace_name(),
                span: proto.spans.get(at).copied().unwrap_or_default(),
            }
        })
    }

    /// Collects garbage now. Safe only where every live value is reachable
    /// from the VM's roots (the interpreter's safe points). Does nothing
    /// while the compiler holds unrooted values (`Heap::inhibit`).
    ///
    /// Running frames need no roots of their own: each one's function value
    /// is on the stack and top-level code is in `pending_protos`.
    pub fn collect_garbage(&mut self) {
        if self.heap.inhibit > 0 {
            return;
        }
        let top = self.stack_top().min(self.stack.len());
        let roots = self.stack[..top]
            .iter()
            .chain(self.globals.iter())
            .chain(self.macros.values())
            .chain(self.host_roots.iter())
            .chain(self.pending_unwinds.iter().flat_map(|p| p.values.iter()))
            .chain(self.transfer_values.iter())
            .copied();
        self.heap.collect(roots, self.pending_protos.iter());
        self.prune_code_registry();
    }

    pub fn flush_output(&mut self) {
        let _ = self.out.flush();
    }

    pub fn write_out(&mut self, s: &str) -> RtResult<()> {
        self.out
            .write_all(s.as_bytes())
            .map_err(|e| RtError::io(format!("cannot write output: {e}")))
    }

    /// A fresh symbol for macros.
    pub fn gensym(&mut self) -> Sym {
        Sym::gensym()
    }

    /// Whether `v` can be called.
    pub fn is_callable(&self, v: Value) -> bool {
        match v {
            Value::Native(_) => true,
            Value::Obj(r) => matches!(self.heap.get(r), Obj::Closure(_)),
            _ => false,
        }
    }
}

impl Default for Vm {
    fn default() -> Self {
        Vm::new()
    }
}
