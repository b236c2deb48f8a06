//! The dispatch loop.
//!
//! One loop runs every Lisp function: a call pushes a [`Frame`] on the VM's
//! frame stack and continues in the same loop, so Lisp recursion never
//! recurses in Rust. A tail call (`Op::TailCall`) reuses the caller's frame.

use std::rc::Rc;

use crate::bytecode::{BinOp, CaptureFrom, Op, Proto, UnOp, VECTOR_SET_BIT};
use crate::error::{RtError, RtResult};
use crate::object::{Closure, Obj};
use crate::primitives::arith;
use crate::value::Value;
use crate::vm::{Control, Frame, Handler, NativeImpl, Vm};

impl Vm {
    /// Runs top-level code to completion.
    pub fn run_proto(&mut self, proto: Rc<Proto>) -> RtResult<Value> {
        let fpos = self.stack_top();
        self.ensure_stack(fpos + 1);
        // Top-level code has no function value below its registers.
        self.stack[fpos] = Value::Nil;
        self.push_frame(proto, fpos + 1, fpos)?;
        self.execute()
    }

    /// Calls a function value with arguments and runs it to completion.
    ///
    /// Values held only in Rust locals are not roots: a caller that keeps
    /// values across this call must keep them reachable (in registers, in
    /// globals or in `host_roots`).
    pub fn call_value(&mut self, f: Value, args: &[Value]) -> RtResult<Value> {
        let fpos = self.stack_top();
        self.ensure_stack(fpos + 1 + args.len());
        self.stack[fpos] = f;
        self.stack[fpos + 1..fpos + 1 + args.len()].copy_from_slice(args);
        let saved_top = self.host_top;
        self.host_top = fpos + 1 + args.len();
        let r = match self.enter_call(fpos, args.len(), fpos) {
            Ok(Entered::Frame) => self.execute(),
            Ok(Entered::Value(v)) => Ok(v),
            Err(e) => Err(e),
        };
        self.host_top = saved_top;
        r
    }

    /// Grows the value stack so that index `len - 1` exists.
    #[inline]
    pub(crate) fn ensure_stack(&mut self, len: usize) {
        if self.stack.len() < len {
            self.grow_stack(len);
        }
    }

    #[cold]
    fn grow_stack(&mut self, len: usize) {
        let new_len = len.max(self.stack.len() * 2);
        self.stack.resize(new_len, Value::Nil);
    }

    /// Runs from the top frame until the frame that is on top now returns,
    /// handling conditions raised on the way.
    fn execute(&mut self) -> RtResult<Value> {
        let entry = self.frames.len() - 1;
        loop {
            match self.dispatch(entry) {
                Ok(v) => return Ok(v),
                Err(RtError::Exit(code)) => {
                    self.abandon(entry);
                    return Err(RtError::Exit(code));
                }
                Err(e) => {
                    let cond = self.condition_from_error(e);
                    if self.unwind_to_handler(cond, entry) {
                        continue;
                    }
                    self.abandon(entry);
                    return Err(RtError::Raise(cond));
                }
            }
        }
    }

    /// Drops the frames and handlers of an execution that failed.
    fn abandon(&mut self, entry: usize) {
        self.frames.truncate(entry);
        while self.handlers.last().is_some_and(|h| h.frame >= entry) {
            self.handlers.pop();
        }
    }

    /// Pushes a frame. Its registers past the arguments are not cleared:
    /// the compiler writes every local and temporary before reading it, and
    /// a stale value in a register can at worst keep an object alive until
    /// the register is reused.
    #[inline]
    fn push_frame(&mut self, proto: Rc<Proto>, base: usize, ret: usize) -> RtResult<()> {
        if self.frames.len() >= self.max_depth {
            return Err(self.stack_overflow());
        }
        self.ensure_stack(base + proto.nregs as usize);
        self.frames.push(Frame {
            proto,
            pc: 0,
            base,
            ret,
        });
        Ok(())
    }

    #[cold]
    fn stack_overflow(&self) -> RtError {
        RtError::new(
            "stack-overflow",
            format!("stack overflow: call depth exceeded {}", self.max_depth),
        )
    }

    /// Starts a call of the function at `stack[fpos]` with `argc` arguments
    /// after it: pushes a frame for a closure (returning into stack slot
    /// `ret`), or runs a native to its value.
    fn enter_call(&mut self, fpos: usize, mut argc: usize, ret: usize) -> RtResult<Entered> {
        loop {
            let f = self.stack[fpos];
            match f {
                Value::Obj(r) => {
                    let Obj::Closure(Closure { proto, .. }) = self.heap.get(r) else {
                        return Err(not_callable(self, f));
                    };
                    let proto = proto.clone();
                    self.bind_arguments(&proto, fpos + 1, argc)?;
                    self.push_frame(proto, fpos + 1, ret)?;
                    return Ok(Entered::Frame);
                }
                Value::Native(_) => match self.call_native(fpos, argc)? {
                    NativeOutcome::Value(v) => return Ok(Entered::Value(v)),
                    NativeOutcome::Redirect(n) => argc = n,
                },
                _ => return Err(not_callable(self, f)),
            }
        }
    }

    /// Runs the native at `stack[fpos]`. A control native that hands back a
    /// call leaves that function and its arguments at `fpos`.
    fn call_native(&mut self, fpos: usize, argc: usize) -> RtResult<NativeOutcome> {
        let Value::Native(id) = self.stack[fpos] else {
            return Err(not_callable(self, self.stack[fpos]));
        };
        let native = &self.natives[id.0 as usize];
        check_native_arity(native, argc)?;
        let imp = native.imp;
        let mut small = [Value::Nil; 4];
        let mut large = Vec::new();
        let args: &[Value] = if argc <= small.len() {
            small[..argc].copy_from_slice(&self.stack[fpos + 1..fpos + 1 + argc]);
            &small[..argc]
        } else {
            large.extend_from_slice(&self.stack[fpos + 1..fpos + 1 + argc]);
            &large
        };
        match imp {
            NativeImpl::Plain(func) => Ok(NativeOutcome::Value(func(self, args)?)),
            NativeImpl::Control(func) => match func(self, args)? {
                Control::Return(v) => Ok(NativeOutcome::Value(v)),
                Control::Call(g, gargs) => {
                    self.ensure_stack(fpos + 1 + gargs.len());
                    self.stack[fpos] = g;
                    self.stack[fpos + 1..fpos + 1 + gargs.len()].copy_from_slice(&gargs);
                    Ok(NativeOutcome::Redirect(gargs.len()))
                }
            },
        }
    }

    /// Checks the argument count and gathers a rest list; returns how many
    /// registers now hold arguments.
    #[inline]
    fn bind_arguments(&mut self, proto: &Proto, base: usize, argc: usize) -> RtResult<usize> {
        let nparams = proto.nparams as usize;
        if argc == nparams && !proto.rest {
            return Ok(argc);
        }
        if !proto.rest || argc < nparams {
            return Err(arity_mismatch(proto, argc));
        }
        let list = self.heap.list(&self.stack[base + nparams..base + argc]);
        self.ensure_stack(base + nparams + 1);
        self.stack[base + nparams] = list;
        Ok(nparams + 1)
    }

    /// The main loop. Returns when the frame at index `entry` returns, or
    /// with the first error raised (the caller looks for a handler).
    fn dispatch(&mut self, entry: usize) -> RtResult<Value> {
        let mut fi = self.frames.len() - 1;
        let mut proto: *const Proto = Rc::as_ptr(&self.frames[fi].proto);
        let mut pc = self.frames[fi].pc;
        let mut base = self.frames[fi].base;

        // The running function's code and constants.
        //
        // SAFETY: `proto` points into the `Rc<Proto>` held by the running
        // frame, `self.frames[fi]`, which stays alive while its code runs;
        // `reload!` re-derives the pointer whenever the running frame
        // changes, and a tail call keeps the frame it replaces alive until
        // it no longer needs the pointer.
        macro_rules! code {
            () => {
                unsafe { &*proto }
            };
        }

        // Leaves the loop with an error, saving the position for the trace.
        macro_rules! throw {
            ($e:expr) => {{
                self.frames[fi].pc = pc;
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
        // Reloads the running frame after a call or return changed it.
        macro_rules! reload {
            () => {{
                fi = self.frames.len() - 1;
                let f = &self.frames[fi];
                proto = Rc::as_ptr(&f.proto);
                pc = f.pc;
                base = f.base;
            }};
        }
        // Register access without bounds checks.
        //
        // SAFETY: `base + r < self.stack.len()` for every register `r` an
        // instruction of the running frame names: `Proto::verify` (run on
        // every prototype the compiler emits) checks `r < nregs`, every
        // frame is pushed by `push_frame` or the call fast path after
        // `ensure_stack(base + nregs)`, and the value stack never shrinks.
        macro_rules! reg {
            ($r:expr) => {
                *unsafe { self.stack.get_unchecked(base + $r as usize) }
            };
        }
        macro_rules! set_reg {
            ($r:expr, $v:expr) => {{
                let v = $v;
                *unsafe { self.stack.get_unchecked_mut(base + $r as usize) } = v;
            }};
        }

        loop {
            // SAFETY: `pc < code.len()`: execution starts at 0 or at a jump,
            // call-return or handler target, all checked in range by
            // `Proto::verify`, and verified code ends in a terminator, so
            // falling through never passes the end.
            let code = code!();
            let op = *unsafe { code.code.get_unchecked(pc) };
            pc += 1;
            match op {
                Op::Move { dst, src } => set_reg!(dst, reg!(src)),
                Op::LoadConst { dst, k } => set_reg!(dst, code!().consts[k as usize]),
                Op::LoadInt { dst, n } => set_reg!(dst, Value::Int(n as i64)),
                Op::LoadNil { dst } => set_reg!(dst, Value::Nil),
                Op::LoadBool { dst, b } => set_reg!(dst, Value::Bool(b)),
                Op::MakeCell { reg } => {
                    let v = reg!(reg);
                    set_reg!(reg, self.heap.alloc(Obj::Cell(v)));
                }
                Op::CellGet { dst, cell } => set_reg!(dst, self.cell_get(reg!(cell))),
                Op::CellSet { cell, src } => self.cell_set(reg!(cell), reg!(src)),
                Op::CaptureGet { dst, k } => set_reg!(dst, self.capture(base, k)),
                Op::CaptureCellGet { dst, k } => {
                    let cell = self.capture(base, k);
                    set_reg!(dst, self.cell_get(cell));
                }
                Op::CaptureCellSet { k, src } => {
                    let cell = self.capture(base, k);
                    self.cell_set(cell, reg!(src));
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
                Op::LoopHead => {
                    if self.heap.should_collect() {
                        self.frames[fi].pc = pc;
                        self.collect_garbage();
                    }
                }
                Op::Call { base: b, argc, dst } => {
                    let fpos = base + b as usize;
                    let ret = base + dst as usize;
                    self.frames[fi].pc = pc;
                    if self.heap.should_collect() {
                        self.collect_garbage();
                    }
                    // Fast path: a closure called with exactly its parameters.
                    if let Value::Obj(r) = &self.stack[fpos]
                        && let Obj::Closure(c) = self.heap.get(*r)
                        && c.proto.nparams == argc as u32
                        && !c.proto.rest
                        && self.frames.len() < self.max_depth
                    {
                        let callee = c.proto.clone();
                        base = fpos + 1;
                        self.ensure_stack(base + callee.nregs as usize);
                        proto = Rc::as_ptr(&callee);
                        self.frames.push(Frame {
                            proto: callee,
                            pc: 0,
                            base,
                            ret,
                        });
                        fi += 1;
                        pc = 0;
                        continue;
                    }
                    match attempt!(self.enter_call(fpos, argc as usize, ret)) {
                        Entered::Frame => reload!(),
                        Entered::Value(v) => self.stack[ret] = v,
                    }
                }
                Op::TailCall { base: b, argc } => {
                    let mut argc = argc as usize;
                    let fpos = base + b as usize;
                    if let Value::Native(_) = self.stack[fpos] {
                        self.frames[fi].pc = pc;
                        match attempt!(self.call_native(fpos, argc)) {
                            NativeOutcome::Value(v) => {
                                if self.return_value(v, entry) {
                                    return Ok(v);
                                }
                                reload!();
                                continue;
                            }
                            NativeOutcome::Redirect(n) => argc = n,
                        }
                    }
                    // Slide the callee and its arguments down over this
                    // frame. The replaced frame is kept until the end of this
                    // arm: `proto` may point into it.
                    let dest = base - 1;
                    self.stack.copy_within(fpos..fpos + argc + 1, dest);
                    let Some(replaced) = self.frames.pop() else {
                        throw!(RtError::new("error", "tail call without a frame"));
                    };
                    if self.heap.should_collect() {
                        self.collect_garbage();
                    }
                    match self.enter_call(dest, argc, replaced.ret) {
                        Ok(Entered::Frame) => reload!(),
                        Ok(Entered::Value(v)) => {
                            self.stack[replaced.ret] = v;
                            if self.frames.len() == entry {
                                return Ok(v);
                            }
                            reload!();
                        }
                        Err(e) => {
                            // Put the caller's frame back so the trace shows
                            // where the call was made.
                            self.frames.push(replaced);
                            throw!(e);
                        }
                    }
                }
                Op::Return { src } => {
                    let v = reg!(src);
                    if self.return_value(v, entry) {
                        return Ok(v);
                    }
                    reload!();
                }
                Op::Closure { dst, idx } => {
                    let child = code!().children[idx as usize].clone();
                    let captures: Box<[Value]> = child
                        .captures
                        .iter()
                        .map(|c| match *c {
                            CaptureFrom::Local(s) => reg!(s),
                            CaptureFrom::Capture(k) => self.capture(base, k as u16),
                        })
                        .collect();
                    set_reg!(
                        dst,
                        self.heap.alloc(Obj::Closure(Closure {
                            proto: child,
                            captures,
                        }))
                    );
                }
                Op::Bin { op, dst, a, b } => {
                    let fast = match (&reg!(a), &reg!(b)) {
                        (Value::Int(x), Value::Int(y)) => int_binop(op, *x, *y),
                        (Value::Float(x), Value::Float(y)) => float_binop(op, *x, *y),
                        (Value::Obj(v), Value::Int(i)) if op == BinOp::VectorRef => {
                            self.vector_ref_fast(*v, *i)
                        }
                        _ => None,
                    };
                    set_reg!(
                        dst,
                        match fast {
                            Some(r) if self.inline_redefined == 0 => r,
                            _ => {
                                self.frames[fi].pc = pc;
                                let (x, y) = (reg!(a), reg!(b));
                                attempt!(self.binop_slow(op, x, y))
                            }
                        }
                    );
                }
                Op::BinInt { op, dst, a, n } => {
                    let fast = match &reg!(a) {
                        Value::Int(x) => int_binop(op, *x, n as i64),
                        Value::Float(x) => float_binop(op, *x, n as f64),
                        Value::Obj(v) if op == BinOp::VectorRef => {
                            self.vector_ref_fast(*v, n as i64)
                        }
                        _ => None,
                    };
                    set_reg!(
                        dst,
                        match fast {
                            Some(r) if self.inline_redefined == 0 => r,
                            _ => {
                                self.frames[fi].pc = pc;
                                let x = reg!(a);
                                attempt!(self.binop_slow(op, x, Value::Int(n as i64)))
                            }
                        }
                    );
                }
                Op::Un { op, dst, src } => {
                    let fast = if self.inline_redefined == 0 {
                        self.unop_fast(op, &reg!(src))
                    } else {
                        None
                    };
                    set_reg!(
                        dst,
                        match fast {
                            Some(v) => v,
                            None => {
                                let x = reg!(src);
                                self.frames[fi].pc = pc;
                                attempt!(self.unop_guarded(op, x))
                            }
                        }
                    );
                }
                Op::VectorSet { vec, idx, val } => {
                    let (v, i, x) = (reg!(vec), reg!(idx), reg!(val));
                    let done = self.inline_redefined == 0 && self.vector_set_fast(&v, &i, x);
                    if !done {
                        let args = [reg!(vec), reg!(idx), reg!(val)];
                        self.frames[fi].pc = pc;
                        let r = attempt!(self.inline_call(VECTOR_SET_BIT as usize, &args));
                        set_reg!(vec, r);
                    }
                }
                Op::JumpIfRedefined { bit, target } => {
                    if self.inline_redefined & (1 << bit) != 0 {
                        pc = target as usize;
                    }
                }
                Op::PushHandler { idx } => self.handlers.push(Handler {
                    frame: fi,
                    info: idx,
                }),
                Op::PopHandler => {
                    self.handlers.pop();
                }
                Op::Reraise { src } => throw!(RtError::Raise(reg!(src))),
            }
        }
    }

    /// A binary operator off the fast path: mixed types, errors, or a
    /// redefined operator (then the global is called instead).
    fn binop_slow(&mut self, op: BinOp, a: Value, b: Value) -> RtResult<Value> {
        if op == BinOp::VectorRef || self.inline_redefined & Vm::bin_bit(op) != 0 {
            return self.inline_call(op as usize, &[a, b]);
        }
        arith::binop(self, op, a, b)
    }

    /// Calls what an inlined built-in stands for: the global if it was
    /// redefined, else the built-in itself (for its error cases).
    fn inline_call(&mut self, bit: usize, args: &[Value]) -> RtResult<Value> {
        let f = if self.inline_redefined & (1 << bit) != 0 {
            self.inline_global(bit)
        } else {
            self.inline_original(bit)
        };
        self.call_value(f, args)
    }

    #[inline(always)]
    fn vector_ref_fast(&self, v: crate::value::ObjRef, i: i64) -> Option<Value> {
        match self.heap.get(v) {
            Obj::Vector(items) => usize::try_from(i).ok().and_then(|i| items.get(i).copied()),
            _ => None,
        }
    }

    /// Stores into a vector when the operands are right; false otherwise.
    #[inline(always)]
    fn vector_set_fast(&mut self, v: &Value, i: &Value, x: Value) -> bool {
        let (Value::Obj(r), Value::Int(i)) = (v, i) else {
            return false;
        };
        let Obj::Vector(items) = self.heap.get_mut(*r) else {
            return false;
        };
        match usize::try_from(*i).ok().and_then(|i| items.get_mut(i)) {
            Some(slot) => {
                *slot = x;
                true
            }
            None => false,
        }
    }

    fn unop_guarded(&mut self, op: UnOp, a: Value) -> RtResult<Value> {
        if self.inline_redefined & Vm::un_bit(op) != 0 {
            return self.inline_call(BinOp::ALL.len() + op as usize, &[a]);
        }
        self.unop(op, a)
    }

    /// Pops the running frame and writes its result where the caller
    /// expects it. Returns true when that frame was the entry frame of this
    /// execution.
    #[inline]
    fn return_value(&mut self, v: Value, entry: usize) -> bool {
        if let Some(frame) = self.frames.pop() {
            self.stack[frame.ret] = v;
        }
        self.frames.len() == entry
    }

    #[inline]
    fn capture(&self, base: usize, i: u16) -> Value {
        match self.stack[base - 1] {
            Value::Obj(r) => match self.heap.get(r) {
                Obj::Closure(c) => c.captures[i as usize],
                _ => Value::Nil,
            },
            _ => Value::Nil,
        }
    }

    #[inline]
    fn cell_get(&self, cell: Value) -> Value {
        match cell {
            Value::Obj(r) => match self.heap.get(r) {
                Obj::Cell(v) => *v,
                _ => Value::Nil,
            },
            _ => Value::Nil,
        }
    }

    #[inline]
    fn cell_set(&mut self, cell: Value, v: Value) {
        if let Value::Obj(r) = cell
            && let Obj::Cell(slot) = self.heap.get_mut(r)
        {
            *slot = v;
        }
    }

    fn unbound(&self, slot: u32) -> RtError {
        let name = self.global_names[slot as usize];
        RtError::with_data(
            "unbound-variable",
            format!("unbound variable: {name}"),
            Value::Symbol(name),
        )
    }

    /// The common, error-free cases of the inlined unary operators.
    #[inline(always)]
    fn unop_fast(&self, op: UnOp, a: &Value) -> Option<Value> {
        match op {
            UnOp::Not => Some(Value::Bool(!a.is_truthy())),
            UnOp::IsNull | UnOp::InternalIsNull => Some(Value::Bool(a.is_nil())),
            UnOp::First
            | UnOp::Car
            | UnOp::InternalCar
            | UnOp::Rest
            | UnOp::Cdr
            | UnOp::InternalCdr => {
                let Value::Obj(r) = a else { return None };
                let Obj::Pair(car, cdr) = self.heap.get(*r) else {
                    return None;
                };
                let first = matches!(op, UnOp::First | UnOp::Car | UnOp::InternalCar);
                Some(if first { *car } else { *cdr })
            }
            UnOp::IsPair | UnOp::InternalIsPair => Some(Value::Bool(
                matches!(a, Value::Obj(r) if matches!(self.heap.get(*r), Obj::Pair(..))),
            )),
            UnOp::Inc => match a {
                Value::Int(n) => n.checked_add(1).map(Value::Int),
                _ => None,
            },
            UnOp::Dec => match a {
                Value::Int(n) => n.checked_sub(1).map(Value::Int),
                _ => None,
            },
            UnOp::IsZero => match a {
                Value::Int(n) => Some(Value::Bool(*n == 0)),
                _ => None,
            },
            UnOp::Neg => match a {
                Value::Int(n) => n.checked_neg().map(Value::Int),
                Value::Float(f) => Some(Value::Float(-f)),
                _ => None,
            },
            UnOp::Sqrt => match a {
                Value::Float(f) => Some(Value::Float(f.sqrt())),
                Value::Int(n) => Some(Value::Float((*n as f64).sqrt())),
                _ => None,
            },
        }
    }

    fn unop(&mut self, op: UnOp, a: Value) -> RtResult<Value> {
        Ok(match op {
            UnOp::Not => Value::Bool(!a.is_truthy()),
            UnOp::IsNull | UnOp::InternalIsNull => Value::Bool(a.is_nil()),
            UnOp::IsPair | UnOp::InternalIsPair => Value::Bool(self.is_pair(a)),
            UnOp::First | UnOp::Car => self.car(a, op.global_name())?,
            UnOp::Rest | UnOp::Cdr => self.cdr(a, op.global_name())?,
            UnOp::InternalCar => self.car(a, "car")?,
            UnOp::InternalCdr => self.cdr(a, "cdr")?,
            UnOp::Inc => arith::step(self, "inc", a, 1)?,
            UnOp::Dec => arith::step(self, "dec", a, -1)?,
            UnOp::IsZero => match a {
                Value::Int(n) => Value::Bool(n == 0),
                Value::Float(f) => Value::Bool(f == 0.0),
                _ => return Err(crate::primitives::expected(self, "zero?", "number", a)),
            },
            // The built-ins produce the errors (overflow, wrong type).
            UnOp::Neg | UnOp::Sqrt => {
                return self.inline_call(BinOp::ALL.len() + op as usize, &[a]);
            }
        })
    }
}

enum NativeOutcome {
    Value(Value),
    /// A control native handed back a call with this many arguments.
    Redirect(usize),
}

enum Entered {
    /// A frame was pushed; the loop continues in it.
    Frame,
    /// A native ran; here is its value.
    Value(Value),
}

/// The integer case of an inlined operator; `None` sends the operation to
/// the general (and erroring) path.
#[inline(always)]
fn int_binop(op: BinOp, x: i64, y: i64) -> Option<Value> {
    match op {
        BinOp::Add => x.checked_add(y).map(Value::Int),
        BinOp::Sub => x.checked_sub(y).map(Value::Int),
        BinOp::Mul => x.checked_mul(y).map(Value::Int),
        BinOp::Lt => Some(Value::Bool(x < y)),
        BinOp::Gt => Some(Value::Bool(x > y)),
        BinOp::Le => Some(Value::Bool(x <= y)),
        BinOp::Ge => Some(Value::Bool(x >= y)),
        BinOp::NumEq | BinOp::Eq => Some(Value::Bool(x == y)),
        BinOp::Mod if y > 0 => Some(Value::Int(x.rem_euclid(y))),
        BinOp::Div | BinOp::Mod | BinOp::VectorRef => None,
    }
}

/// The float case of an inlined operator (a float with a float, or with a
/// small integer immediate where the integer converts exactly).
#[inline(always)]
fn float_binop(op: BinOp, x: f64, y: f64) -> Option<Value> {
    match op {
        BinOp::Add => Some(Value::Float(x + y)),
        BinOp::Sub => Some(Value::Float(x - y)),
        BinOp::Mul => Some(Value::Float(x * y)),
        BinOp::Div => Some(Value::Float(x / y)),
        BinOp::Lt => Some(Value::Bool(x < y)),
        BinOp::Gt => Some(Value::Bool(x > y)),
        BinOp::Le => Some(Value::Bool(x <= y)),
        BinOp::Ge => Some(Value::Bool(x >= y)),
        BinOp::NumEq => Some(Value::Bool(x == y)),
        BinOp::Eq | BinOp::Mod | BinOp::VectorRef => None,
    }
}

fn check_native_arity(native: &crate::vm::Native, argc: usize) -> RtResult<()> {
    let argc = argc as u32;
    let ok = argc >= native.min_args && native.max_args.is_none_or(|m| argc <= m);
    if ok {
        return Ok(());
    }
    let expected = match native.max_args {
        Some(m) if m == native.min_args => format!("{m}"),
        Some(m) => format!("{} to {m}", native.min_args),
        None => format!("at least {}", native.min_args),
    };
    Err(RtError::arity(format!(
        "{}: expected {expected} argument{}, got {argc}",
        native.name,
        plural(&expected)
    )))
}

fn arity_mismatch(proto: &Proto, argc: usize) -> RtError {
    let n = proto.nparams;
    let expected = if proto.rest {
        format!("at least {n}")
    } else {
        n.to_string()
    };
    RtError::arity(format!(
        "{}: expected {expected} argument{}, got {argc}",
        proto.trace_name(),
        plural(&expected)
    ))
}

/// "s" unless the count being described ends in exactly 1.
fn plural(count: &str) -> &'static str {
    if count == "1" || count.ends_with(" 1") {
        ""
    } else {
        "s"
    }
}

fn not_callable(vm: &Vm, f: Value) -> RtError {
    RtError::with_data(
        "type-error",
        format!("not a function: {}", crate::printer::write_string(vm, f)),
        f,
    )
}
