//! The hook a second execution tier plugs into: profiling, eligibility,
//! entering machine code and coming back from it.
//!
//! `vm` never names the JIT. It defines [`Tier`], a compiler of hot
//! functions that the `elle` package plugs in (the Cranelift tier in
//! `jit/`), and everything that runs on the interpreter's side of the
//! boundary:
//!
//! - **Eligibility** ([`Eligibility`], `eligibility.rs`): decided when a
//!   function is compiled to bytecode, from [`crate::bytecode::Op::jit_support`]. Only an
//!   eligible prototype ever reaches [`Tier::compile`].
//! - **Profiling** ([`TierInfo`]): each prototype counts down its calls and
//!   its loop back-edges from the threshold. The interpreter's fast call
//!   path and `JumpBack` pay one decrement and one test; a prototype that
//!   is not eligible (or whose compilation failed) starts from `u32::MAX`.
//! - **Entering** (`Vm::tier_enter`): when a count reaches zero the
//!   interpreter, with the frame already pushed, enters the compiled code
//!   for the frame's current position (pc 0 for a call, a loop header for
//!   on-stack replacement), compiling it first if needed. The code either
//!   declines (its entry guards did not match the registers' types),
//!   returns the function's value, or *deoptimizes*: it records every
//!   compiled activation, with its live registers, as a frame
//!   ([`abi::DeoptFrame`]); the interpreter lays those frames out on the
//!   value stack and carries on from there, so the result, the condition
//!   and its stack trace are exactly the interpreter's.
//! - **Lifetimes**: the values compiled code depends on (the closures whose
//!   identity its guards compare) are in [`Compiled::deps`], which the VM
//!   keeps as collection roots while the code exists, so an `ObjRef` a
//!   guard compares is never reused for another object. The code's memory
//!   is kept alive by [`Compiled::code`], held by the prototype's entry.

pub mod abi;
mod eligibility;

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

pub use eligibility::Eligibility;
pub(crate) use eligibility::analyze as eligibility_of;

use crate::bytecode::Op;
use crate::bytecode::Proto;
use crate::object::Obj;
use crate::value::{ObjRef, Value};
use crate::vm::{Frame, Vm};
use abi::{Deopt, EntryFn, JitCtx, Status};

/// A compiler of hot functions to machine code (the JIT).
pub trait Tier {
    /// Compiles the eligible function `request.proto` for entry at
    /// `request.pc`, specialised to the types of the registers the code
    /// reads there. An `Err` says why not (shown by `--jit-stats`).
    fn compile(&mut self, vm: &Vm, request: &Request<'_>) -> Result<Compiled, String>;

    /// Forgets every compiled function it caches: the code of one may
    /// inline built-ins the program has just redefined.
    fn forget_all(&mut self);

    /// The tier's intermediate representation of `proto` compiled for entry
    /// at pc 0 with `registers` (its arguments), for the REPL's `:jit ir`.
    fn ir(&mut self, vm: &Vm, request: &Request<'_>) -> Result<String, String>;
}

/// What to compile.
pub struct Request<'a> {
    pub proto: &'a Rc<Proto>,
    /// The closure running it (an `ObjRef`'s index), whose frames
    /// deoptimisation rebuilds.
    pub closure: u32,
    /// The entry position: 0, or the start of a loop.
    pub pc: u32,
    /// The frame's registers now, whose types the code is specialised to.
    pub registers: &'a [Value],
    /// Whether the code counts the check points of the host's limits
    /// ([`JitCtx::countdown`]): compiled while fuel or a deadline is set, so
    /// that code without limits pays nothing for them.
    pub limits: bool,
}

/// Compiled code for one entry of a prototype.
pub struct Compiled {
    pub entry: EntryFn,
    /// The values the code's guards compare identities with. The VM roots
    /// them for as long as the code can run.
    pub deps: Vec<Value>,
    /// Keeps the code's memory alive: the entry is only called while this
    /// is held.
    pub code: Rc<dyn Any>,
    /// Machine code bytes added by this compilation.
    pub code_bytes: usize,
    /// Machine functions compiled for it (the entry, and the callees not
    /// compiled before).
    pub functions: u64,
    /// Calls whose callee's code the new functions inline.
    pub inlined: u64,
    /// An upper bound of the native stack bytes one compiled function
    /// called from this entry uses, from which the VM computes how deep
    /// compiled calls may nest on the native stack ([`JitCtx::budget`]).
    pub frame_bytes: u32,
}

/// When the tier compiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JitMode {
    /// Never: the interpreter runs everything.
    Off,
    /// After this many calls or loop iterations.
    Auto(u32),
    /// At the first call or loop iteration.
    Eager,
}

/// The default `--jit-threshold`.
pub const DEFAULT_THRESHOLD: u32 = 1000;

/// Specialisations of one entry before the tier gives up on it: each
/// failed guard or frequent deoptimisation makes a new one.
const MAX_SPECIALISATIONS: u32 = 4;

/// Deoptimisations of one specialisation before it is replaced: after that
/// many, its assumptions are clearly wrong for this program.
const MAX_DEOPTS: u32 = 64;

/// A count that never reaches zero in practice.
const NEVER: u32 = u32::MAX;

/// A prototype's profile and compiled code.
pub struct TierInfo {
    eligibility: Cell<Eligibility>,
    /// Calls before the function is hot; zero once it is (every call then
    /// goes to `Vm::tier_enter`).
    pub(crate) calls_left: Cell<u32>,
    /// Loop back-edges before a loop is hot.
    pub(crate) loops_left: Cell<u32>,
    entries: RefCell<Vec<Entry>>,
    specialisations: Cell<u32>,
    deopts: Cell<u32>,
}

/// Compiled code entered at `pc`.
struct Entry {
    pc: u32,
    /// Compiled with the limits' check points (`Request::limits`).
    limits: bool,
    func: EntryFn,
    frame_bytes: u32,
    _code: Rc<dyn Any>,
}

impl TierInfo {
    pub(crate) fn new(eligibility: Eligibility) -> TierInfo {
        TierInfo {
            eligibility: Cell::new(eligibility),
            calls_left: Cell::new(NEVER),
            loops_left: Cell::new(NEVER),
            entries: RefCell::new(Vec::new()),
            specialisations: Cell::new(0),
            deopts: Cell::new(0),
        }
    }

    /// Whether (and if not, why not) machine code may run the function.
    pub fn eligibility(&self) -> Eligibility {
        self.eligibility.get()
    }

    /// Starts counting towards `threshold`, or never for an ineligible
    /// function.
    fn arm(&self, threshold: u32) {
        let start = if self.eligibility.get().is_eligible() {
            threshold
        } else {
            NEVER
        };
        self.calls_left.set(start);
        self.loops_left.set(start);
    }

    /// Drops the compiled code and stops counting.
    fn give_up(&self) {
        self.entries.borrow_mut().clear();
        self.calls_left.set(NEVER);
        self.loops_left.set(NEVER);
    }

    fn entry(&self, pc: u32, limits: bool) -> Option<(EntryFn, u32)> {
        self.entries
            .borrow()
            .iter()
            .find(|e| e.pc == pc && e.limits == limits)
            .map(|e| (e.func, e.frame_bytes))
    }

    fn drop_entry(&self, pc: u32) {
        self.entries.borrow_mut().retain(|e| e.pc != pc);
    }
}

impl fmt::Debug for TierInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TierInfo")
            .field("eligibility", &self.eligibility.get())
            .field("entries", &self.entries.borrow().len())
            .finish()
    }
}

/// What the tier did, for `--jit-stats` and the REPL's `:jit`.
#[derive(Clone, Debug, Default)]
pub struct TierStats {
    /// Entries compiled (a function at pc 0, or a loop).
    pub compiled: u64,
    /// Machine functions compiled for them.
    pub functions: u64,
    /// Calls compiled with their callee's code inlined.
    pub inlined: u64,
    /// Functions that could not be compiled, with the reason, in order.
    pub rejected: Vec<(String, String)>,
    /// Entries that declined because the registers had other types than
    /// the code was specialised to.
    pub guard_failures: u64,
    /// Returns to the interpreter from inside compiled code.
    pub deopts: u64,
    /// New specialisations after failed guards or frequent deoptimisation.
    pub respecialisations: u64,
    /// Entries the tier gave up on after too many specialisations.
    pub given_up: Vec<String>,
    pub compile_time: Duration,
    pub code_bytes: usize,
}

/// The tier's state in a VM.
pub(crate) struct TierState {
    pub(crate) tier: Option<Box<dyn Tier>>,
    pub(crate) mode: JitMode,
    /// Roots for compiled code ([`Compiled::deps`]).
    pub(crate) deps: Vec<Value>,
    pub(crate) stats: TierStats,
    /// What a deoptimisation recorded.
    pub(crate) deopt: Deopt,
}

impl Default for TierState {
    fn default() -> Self {
        TierState {
            tier: None,
            mode: JitMode::Off,
            deps: Vec::new(),
            stats: TierStats::default(),
            deopt: Deopt::default(),
        }
    }
}

impl TierState {
    /// The count a new eligible prototype starts from.
    fn threshold(&self) -> u32 {
        match (self.mode, &self.tier) {
            (_, None) | (JitMode::Off, _) => NEVER,
            (JitMode::Auto(n), _) => n,
            (JitMode::Eager, _) => 0,
        }
    }
}

/// What entering compiled code did.
pub(crate) enum Entered {
    /// Nothing: the interpreter runs the frame from where it is.
    Interpret,
    /// The function returned this value; its frame is still on the stack.
    Returned(Value),
    /// Compiled code deoptimised: the frames are rebuilt and the top one
    /// resumes where compiled code stopped.
    Resumed,
}

impl Vm {
    /// Plugs in a tier and says when it compiles.
    pub fn set_tier(&mut self, tier: Option<Box<dyn Tier>>, mode: JitMode) {
        self.forget_compiled_code();
        self.tier.tier = tier;
        self.tier.mode = mode;
        self.rearm_all();
    }

    /// When the tier compiles.
    pub fn jit_mode(&self) -> JitMode {
        if self.tier.tier.is_none() {
            return JitMode::Off;
        }
        self.tier.mode
    }

    /// What the tier has done so far.
    pub fn tier_stats(&self) -> &TierStats {
        &self.tier.stats
    }

    /// The tier's intermediate representation of the function `f` compiled
    /// for `args`.
    pub fn tier_ir(&mut self, f: Value, args: &[Value]) -> Result<String, String> {
        let proto = crate::disasm::closure_proto(self, f).ok_or("not a compiled function")?;
        let eligibility = proto.tier.eligibility();
        if !eligibility.is_eligible() {
            return Err(eligibility.describe(&proto));
        }
        if args.len() != proto.nparams as usize {
            return Err(format!(
                "{} takes {} arguments, not {}",
                proto.trace_name(),
                proto.nparams,
                args.len()
            ));
        }
        let Value::Obj(closure) = f else {
            return Err("not a compiled function".into());
        };
        let mut tier = self.tier.tier.take().ok_or("the JIT is off")?;
        let request = Request {
            proto: &proto,
            closure: closure.0,
            pc: 0,
            registers: args,
            limits: false,
        };
        let ir = tier.ir(self, &request);
        self.tier.tier = Some(tier);
        ir
    }

    /// Starts profiling a newly compiled prototype.
    pub(crate) fn arm_tier(&self, proto: &Proto) {
        proto.tier.arm(self.tier.threshold());
    }

    fn rearm_all(&mut self) {
        let threshold = self.tier.threshold();
        for proto in self.live_protos() {
            proto.tier.give_up();
            proto.tier.specialisations.set(0);
            proto.tier.arm(threshold);
        }
    }

    /// Drops all compiled code, after a redefinition of an inlined
    /// built-in that the code may inline. Eligibility is decided again,
    /// since the rewritten instructions call globals.
    pub(crate) fn forget_compiled_code(&mut self) {
        if let Some(tier) = self.tier.tier.as_mut() {
            tier.forget_all();
        }
        for proto in self.live_protos() {
            proto.tier.eligibility.set(eligibility::analyze(&proto));
        }
        self.tier.deps.clear();
        self.rearm_all();
    }

    /// Enters (compiling first if needed) the code of the top frame, `fi`,
    /// at `pc`. The frame's registers are in place and `pc` is saved in it.
    #[cold]
    #[inline(never)]
    pub(crate) fn tier_enter(&mut self, fi: usize, pc: u32) -> Entered {
        let frame = self.frames[fi];
        let proto = frame.proto();
        let limits = self.limits.bounded();
        let (entry, frame_bytes) = match proto.tier.entry(pc, limits) {
            Some(entry) => entry,
            None => match self.tier_compile(fi, pc) {
                Some(entry) => entry,
                None => return Entered::Interpret,
            },
        };
        let mut ctx = self.jit_ctx(fi, frame_bytes);
        ctx.countdown = self.limits.countdown;
        let mut record = std::mem::take(&mut self.tier.deopt);
        // SAFETY: `entry` was compiled for this prototype at `pc`, and its
        // code is alive while the prototype's entry list holds it (it is
        // not dropped before this call returns: nothing else runs). The
        // context points at the value stack (the frame's registers are in
        // it: the frame was pushed after `ensure_stack`) and the globals,
        // which stay put during the call because compiled code runs no Elle
        // code and allocates nothing (abi.rs lists what the code may
        // touch); its budget keeps compiled calls within the native stack.
        let status = unsafe { abi::enter(entry, &mut ctx, frame.base as u64, &mut record) };
        self.tier.deopt = record;
        self.limits.countdown = ctx.countdown;
        match Status::from_code(status) {
            Status::Declined => {
                self.tier.stats.guard_failures += 1;
                self.respecialise(fi, pc);
                Entered::Interpret
            }
            Status::Returned => Entered::Returned(ctx.result()),
            Status::Deoptimised => {
                self.tier.stats.deopts += 1;
                let proto = self.frames[fi].proto();
                let n = proto.tier.deopts.get() + 1;
                proto.tier.deopts.set(n);
                if n >= MAX_DEOPTS {
                    self.respecialise(fi, pc);
                }
                self.rebuild_frames(fi);
                Entered::Resumed
            }
        }
    }

    /// The context compiled code runs with, for an entry in frame `fi`
    /// whose compiled functions use at most `frame_bytes` of native stack
    /// each.
    fn jit_ctx(&mut self, fi: usize, frame_bytes: u32) -> JitCtx {
        let frames_allowed = self.depth_limit().saturating_sub(fi + 1);
        let native_frames = crate::native_stack::room()
            .map_or(usize::MAX, |room| room / frame_bytes.max(1) as usize);
        JitCtx {
            stack: self.stack.as_mut_ptr(),
            globals: self.globals.as_ptr(),
            budget: frames_allowed.min(native_frames) as u64,
            countdown: 1,
            result: [0; 2],
        }
    }

    /// Compiles the entry at `pc` of frame `fi`'s prototype, or gives up
    /// on it for a while.
    fn tier_compile(&mut self, fi: usize, pc: u32) -> Option<(EntryFn, u32)> {
        let frame = self.frames[fi];
        let closure = frame.closure();
        let Obj::Closure(c) = self.heap.get(closure) else {
            return None;
        };
        let proto = c.proto().clone();
        let mut tier = self.tier.tier.take()?;
        let top = frame.top().min(self.stack.len());
        let registers = self.stack[frame.base..top].to_vec();
        // The entry is filed under the mode its code was compiled for.
        let limits = self.limits.bounded();
        let request = Request {
            proto: &proto,
            closure: closure.0,
            pc,
            registers: &registers,
            limits,
        };
        let started = std::time::Instant::now();
        let result = tier.compile(self, &request);
        self.tier.tier = Some(tier);
        self.tier.stats.compile_time += started.elapsed();
        match result {
            Ok(compiled) => {
                self.tier.stats.compiled += 1;
                self.tier.stats.functions += compiled.functions;
                self.tier.stats.inlined += compiled.inlined;
                self.tier.stats.code_bytes += compiled.code_bytes;
                self.tier.deps.extend(compiled.deps);
                let entry = (compiled.entry, compiled.frame_bytes);
                proto.tier.entries.borrow_mut().push(Entry {
                    pc,
                    limits,
                    func: compiled.entry,
                    frame_bytes: compiled.frame_bytes,
                    _code: compiled.code,
                });
                proto
                    .tier
                    .specialisations
                    .set(proto.tier.specialisations.get() + 1);
                proto.tier.deopts.set(0);
                Some(entry)
            }
            Err(reason) => {
                let name = proto.trace_name().to_string();
                self.tier.stats.rejected.push((name, reason));
                proto.tier.give_up();
                None
            }
        }
    }

    /// Drops the entry at `pc` of frame `fi`'s prototype so that the next
    /// hot moment compiles it for the types seen then, or gives up after
    /// `MAX_SPECIALISATIONS`.
    fn respecialise(&mut self, fi: usize, pc: u32) {
        let tier = &self.frames[fi].proto().tier;
        tier.drop_entry(pc);
        if tier.specialisations.get() >= MAX_SPECIALISATIONS {
            tier.give_up();
            let name = self.frames[fi].proto().trace_name().to_string();
            self.tier.stats.given_up.push(name);
        } else {
            self.tier.stats.respecialisations += 1;
        }
    }

    /// Turns the frames a deoptimisation recorded (innermost first) into
    /// interpreter frames with their registers. The outermost takes the
    /// place of frame `fi`, where the code was entered: it is that frame,
    /// or (after a tail call in compiled code) the callee that replaced it,
    /// returning where it returned. Each inner frame is the callee of the
    /// `Call` its caller resumes after, so that instruction says where its
    /// registers start and where its value goes, as it does when the
    /// interpreter makes the call. Outer frames are written first: a
    /// callee's registers overlap its caller's argument registers, which
    /// the caller no longer reads.
    fn rebuild_frames(&mut self, fi: usize) {
        let mut record = std::mem::take(&mut self.tier.deopt);
        let (mut base, mut ret) = (self.frames[fi].base, self.frames[fi].ret);
        for (i, rec) in record.frames.iter().rev().enumerate() {
            let r = ObjRef(rec.closure);
            let Obj::Closure(c) = self.heap.get(r) else {
                panic!("deoptimisation recorded a frame of a non-function");
            };
            let nregs = c.proto().nregs as usize;
            let mut frame = Frame::running(r, c, base, ret);
            frame.pc = rec.pc;
            let callee = rec.called.then(|| match c.proto().op(rec.pc as usize - 1) {
                Some(Op::Call { base: b, dst, .. }) => (base + b as usize + 1, base + dst as usize),
                other => panic!("deoptimised after a call at {other:?}"),
            });
            if i == 0 {
                self.frames[fi] = frame;
            } else {
                self.push_frame_record(frame);
            }
            self.ensure_stack(base + nregs);
            let values = &record.values[rec.values..rec.values + nregs];
            self.stack[base..base + nregs].copy_from_slice(values);
            if let Some((callee_base, callee_ret)) = callee {
                (base, ret) = (callee_base, callee_ret);
            }
        }
        record.frames.clear();
        record.values.clear();
        self.tier.deopt = record;
    }
}
