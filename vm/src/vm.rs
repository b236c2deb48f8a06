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
use crate::object::{Closure, Obj, Trace, TraceEntry};
use crate::symbol::Sym;
use crate::value::{NativeId, ObjRef, Value};

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

/// A built-in function with state of its own: a Rust closure registered by
/// the host (`Vm::define_native_closure`). Shared (`Rc`) so that a call can
/// hold it while the closure uses the VM mutably.
pub type NativeClosure = Rc<dyn Fn(&mut Vm, &[Value]) -> RtResult<Value>>;

#[derive(Clone)]
pub enum NativeImpl {
    Plain(NativeFn),
    Control(ControlFn),
    /// A closure: called like `Plain`, but through a pointer to its state.
    Closure(NativeClosure),
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
/// A frame names the closure it runs (`closure`), and the collector marks
/// the closure of every frame on the frame stack, so the closure, its
/// prototype and its captured values live at least as long as the frame.
/// The two raw pointers are caches derived from that closure when the frame
/// is made ([`Frame::running`]), so that a call is a few plain stores and a
/// captured variable is one load: the prototype is owned by the closure's
/// `Rc`, and the captured values are a boxed slice made once with the
/// closure, never resized or replaced, whose contents stay put when the
/// heap's object table moves the closure. No other constructor exists, so
/// a frame cannot point at something its closure does not own.
#[derive(Clone, Copy)]
pub(crate) struct Frame {
    proto: *const Proto,
    /// The captured values of the closure, as many as `proto.captures`.
    captures: *const Value,
    /// Index of the frame's first register in the value stack. The function
    /// value sits just below, at `base - 1`, when the call starts, and the
    /// result of a call from Rust is written there.
    pub(crate) base: usize,
    /// Where the result goes: a register of the caller, or the slot below
    /// `base` for calls made from Rust.
    pub(crate) ret: usize,
    /// The next instruction (saved when the frame is not the running one).
    pub(crate) pc: u32,
    /// The closure this frame runs: a collection root while the frame is on
    /// the frame stack.
    closure: ObjRef,
}

impl Frame {
    /// A frame running the closure `c`, which is heap object `r`.
    #[inline(always)]
    pub(crate) fn running(r: ObjRef, c: &Closure, base: usize, ret: usize) -> Frame {
        Frame {
            proto: Rc::as_ptr(c.proto()),
            captures: c.captures().as_ptr(),
            base,
            ret,
            pc: 0,
            closure: r,
        }
    }

    /// The prototype this frame runs.
    #[inline(always)]
    pub(crate) fn proto(&self) -> &Proto {
        // SAFETY: the prototype is owned by the closure `self.closure`, which
        // the collector keeps alive while the frame is on the frame stack
        // (see the type's documentation); frames are only read while they
        // are on it.
        unsafe { &*self.proto }
    }

    pub(crate) fn proto_ptr(&self) -> *const Proto {
        self.proto
    }

    pub(crate) fn captures_ptr(&self) -> *const Value {
        self.captures
    }

    /// The closure this frame runs.
    pub(crate) fn closure(&self) -> ObjRef {
        self.closure
    }

    /// One past the frame's last register.
    pub(crate) fn top(&self) -> usize {
        self.base + self.proto().nregs as usize
    }
}

pub use crate::conditions::Handler;

pub struct Vm {
    pub(crate) heap: Heap,
    pub(crate) stack: Vec<Value>,
    pub(crate) frames: Vec<Frame>,
    pub(crate) handlers: Vec<Handler>,
    pub(crate) globals: Vec<Value>,
    pub(crate) global_names: Vec<Sym>,
    pub(crate) global_index: FxHashMap<Sym, u32>,
    pub(crate) natives: Vec<Native>,
    pub(crate) macros: FxHashMap<Sym, Value>,
    /// Condition type → parent type.
    pub(crate) condition_parents: FxHashMap<Sym, Sym>,
    /// The inlined built-ins and the code that inlines them.
    pub(crate) inlining: crate::inlining::Inlining,
    pub(crate) max_depth: usize,
    /// Frames allowed beyond `max_depth` while a condition handler runs.
    pub(crate) depth_headroom: usize,
    /// Transfers of control waiting for a `finally` cleanup to end.
    pub(crate) pending_unwinds: Vec<crate::conditions::PendingUnwind>,
    /// While the host's debugger runs: the parked transfers below this
    /// index belong to the suspended computation, which a transfer out of
    /// one of the debugger's own evaluations does not abandon.
    pub(crate) pending_floor: usize,
    /// The host's debugger (`conditions.rs`, "The host's debugger").
    pub(crate) debugger: Option<crate::conditions::Debugger>,
    /// The frames of suspended computations under the debugger: a call
    /// from Rust with exactly this many frames is a fresh call from the
    /// host, for the limits (0 outside the debugger).
    pub(crate) host_frames: usize,
    /// The values carried by the transfer of control in flight.
    pub(crate) transfer_values: Vec<Value>,
    pub(crate) out: Box<dyn Write>,
    /// Whether anything was written to `out` since it was last flushed: a
    /// host calls into Elle and flushes after each call, and flushing an
    /// idle stdout (a lock) cost a fifth of such a call.
    pub(crate) out_pending: bool,
    /// Where diagnostics go: `debug-print`, `trace`, unhandled `warn`.
    pub(crate) diagnostics: Box<dyn Write>,
    /// The values the host holds through [`crate::host::Root`]s.
    pub(crate) host_roots: crate::host::RootSet,
    /// Files already run by `import`.
    pub(crate) imported: FxHashSet<PathBuf>,
    /// The file being loaded, for resolving relative imports.
    pub(crate) current_file: Option<PathBuf>,
    pub(crate) command_line: Vec<String>,
    /// The floor of the rooted part of the value stack: slots below it hold
    /// values that Rust code placed there ([`Vm::with_roots`], the callee
    /// and arguments of [`Vm::call_value`]). The collector roots every slot
    /// below [`Vm::stack_top`], which is never below this.
    pub(crate) rooted_top: usize,
    /// The JIT tier, if one is plugged in, and what it compiled
    /// (`tier/mod.rs`).
    pub(crate) tier: crate::tier::TierState,
    /// Fuel, deadline and interrupt, and the countdown to their next check
    /// (`limits.rs`).
    pub(crate) limits: crate::limits::Limits,
    /// The state of `random`'s generator; `None` until first used or
    /// seeded (`primitives/random.rs`).
    pub(crate) random_state: Option<u64>,
    /// What scripts may reach outside the VM (`capabilities.rs`).
    pub(crate) capabilities: crate::capabilities::Capabilities,
    /// [`crate::symbol::Sym::interned_bytes`] when last counted against the
    /// memory limit (`Vm::note_symbols`).
    pub(crate) symbols_seen: usize,
    /// How many bytes the output writer keeps in memory, when it does (a
    /// host capturing output): counted against the memory limit.
    pub(crate) out_held: Option<Rc<dyn Fn() -> usize>>,
    /// What `out_held` said when last counted.
    pub(crate) out_counted: usize,
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
            pending_floor: 0,
            debugger: None,
            host_frames: 0,
            transfer_values: Vec::new(),
            out: Box::new(std::io::BufWriter::new(std::io::stdout())),
            out_pending: false,
            diagnostics: Box::new(std::io::stderr()),
            host_roots: Default::default(),
            imported: FxHashSet::default(),
            current_file: None,
            command_line: Vec::new(),
            rooted_top: 0,
            tier: Default::default(),
            limits: Default::default(),
            random_state: None,
            capabilities: Default::default(),
            symbols_seen: crate::symbol::Sym::interned_bytes(),
            out_held: None,
            out_counted: 0,
        };
        vm.heap.set_stress(crate::heap::stress_from_env());
        crate::conditions::install_builtin_types(&mut vm);
        vm
    }

    /// The heap, to read objects and its statistics.
    pub fn heap(&self) -> &Heap {
        &self.heap
    }

    /// Where `print` and friends write (stdout, buffered, by default).
    pub fn set_output(&mut self, out: Box<dyn Write>) {
        self.flush_output();
        self.out = out;
        self.set_output_held(None);
    }

    /// Tells the VM how to learn how many bytes its output writer keeps in
    /// memory (a buffer the host reads later), so that they count against
    /// the memory limit; `None` for a writer that keeps nothing (a file,
    /// stdout). Call it after [`Vm::set_output`].
    pub fn set_output_held(&mut self, held: Option<Rc<dyn Fn() -> usize>>) {
        self.out_held = held;
        self.note_output();
    }

    /// Counts against the memory limit what the output writer holds now
    /// (more after a write, less once the host took it).
    pub(crate) fn note_output(&mut self) {
        let now = self.out_held.as_ref().map_or(0, |held| held());
        let grown = now as isize - self.out_counted as isize;
        if grown != 0 {
            self.out_counted = now;
            self.heap.note_outside(grown);
        }
    }

    /// Where diagnostics (`debug-print`, `trace`, an unhandled `warn`) are
    /// written (stderr by default).
    pub fn set_diagnostics(&mut self, out: Box<dyn Write>) {
        self.diagnostics = out;
    }

    /// The limit on nested calls (`--max-depth`): deeper is a
    /// `stack-overflow`.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    pub fn set_max_depth(&mut self, depth: usize) {
        self.max_depth = depth;
    }

    /// What `(command-line)` returns.
    pub fn set_command_line(&mut self, args: Vec<String>) {
        self.command_line = args;
    }

    /// Turns the collector's stress mode on or off (`ELLE_GC_STRESS`, see
    /// `heap.rs`).
    pub fn set_gc_stress(&mut self, on: bool) {
        self.heap.set_stress(on);
    }

    /// The names of the globals that have a value.
    pub fn global_names(&self) -> impl Iterator<Item = Sym> + '_ {
        self.global_names
            .iter()
            .zip(&self.globals)
            .filter(|(_, v)| !matches!(v, Value::Unbound))
            .map(|(name, _)| *name)
    }

    /// The names of the macros.
    pub fn macro_names(&self) -> impl Iterator<Item = Sym> + '_ {
        self.macros.keys().copied()
    }

    /// The function of the macro `name`.
    pub fn get_macro(&self, name: &str) -> Option<Value> {
        self.macros.get(&Sym::intern(name)).copied()
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

    /// What global `slot` holds, if it is bound.
    pub fn global_value(&self, slot: u32) -> Option<Value> {
        match self.globals.get(slot as usize) {
            None | Some(Value::Unbound) => None,
            Some(&v) => Some(v),
        }
    }

    /// The name of global `slot`.
    pub fn global_name(&self, slot: u32) -> Option<Sym> {
        self.global_names.get(slot as usize).copied()
    }

    pub fn get_global(&self, name: &str) -> Option<Value> {
        let i = *self.global_index.get(&Sym::intern(name))?;
        match self.globals[i as usize] {
            Value::Unbound => None,
            v => Some(v),
        }
    }

    /// The argument counts of a built-in function value: the minimum, and
    /// the maximum (`None`: any number).
    pub fn native_arity(&self, v: Value) -> Option<(u32, Option<u32>)> {
        match v {
            Value::Native(id) => self
                .natives
                .get(id.0 as usize)
                .map(|n| (n.min_args, n.max_args)),
            _ => None,
        }
    }

    /// Registers a built-in function under `name`.
    pub fn define_native(&mut self, name: &str, min: u32, max: Option<u32>, f: NativeFn) {
        self.register_native(name, min, max, NativeImpl::Plain(f));
    }

    /// Registers a Rust closure (which may own or share state) as a built-in
    /// function under `name`. Its arguments are counted like those of
    /// [`Vm::define_native`] before it is called.
    pub fn define_native_closure(
        &mut self,
        name: &str,
        min: u32,
        max: Option<u32>,
        f: NativeClosure,
    ) {
        self.register_native(name, min, max, NativeImpl::Closure(f));
    }

    /// A built-in function value for a Rust closure, bound to no global
    /// (the FFI's `ffi/fn` makes its functions with it). `name` is what its
    /// errors and its printed form show; its arguments are counted like
    /// those of [`Vm::define_native`]. The entry stays in the table of
    /// built-ins for the VM's life (built-ins are never collected), so the
    /// closure and what it owns live as long as the VM.
    pub fn native_closure_value(
        &mut self,
        name: &str,
        min: u32,
        max: Option<u32>,
        f: NativeClosure,
    ) -> Value {
        let id = NativeId(self.natives.len() as u32);
        self.natives.push(Native {
            name: Sym::intern(name),
            min_args: min,
            max_args: max,
            imp: NativeImpl::Closure(f),
        });
        Value::Native(id)
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

    /// The first stack slot above everything in use: the running frame's
    /// registers and the values Rust code has rooted on the stack.
    pub(crate) fn stack_top(&self) -> usize {
        self.frames
            .last()
            .map_or(self.rooted_top, |f| f.top().max(self.rooted_top))
    }

    /// Runs `f` with `values` rooted: they are copied to the value stack
    /// below `Vm::stack_top` for the whole extent of `f`, so a collection
    /// that happens while `f` runs Elle code keeps them (and everything they
    /// refer to) alive. This is how Rust code keeps a value across a call
    /// into Elle that does not take it as an argument.
    pub fn with_roots<R>(&mut self, values: &[Value], f: impl FnOnce(&mut Vm) -> R) -> R {
        let at = self.stack_top();
        self.ensure_stack(at + values.len());
        self.stack[at..at + values.len()].copy_from_slice(values);
        let saved = std::mem::replace(&mut self.rooted_top, at + values.len());
        let r = f(self);
        self.rooted_top = saved;
        r
    }

    /// The stack trace of the current execution point, innermost first (of
    /// a deep stack, both ends: see [`Trace`]).
    pub fn trace(&self) -> Trace {
        Trace::of_stack(&self.frames, |f| {
            let proto = f.proto();
            let at = (f.pc as usize)
                .saturating_sub(1)
                .min(proto.spans.len().saturating_sub(1));
            TraceEntry {
                function: proto.trace_name(),
                span: proto.spans.get(at).copied().unwrap_or_default(),
            }
        })
    }

    /// Collects garbage now. Safe only where every live value is reachable
    /// from the VM's roots (the interpreter's safe points). Does nothing
    /// while the compiler holds unrooted values
    /// ([`Vm::without_collection`]).
    ///
    /// The roots are the value stack below `Vm::stack_top`, the closure
    /// of every frame, globals, macros, the values of transfers of
    /// control in flight or parked (`conditions.rs`), the values
    /// compiled code depends on (`tier/mod.rs`) and the values the host
    /// holds as [`crate::host::Root`]s.
    pub fn collect_garbage(&mut self) {
        if self.heap.inhibited() {
            return;
        }
        let top = self.stack_top().min(self.stack.len());
        let host_roots = self.host_roots.values();
        let roots = self.stack[..top]
            .iter()
            .copied()
            .chain(self.frames.iter().map(|f| Value::Obj(f.closure())))
            .chain(self.globals.iter().copied())
            .chain(self.macros.values().copied())
            .chain(
                self.pending_unwinds
                    .iter()
                    .flat_map(|p| p.values.iter().copied()),
            )
            .chain(self.transfer_values.iter().copied())
            .chain(self.tier.deps.iter().copied())
            .chain(host_roots.iter().copied());
        self.heap.collect(roots);
        drop(host_roots);
        self.prune_code_registry();
    }

    /// Runs `f` with collection off: for the compiler, whose constants and
    /// macro results are heap values that nothing roots until the compiled
    /// code runs. Nests.
    pub fn without_collection<R>(&mut self, f: impl FnOnce(&mut Vm) -> R) -> R {
        self.heap.inhibit();
        let r = f(self);
        self.heap.uninhibit();
        r
    }

    /// Flushes what the program printed, if anything.
    pub fn flush_output(&mut self) {
        if std::mem::take(&mut self.out_pending) {
            let _ = self.out.flush();
        }
    }

    /// Writes program output (`print` and friends): an `io-error` if it
    /// fails or the VM has no [`crate::capabilities::Capability::Output`].
    pub fn write_out(&mut self, s: &str) -> RtResult<()> {
        self.require(crate::capabilities::Capability::Output, "output")?;
        self.out_pending = true;
        self.out
            .write_all(s.as_bytes())
            .map_err(|e| RtError::io(format!("cannot write output: {e}")))?;
        if self.out_held.is_some() {
            self.note_output();
        }
        Ok(())
    }

    /// Writes a diagnostic line (no newline in `line`). Program output is
    /// flushed first so that the two streams interleave as the program wrote
    /// them on a terminal; a failing diagnostics stream is ignored
    /// (debugging output must never stop the program).
    pub fn write_diagnostic(&mut self, line: &str) {
        self.flush_output();
        let _ = writeln!(self.diagnostics, "{line}");
        let _ = self.diagnostics.flush();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A VM in GC stress mode with a function that allocates and collects.
    fn churning_vm() -> (Vm, Value) {
        let mut vm = Vm::new();
        vm.heap.set_stress(true);
        let src = "(define (churn) (let loop ((i 0)) (when (< i 1000) (list i i) (loop (+ i 1)))))";
        vm.eval_source(src, "t").expect("define churn");
        let churn = vm.get_global("churn").expect("churn is defined");
        (vm, churn)
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "allocates until stress mode collects: over 7 min under Miri"
    )]
    #[should_panic(expected = "stale heap reference")]
    fn a_value_held_across_a_call_without_a_root_is_caught() {
        let (mut vm, churn) = churning_vm();
        let held = vm.heap.cons(Value::Int(1), Value::Nil);
        vm.call_value(churn, &[]).expect("churn runs");
        let Value::Obj(r) = held else { unreachable!() };
        let _ = vm.heap.get(r);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "churns until the collector runs: killed after 20 min under Miri; the next test covers call_value's rooting"
    )]
    fn with_roots_keeps_a_value_across_a_call() {
        let (mut vm, churn) = churning_vm();
        let held = vm.heap.cons(Value::Int(1), Value::Nil);
        let before = vm.heap.collections();
        vm.with_roots(&[held], |vm| vm.call_value(churn, &[]))
            .expect("churn runs");
        assert!(vm.heap.collections() > before, "the collector never ran");
        assert_eq!(crate::printer::write_string(&vm, held), "(1)");
    }

    #[test]
    fn call_value_keeps_its_arguments_even_if_the_callee_drops_them() {
        let (mut vm, _) = churning_vm();
        let src = "(define (drop-it x) (set! x nil) (churn) x)";
        vm.eval_source(src, "t").expect("define drop-it");
        let f = vm.get_global("drop-it").expect("defined");
        let arg = vm.heap.cons(Value::Int(7), Value::Nil);
        let r = vm.call_value(f, &[arg]).expect("drop-it runs");
        assert!(r.is_nil());
        assert_eq!(crate::printer::write_string(&vm, arg), "(7)");
    }
}
