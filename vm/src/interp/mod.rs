//! The interpreter: one dispatch loop over explicit frames.
//!
//! A call from Lisp to Lisp pushes a [`Frame`] on the VM's frame stack and
//! continues in the same loop, so Lisp recursion never recurses in Rust. A
//! tail call (`Op::TailCall`) replaces the caller's frame. Calls that are
//! not the common case (built-ins, rest parameters, wrong argument counts)
//! go through `interp/call.rs`; the inlined built-ins' fast and general
//! paths are in `interp/inline.rs`, and the `for` loop's walk in
//! `interp/sequence.rs`.

mod call;
mod inline;
mod sequence;

use std::cell::Cell;
use std::rc::Rc;

use crate::bytecode::{BinOp, CaptureFrom, Op, Proto};
use crate::error::{RtError, RtResult};
use crate::object::{Closure, Obj};
use crate::tier::Entered as TierEntered;
use crate::value::Value;
use crate::vm::{Frame, Vm};
use call::{Entered, NativeOutcome};

impl Vm {
    /// Runs top-level code to completion, as a call of a closure made for
    /// it (so its frame roots its prototype like any other).
    pub fn run_proto(&mut self, proto: Rc<Proto>) -> RtResult<Value> {
        let f = self.toplevel_function(proto)?;
        self.call_value(f, &[])
    }

    /// The function of no arguments that runs compiled top-level code. Like
    /// any value, it must be rooted to outlive a collection.
    pub fn toplevel_function(&mut self, proto: Rc<Proto>) -> RtResult<Value> {
        Ok(self.heap.alloc(Obj::Closure(Closure::toplevel(proto)?)))
    }

    /// Calls a function value with arguments and runs it to completion.
    ///
    /// `f` and `args` stay rooted until the call returns, whatever the
    /// callee does with its parameters: Rust code may keep them in locals
    /// across the call. Anything else it keeps must be rooted with
    /// [`Vm::with_roots`] (docs/ARCHITECTURE.md, "What keeps a value
    /// alive").
    pub fn call_value(&mut self, f: Value, args: &[Value]) -> RtResult<Value> {
        if self.frames.len() == self.host_frames {
            self.begin_host_call();
        }
        if crate::native_stack::exhausted() {
            return Err(crate::native_stack::overflow(
                "calls from Rust into Elle",
                None,
            ));
        }
        self.with_roots(&[f], |vm| vm.with_roots(args, |vm| vm.call_rooted(f, args)))
    }

    /// `call_value` once `f` and `args` are rooted: the callee and its
    /// arguments are placed again above them, where the callee's frame
    /// takes them as its registers (or `call_native` keeps them rooted).
    fn call_rooted(&mut self, f: Value, args: &[Value]) -> RtResult<Value> {
        let fpos = self.stack_top();
        self.ensure_stack(fpos + 1 + args.len());
        self.stack[fpos] = f;
        self.stack[fpos + 1..fpos + 1 + args.len()].copy_from_slice(args);
        match self.enter_call(fpos, args.len(), fpos, false)? {
            Entered::Frame => self.execute(),
            Entered::Value(v) => Ok(v),
        }
    }

    /// Runs from the top frame until the frame that is on top now returns,
    /// handling conditions and transfers of control on the way
    /// (`conditions.rs`).
    fn execute(&mut self) -> RtResult<Value> {
        let entry = self.frames.len() - 1;
        let mut outcome = self.dispatch(entry);
        loop {
            let moved = match outcome {
                Ok(v) => return Ok(v),
                Err(RtError::Exit(code)) => {
                    self.abandon(entry);
                    return Err(RtError::Exit(code));
                }
                Err(RtError::Unwind(target)) => self.unwind(target, entry),
                Err(RtError::EndFinally) => self.end_finally(entry),
                Err(fresh) => {
                    outcome = Err(self.raise(fresh));
                    continue;
                }
            };
            match moved {
                Ok(()) => outcome = self.dispatch(entry),
                // The transfer leaves this execution (whose frames are
                // gone): the caller carries it on.
                Err(e) => return Err(e),
            }
        }
    }

    /// Drops the frames and handlers of an execution that failed.
    fn abandon(&mut self, entry: usize) {
        self.frames.truncate(entry);
        while self.handlers.last().is_some_and(|h| h.frame >= entry) {
            self.handlers.pop();
        }
        self.forget_pending_above(self.handlers.len());
    }

    /// Pops the running frame and writes its result where the caller
    /// expects it. Returns true when that frame was the entry frame of this
    /// execution.
    #[inline(always)]
    fn return_value(&mut self, v: Value, entry: usize) -> bool {
        if let Some(frame) = self.frames.pop() {
            self.stack[frame.ret] = v;
        }
        self.frames.len() == entry
    }

    /// The main loop. Returns when the frame at index `entry` returns, or
    /// with the first error raised (the caller looks for a handler).
    fn dispatch(&mut self, entry: usize) -> RtResult<Value> {
        // The running frame, cached in locals: its index, prototype, code,
        // next instruction and register base. `load_frame!` refreshes them
        // whenever the running frame changes.
        let mut fi;
        let mut proto: *const Proto;
        // The running closure's captured values (see `Frame`).
        let mut captures: *const Value;
        let mut code: *const Cell<Op>;
        let mut pc: usize;
        let mut base: usize;

        macro_rules! load_frame {
            () => {{
                fi = self.frames.len() - 1;
                let f = self.frames[fi];
                proto = f.proto_ptr();
                captures = f.captures_ptr();
                // SAFETY: a frame's prototype outlives the frame (see `Frame`).
                code = unsafe { (*proto).code.as_ptr() };
                pc = f.pc as usize;
                base = f.base;
            }};
        }
        load_frame!();

        // The running prototype, for the rare instructions that need more
        // than its code.
        macro_rules! proto {
            () => {
                // SAFETY: as in `load_frame!`.
                unsafe { &*proto }
            };
        }
        // Captured value `k` of the running closure.
        macro_rules! capture {
            ($k:expr) => {
                // SAFETY: `captures` points at the running closure's
                // captured values, alive as long as the frame (see `Frame`),
                // and there are `proto.captures.len()` of them: `Op::Closure`
                // makes exactly that many, and `Proto::verify` checks that
                // every capture instruction's `k` is below it.
                unsafe { *captures.add($k as usize) }
            };
        }
        // Records the running frame's position, for a return into it or a
        // stack trace from it.
        macro_rules! save_pc {
            () => {
                // SAFETY: `fi` is `self.frames.len() - 1`: `load_frame!` sets
                // it and every push or pop of a frame is followed by one.
                unsafe { self.frames.get_unchecked_mut(fi).pc = pc as u32 }
            };
        }
        macro_rules! throw {
            ($e:expr) => {{
                save_pc!();
                return Err($e);
            }};
        }
        macro_rules! attempt {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => throw!(e),
                }
            };
        }
        // Runs a general (slow) path with the position saved for its trace.
        macro_rules! slow {
            ($e:expr) => {{
                save_pc!();
                match $e {
                    Ok(v) => v,
                    Err(e) => return Err(e),
                }
            }};
        }
        // Register access without bounds checks.
        //
        // SAFETY: `base + r < self.stack.len()` for every register `r` an
        // instruction of the running frame names: `Proto::verify` (run on
        // every prototype the compiler emits) checks `r < nregs`, every
        // frame is pushed after `ensure_stack(base + nregs)`, and the value
        // stack never shrinks.
        macro_rules! reg {
            ($r:expr) => {
                unsafe { *self.stack.get_unchecked(base + $r as usize) }
            };
        }
        macro_rules! set_reg {
            ($r:expr, $v:expr) => {{
                let v = $v;
                unsafe { *self.stack.get_unchecked_mut(base + $r as usize) = v }
            }};
        }
        macro_rules! reg_ptr {
            ($r:expr) => {
                unsafe { self.stack.as_mut_ptr().add(base + $r as usize) }
            };
        }
        // Copies a value between slots word by word (`value::copy_value`).
        //
        // SAFETY: both pointers come from `reg_ptr!` or from the heap's
        // `*_slot` accessors just before, with nothing in between that could
        // move the stack or change the heap.
        macro_rules! copy {
            ($from:expr, $to:expr) => {{
                let (from, to) = ($from, $to);
                unsafe { crate::value::copy_value(from, to) }
            }};
        }
        // The operand macros below take operand *expressions* and evaluate
        // them again on the general path instead of keeping the values:
        // values kept live across the fast path's test get spilled to the
        // native stack as a whole and reloaded in halves, which stalls.
        //
        // `dst = a op b` through the fast path `$fast`, else the general one.
        macro_rules! binary {
            ($op:expr, $fast:path, $dst:expr, $x:expr, $y:expr) => {{
                let v = match $fast($x, $y) {
                    Some(v) => v,
                    _ => slow!(self.binary_slow($op, $x, $y)),
                };
                set_reg!($dst, v);
            }};
        }
        // `dst = (a op b)` for a comparison; `$yv` is `b` as a value.
        macro_rules! compare {
            ($op:expr, $fast:path, $dst:expr, $x:expr, $y:expr, $yv:expr) => {{
                let v = match $fast($x, $y) {
                    Some(b) => Value::bool(b),
                    _ => slow!(self.binary_slow($op, $x, $yv)),
                };
                set_reg!($dst, v);
            }};
        }
        // Jumps to `target` unless the comparison holds.
        macro_rules! branch_unless {
            ($op:expr, $fast:path, $x:expr, $y:expr, $yv:expr, $target:expr) => {{
                let holds = match $fast($x, $y) {
                    Some(b) => b,
                    _ => slow!(self.binary_slow($op, $x, $yv)).is_truthy(),
                };
                if !holds {
                    pc = $target as usize;
                }
            }};
        }

        // Counts down the running prototype's `$count` (calls or loop
        // back-edges); at zero, enters its compiled code at `pc`, which
        // runs the frame to its return or gives it back, possibly with more
        // frames on top (`tier/mod.rs`).
        macro_rules! profile {
            ($count:ident) => {{
                let tier = &proto!().tier;
                let left = tier.$count.get();
                if left != 0 {
                    tier.$count.set(left - 1);
                } else {
                    save_pc!();
                    match self.tier_enter(fi, pc as u32) {
                        TierEntered::Interpret => {}
                        TierEntered::Returned(v) => {
                            let ret = self.frames[fi].ret;
                            self.stack[ret] = v;
                            self.frames.pop();
                            if fi == entry {
                                return Ok(v);
                            }
                            load_frame!();
                        }
                        TierEntered::Resumed => load_frame!(),
                    }
                }
            }};
        }

        // A check point of the host's limits (`limits.rs`): one decrement
        // and a branch taken once every thousand or so (`attempt!` saves the
        // position for the trace of the condition it raises).
        macro_rules! check_limits {
            () => {{
                let left = self.limits.countdown - 1;
                self.limits.countdown = left;
                if left == 0 {
                    attempt!(self.limit_check());
                }
            }};
        }

        loop {
            // SAFETY: `pc < code.len()`: execution starts at 0 or at a jump,
            // call-return or handler target, all checked in range by
            // `Proto::verify`, and verified code ends in a terminator, so
            // falling through never passes the end.
            let op = unsafe { (*code.add(pc)).get() };
            pc += 1;
            match op {
                Op::Move { dst, src } => copy!(reg_ptr!(src), reg_ptr!(dst)),
                Op::LoadConst { dst, k } => set_reg!(dst, proto!().consts[k as usize]),
                Op::LoadInt { dst, n } => set_reg!(dst, Value::Int(n as i64)),
                Op::LoadNil { dst } => set_reg!(dst, Value::Nil),
                Op::LoadBool { dst, b } => set_reg!(dst, Value::bool(b)),
                Op::MakeCell { reg } => {
                    let v = reg!(reg);
                    set_reg!(reg, self.heap.alloc(Obj::Cell(v)));
                }
                Op::CellGet { dst, cell } => {
                    if let Some(p) = self.cell_slot(reg!(cell)) {
                        copy!(p, reg_ptr!(dst));
                    }
                }
                Op::CellSet { cell, src } => {
                    if let Some(p) = self.cell_slot(reg!(cell)) {
                        copy!(reg_ptr!(src), p);
                    }
                }
                Op::CaptureGet { dst, k } => set_reg!(dst, capture!(k)),
                Op::CaptureCellGet { dst, k } => {
                    let cell = capture!(k);
                    if let Some(p) = self.cell_slot(cell) {
                        copy!(p, reg_ptr!(dst));
                    }
                }
                Op::CaptureCellSet { k, src } => {
                    let cell = capture!(k);
                    if let Some(p) = self.cell_slot(cell) {
                        copy!(reg_ptr!(src), p);
                    }
                }
                Op::GlobalGet { dst, slot } => {
                    let v = self.globals[slot as usize];
                    if let Value::Unbound = v {
                        throw!(self.unbound(slot));
                    }
                    set_reg!(dst, v);
                }
                Op::GlobalSet { src, slot } => {
                    if let Value::Unbound = self.globals[slot as usize] {
                        throw!(self.unbound(slot));
                    }
                    self.set_global_slot(slot, reg!(src));
                }
                Op::GlobalDefine { src, slot } => self.set_global_slot(slot, reg!(src)),
                Op::Jump { target } => pc = target as usize,
                Op::JumpBack { target } => {
                    check_limits!();
                    pc = target as usize;
                    if self.heap.should_collect() {
                        save_pc!();
                        attempt!(self.collect_at_safe_point());
                    }
                    profile!(loops_left);
                }
                Op::JumpIfFalse { cond, target } => {
                    if !reg!(cond).is_truthy() {
                        pc = target as usize;
                    }
                }
                Op::JumpIfTrue { cond, target } => {
                    if reg!(cond).is_truthy() {
                        pc = target as usize;
                    }
                }
                Op::JumpUnlessLt { a, b, target } => {
                    branch_unless!(BinOp::Lt, inline::lt, reg!(a), reg!(b), reg!(b), target)
                }
                Op::JumpUnlessLtI { a, n, target } => {
                    branch_unless!(BinOp::Lt, inline::lt_imm, reg!(a), n, int(n), target)
                }
                Op::JumpUnlessGt { a, b, target } => {
                    branch_unless!(BinOp::Gt, inline::gt, reg!(a), reg!(b), reg!(b), target)
                }
                Op::JumpUnlessGtI { a, n, target } => {
                    branch_unless!(BinOp::Gt, inline::gt_imm, reg!(a), n, int(n), target)
                }
                Op::JumpUnlessLe { a, b, target } => {
                    branch_unless!(BinOp::Le, inline::le, reg!(a), reg!(b), reg!(b), target)
                }
                Op::JumpUnlessLeI { a, n, target } => {
                    branch_unless!(BinOp::Le, inline::le_imm, reg!(a), n, int(n), target)
                }
                Op::JumpUnlessGe { a, b, target } => {
                    branch_unless!(BinOp::Ge, inline::ge, reg!(a), reg!(b), reg!(b), target)
                }
                Op::JumpUnlessGeI { a, n, target } => {
                    branch_unless!(BinOp::Ge, inline::ge_imm, reg!(a), n, int(n), target)
                }
                Op::JumpUnlessNumEq { a, b, target } => {
                    branch_unless!(
                        BinOp::NumEq,
                        inline::num_eq,
                        reg!(a),
                        reg!(b),
                        reg!(b),
                        target
                    )
                }
                Op::JumpUnlessNumEqI { a, n, target } => {
                    branch_unless!(BinOp::NumEq, inline::num_eq_imm, reg!(a), n, int(n), target)
                }
                Op::JumpUnlessEq { a, b, target } => {
                    branch_unless!(BinOp::Eq, inline::eq, reg!(a), reg!(b), reg!(b), target)
                }
                Op::JumpUnlessEqI { a, n, target } => {
                    branch_unless!(BinOp::Eq, inline::eq_imm, reg!(a), n, int(n), target)
                }
                Op::BranchPair {
                    src, when, target, ..
                } => {
                    if self.is_pair(reg!(src)) == when {
                        pc = target as usize;
                    }
                }
                Op::BranchNull {
                    src, when, target, ..
                } => {
                    if reg!(src).is_nil() == when {
                        pc = target as usize;
                    }
                }
                Op::ForPrep { state } => attempt!(self.for_prep(base + state as usize)),
                Op::ForNext { state, var } => {
                    if self.for_next(base + state as usize, base + var as usize) {
                        pc += 1;
                    } else {
                        attempt!(self.for_end(base + state as usize));
                    }
                }
                Op::Call { base: b, argc, dst } => {
                    save_pc!();
                    check_limits!();
                    if self.heap.should_collect() {
                        attempt!(self.collect_at_safe_point());
                    }
                    let fpos = base + b as usize;
                    let ret = base + dst as usize;
                    // Fast path: a closure called with exactly its parameters.
                    if let Value::Obj(r) = reg!(b)
                        && let Obj::Closure(c) = self.heap.get(r)
                        && c.proto().fast_argc == argc as u32
                        && self.frames.len() < self.depth_limit()
                    {
                        let new_base = fpos + 1;
                        let frame = Frame::running(r, c, new_base, ret);
                        let p = frame.proto();
                        self.ensure_stack(new_base + p.nregs as usize);
                        proto = frame.proto_ptr();
                        captures = frame.captures_ptr();
                        code = p.code.as_ptr();
                        self.push_frame_record(frame);
                        fi += 1;
                        pc = 0;
                        base = new_base;
                        profile!(calls_left);
                        continue;
                    }
                    if let Value::Native(id) = reg!(b)
                        && let Some(r) = self.call_native_fast(id, fpos, argc as usize)
                    {
                        set_reg!(dst, attempt!(r));
                        continue;
                    }
                    match attempt!(self.enter_call(fpos, argc as usize, ret, false)) {
                        Entered::Frame => load_frame!(),
                        Entered::Value(v) => self.stack[ret] = v,
                    }
                }
                Op::TailCall { base: b, argc } => {
                    save_pc!();
                    check_limits!();
                    if self.heap.should_collect() {
                        attempt!(self.collect_at_safe_point());
                    }
                    let mut argc = argc as usize;
                    let fpos = base + b as usize;
                    // Fast path: a closure called with exactly its
                    // parameters takes over this frame in place.
                    if let Value::Obj(r) = reg!(b)
                        && let Obj::Closure(c) = self.heap.get(r)
                        && c.proto().fast_argc == argc as u32
                    {
                        let ret = self.frames[fi].ret;
                        let frame = Frame::running(r, c, base, ret);
                        self.stack.copy_within(fpos..fpos + argc + 1, base - 1);
                        let p = frame.proto();
                        self.ensure_stack(base + p.nregs as usize);
                        proto = frame.proto_ptr();
                        captures = frame.captures_ptr();
                        code = p.code.as_ptr();
                        self.frames[fi] = frame;
                        pc = 0;
                        profile!(calls_left);
                        continue;
                    }
                    if let Value::Native(_) = self.stack[fpos] {
                        match attempt!(self.call_native(fpos, argc)) {
                            NativeOutcome::Value(v) => {
                                if self.return_value(v, entry) {
                                    return Ok(v);
                                }
                                load_frame!();
                                continue;
                            }
                            NativeOutcome::Redirect(n) => argc = n,
                        }
                    }
                    // Slide the callee and its arguments down over this
                    // frame, which the callee replaces. The frame stays on
                    // the frame stack (rooting its closure and, in its
                    // registers, the arguments) until the callee has
                    // started, so an error on the way is reported from it.
                    let dest = base - 1;
                    self.stack.copy_within(fpos..fpos + argc + 1, dest);
                    let ret = self.frames[fi].ret;
                    match attempt!(self.enter_call(dest, argc, ret, true)) {
                        Entered::Frame => {
                            self.frames.swap_remove(fi);
                            load_frame!();
                        }
                        Entered::Value(v) => {
                            self.stack[ret] = v;
                            self.frames.pop();
                            if self.frames.len() == entry {
                                return Ok(v);
                            }
                            load_frame!();
                        }
                    }
                }
                Op::Return { src } => {
                    // SAFETY: `fi` is the running frame's index (see
                    // `save_pc!`), and its `ret` slot is inside the stack (a
                    // register of the caller, or the slot below a host call).
                    let ret = unsafe { self.frames.get_unchecked(fi) }.ret;
                    copy!(reg_ptr!(src), unsafe { self.stack.as_mut_ptr().add(ret) });
                    self.frames.pop();
                    if fi == entry {
                        return Ok(self.stack[ret]);
                    }
                    load_frame!();
                }
                Op::Closure { dst, idx } => {
                    let child = proto!().children[idx as usize].clone();
                    let captures: Box<[Value]> = child
                        .captures
                        .iter()
                        .map(|c| match *c {
                            CaptureFrom::Local(s) => reg!(s),
                            CaptureFrom::Capture(k) => capture!(k),
                        })
                        .collect();
                    set_reg!(
                        dst,
                        self.heap.alloc(Obj::Closure(Closure::new(child, captures)))
                    );
                }
                Op::Add { dst, a, b } => binary!(BinOp::Add, inline::add, dst, reg!(a), reg!(b)),
                Op::AddI { dst, a, n } => binary!(BinOp::Add, inline::add, dst, reg!(a), int(n)),
                Op::Sub { dst, a, b } => binary!(BinOp::Sub, inline::sub, dst, reg!(a), reg!(b)),
                Op::SubI { dst, a, n } => binary!(BinOp::Sub, inline::sub, dst, reg!(a), int(n)),
                Op::Mul { dst, a, b } => binary!(BinOp::Mul, inline::mul, dst, reg!(a), reg!(b)),
                Op::MulI { dst, a, n } => binary!(BinOp::Mul, inline::mul, dst, reg!(a), int(n)),
                Op::Div { dst, a, b } => binary!(BinOp::Div, inline::div, dst, reg!(a), reg!(b)),
                Op::DivI { dst, a, n } => binary!(BinOp::Div, inline::div, dst, reg!(a), int(n)),
                Op::Mod { dst, a, b } => {
                    binary!(BinOp::Mod, inline::modulo, dst, reg!(a), reg!(b))
                }
                Op::ModI { dst, a, n } => {
                    binary!(BinOp::Mod, inline::modulo, dst, reg!(a), int(n))
                }
                Op::Lt { dst, a, b } => {
                    compare!(BinOp::Lt, inline::lt, dst, reg!(a), reg!(b), reg!(b))
                }
                Op::LtI { dst, a, n } => {
                    compare!(BinOp::Lt, inline::lt_imm, dst, reg!(a), n, int(n))
                }
                Op::Gt { dst, a, b } => {
                    compare!(BinOp::Gt, inline::gt, dst, reg!(a), reg!(b), reg!(b))
                }
                Op::GtI { dst, a, n } => {
                    compare!(BinOp::Gt, inline::gt_imm, dst, reg!(a), n, int(n))
                }
                Op::Le { dst, a, b } => {
                    compare!(BinOp::Le, inline::le, dst, reg!(a), reg!(b), reg!(b))
                }
                Op::LeI { dst, a, n } => {
                    compare!(BinOp::Le, inline::le_imm, dst, reg!(a), n, int(n))
                }
                Op::Ge { dst, a, b } => {
                    compare!(BinOp::Ge, inline::ge, dst, reg!(a), reg!(b), reg!(b))
                }
                Op::GeI { dst, a, n } => {
                    compare!(BinOp::Ge, inline::ge_imm, dst, reg!(a), n, int(n))
                }
                Op::NumEq { dst, a, b } => {
                    compare!(BinOp::NumEq, inline::num_eq, dst, reg!(a), reg!(b), reg!(b))
                }
                Op::NumEqI { dst, a, n } => {
                    compare!(BinOp::NumEq, inline::num_eq_imm, dst, reg!(a), n, int(n))
                }
                Op::Eq { dst, a, b } => {
                    compare!(BinOp::Eq, inline::eq, dst, reg!(a), reg!(b), reg!(b))
                }
                Op::EqI { dst, a, n } => {
                    compare!(BinOp::Eq, inline::eq_imm, dst, reg!(a), n, int(n))
                }
                Op::VectorRef { dst, vec, idx } => match self.vector_slot(reg!(vec), reg!(idx)) {
                    Some(p) => copy!(p, reg_ptr!(dst)),
                    None => {
                        let x = slow!(self.binary_slow(BinOp::VectorRef, reg!(vec), reg!(idx)));
                        set_reg!(dst, x);
                    }
                },
                Op::VectorRefI { dst, vec, n } => match self.vector_slot(reg!(vec), int(n)) {
                    Some(p) => copy!(p, reg_ptr!(dst)),
                    None => {
                        let x = slow!(self.binary_slow(BinOp::VectorRef, reg!(vec), int(n)));
                        set_reg!(dst, x);
                    }
                },
                Op::VectorSet { vec, idx, val } => match self.vector_slot(reg!(vec), reg!(idx)) {
                    Some(p) => copy!(reg_ptr!(val), p),
                    None => {
                        slow!(self.vector_set_slow(reg!(vec), reg!(idx), reg!(val)));
                    }
                },
                Op::VectorSetI { vec, n, val } => match self.vector_slot(reg!(vec), int(n)) {
                    Some(p) => copy!(reg_ptr!(val), p),
                    None => {
                        slow!(self.vector_set_slow(reg!(vec), int(n), reg!(val)));
                    }
                },
                Op::Car { op, dst, src } => {
                    let v = match self.pair(reg!(src)) {
                        Some((car, _)) => car,
                        _ => slow!(self.unary_slow(op, reg!(src))),
                    };
                    set_reg!(dst, v);
                }
                Op::Cdr { op, dst, src } => {
                    let v = match self.pair(reg!(src)) {
                        Some((_, cdr)) => cdr,
                        _ => slow!(self.unary_slow(op, reg!(src))),
                    };
                    set_reg!(dst, v);
                }
                Op::IsPair { dst, src, .. } => set_reg!(dst, Value::bool(self.is_pair(reg!(src)))),
                Op::IsNull { dst, src, .. } => set_reg!(dst, Value::bool(reg!(src).is_nil())),
                Op::Un { op, dst, src } => {
                    let v = match self.unary_fast(op, reg!(src)) {
                        Some(v) => v,
                        _ => slow!(self.unary_slow(op, reg!(src))),
                    };
                    set_reg!(dst, v);
                }
                Op::CallBinary { bit, dst, a, b } => {
                    let v = slow!(self.call_inlined(bit, &[reg!(a), reg!(b)]));
                    set_reg!(dst, v);
                }
                Op::CallBinaryI { bit, dst, a, n } => {
                    let v = slow!(self.call_inlined(bit, &[reg!(a), int(n)]));
                    set_reg!(dst, v);
                }
                Op::CallBranch { bit, a, b, target } => {
                    if !slow!(self.call_inlined(bit, &[reg!(a), reg!(b)])).is_truthy() {
                        pc = target as usize;
                    }
                }
                Op::CallBranchI { bit, a, n, target } => {
                    if !slow!(self.call_inlined(bit, &[reg!(a), int(n)])).is_truthy() {
                        pc = target as usize;
                    }
                }
                Op::CallTernary { bit, a, b, c } => {
                    slow!(self.call_inlined(bit, &[reg!(a), reg!(b), reg!(c)]));
                }
                Op::CallTernaryI { bit, a, n, c } => {
                    slow!(self.call_inlined(bit, &[reg!(a), int(n), reg!(c)]));
                }
                Op::CallUnary { bit, dst, src } => {
                    let v = slow!(self.call_inlined(bit, &[reg!(src)]));
                    set_reg!(dst, v);
                }
                Op::CallTest {
                    bit,
                    src,
                    when,
                    target,
                } => {
                    if slow!(self.call_inlined(bit, &[reg!(src)])).is_truthy() == when {
                        pc = target as usize;
                    }
                }
                Op::PushHandler { idx } => {
                    self.push_handler(fi, idx, &proto!().handlers[idx as usize]);
                }
                Op::PopHandler => {
                    self.handlers.pop();
                }
                Op::EndFinally => throw!(RtError::EndFinally),
            }
        }
    }
}

/// A small integer operand as a value.
#[inline(always)]
fn int(n: i16) -> Value {
    Value::Int(n as i64)
}

#[cfg(test)]
mod tests {
    use crate::printer::write_string;
    use crate::vm::Vm;

    /// The interpreter's unsafe paths in one small program, so that Miri
    /// (where a fresh VM costs ~30 s, too much for one per case) checks
    /// them: captured values and cells read through the frame's raw
    /// pointer, `for` over a list, a vector and a string (`ForNext` copies
    /// into its register), tail calls sliding a frame, recursion deep enough
    /// to grow both the value stack (1,024 slots at first) and the frame
    /// stack (capacity 256) under the dispatch loop's pointers, a caught
    /// error, and `apply` redirecting a native call.
    #[test]
    fn unsafe_paths_compute_the_right_values() {
        let src = r#"
            (define (make-counter)
              (let ((n 0))
                (fn () (set! n (+ n 1)) n)))
            (define c (make-counter))
            (c)
            (define (adder k) (fn (x) (+ x k)))
            (define (sum xs acc) (if (null? xs) acc (sum (cdr xs) (+ acc (car xs)))))
            (define (depth n) (if (= n 0) 0 (+ 1 (depth (- n 1)))))
            (define v (vector 1 2 3))
            (vector-set! v 0 10)
            (define total 0)
            (for x '(1 2 3) (set! total (+ total x)))
            (for x v (set! total (+ total x)))
            (define chars '())
            (for ch "ab" (set! chars (cons ch chars)))
            (list (c) ((adder 5) 1) (sum '(1 2 3 4) 0) (depth 2000) total
                  (vector-ref v 0) chars (try (car 1) (catch e :caught))
                  (apply + 1 2 '(3)))
        "#;
        let mut vm = Vm::new();
        let v = vm.eval_source(src, "unsafe-paths").unwrap();
        assert_eq!(
            write_string(&vm, v),
            r#"(2 6 10 2000 21 10 ("b" "a") :caught 6)"#
        );
    }
}
