//! The dispatch loop.
//!
//! One loop runs every Lisp function: a call pushes a [`Frame`] on the VM's
//! frame stack and continues in the same loop, so Lisp recursion never
//! recurses in Rust. A tail call (`Op::TailCall`) reuses the caller's frame.

use std::rc::Rc;

use crate::bytecode::{BinOp, Op, Proto, UnOp};
use crate::error::{RtError, RtResult};
use crate::object::{Closure, Obj};
use crate::primitives::arith;
use crate::value::Value;
use crate::vm::{Control, Frame, Handler, NativeImpl, Vm};

impl Vm {
    /// Runs top-level code to completion.
    pub fn run_proto(&mut self, proto: Rc<Proto>) -> RtResult<Value> {
        let fpos = self.stack.len();
        self.stack.push(Value::Nil);
        let base = fpos + 1;
        self.stack.resize(base + proto.nlocals as usize, Value::Nil);
        self.push_frame(proto, base)?;
        self.execute()
    }

    /// Calls a function value with arguments and runs it to completion.
    ///
    /// Values held only in Rust locals are not roots: a caller that keeps
    /// values across this call must keep them reachable (on the stack, in
    /// globals or `host_roots`).
    pub fn call_value(&mut self, f: Value, args: &[Value]) -> RtResult<Value> {
        let fpos = self.stack.len();
        self.stack.push(f);
        self.stack.extend_from_slice(args);
        match self.enter_call(fpos, args.len())? {
            Entered::Frame => self.execute(),
            Entered::Value(v) => {
                self.stack.truncate(fpos);
                Ok(v)
            }
        }
    }

    /// Runs from the top frame until the frame that is on top now returns,
    /// handling conditions raised on the way.
    fn execute(&mut self) -> RtResult<Value> {
        let entry = self.frames.len() - 1;
        let entry_stack = self.frames[entry].base - 1;
        loop {
            match self.dispatch(entry) {
                Ok(v) => return Ok(v),
                Err(RtError::Exit(code)) => {
                    self.abandon(entry, entry_stack);
                    return Err(RtError::Exit(code));
                }
                Err(e) => {
                    let cond = self.condition_from_error(e);
                    if self.unwind_to_handler(cond, entry) {
                        continue;
                    }
                    self.abandon(entry, entry_stack);
                    return Err(RtError::Raise(cond));
                }
            }
        }
    }

    /// Drops the frames and handlers of an execution that failed.
    fn abandon(&mut self, entry: usize, entry_stack: usize) {
        self.frames.truncate(entry);
        self.stack.truncate(entry_stack);
        while self.handlers.last().is_some_and(|h| h.frame >= entry) {
            self.handlers.pop();
        }
    }

    fn push_frame(&mut self, proto: Rc<Proto>, base: usize) -> RtResult<()> {
        if self.frames.len() >= self.max_depth {
            return Err(RtError::new(
                "stack-overflow",
                format!("stack overflow: call depth exceeded {}", self.max_depth),
            ));
        }
        self.frames.push(Frame { proto, pc: 0, base });
        Ok(())
    }

    /// Starts a call of the function at `stack[fpos]` with `argc` arguments
    /// above it: pushes a frame for a closure, or runs a native to its value.
    fn enter_call(&mut self, fpos: usize, mut argc: usize) -> RtResult<Entered> {
        loop {
            let f = self.stack[fpos];
            match f {
                Value::Obj(r) => {
                    let Obj::Closure(Closure { proto, .. }) = self.heap.get(r) else {
                        return Err(not_callable(self, f));
                    };
                    let proto = proto.clone();
                    self.bind_arguments(&proto, fpos + 1, argc)?;
                    self.push_frame(proto, fpos + 1)?;
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
                    self.stack.truncate(fpos);
                    self.stack.push(g);
                    self.stack.extend_from_slice(&gargs);
                    Ok(NativeOutcome::Redirect(gargs.len()))
                }
            },
        }
    }

    /// Checks the argument count, gathers a rest list and makes room for
    /// the callee's other locals.
    #[inline]
    fn bind_arguments(&mut self, proto: &Proto, base: usize, argc: usize) -> RtResult<()> {
        let nparams = proto.nparams as usize;
        if argc != nparams {
            if !proto.rest || argc < nparams {
                return Err(arity_mismatch(proto, argc));
            }
        }
        if proto.rest {
            let extra = self.stack.split_off(base + nparams);
            let list = self.heap.list(&extra);
            self.stack.push(list);
        }
        self.stack.resize(base + proto.nlocals as usize, Value::Nil);
        Ok(())
    }

    /// The main loop. Returns when the frame at index `entry` returns, or
    /// with the first error raised (the caller looks for a handler).
    fn dispatch(&mut self, entry: usize) -> RtResult<Value> {
        let mut fi = self.frames.len() - 1;
        let mut proto = self.frames[fi].proto.clone();
        let mut pc = self.frames[fi].pc;
        let mut base = self.frames[fi].base;

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
                proto = f.proto.clone();
                pc = f.pc;
                base = f.base;
            }};
        }

        loop {
            let op = proto.code[pc];
            pc += 1;
            match op {
                Op::Const(i) => self.stack.push(proto.consts[i as usize]),
                Op::Int(n) => self.stack.push(Value::Int(n as i64)),
                Op::Nil => self.stack.push(Value::Nil),
                Op::True => self.stack.push(Value::Bool(true)),
                Op::False => self.stack.push(Value::Bool(false)),
                Op::Pop => {
                    self.stack.pop();
                }
                Op::Dup => {
                    let v = top(&self.stack);
                    self.stack.push(v);
                }
                Op::Squash(n) => {
                    let v = pop(&mut self.stack);
                    let len = self.stack.len() - n as usize;
                    self.stack.truncate(len);
                    self.stack.push(v);
                }
                Op::LocalGet(i) => {
                    let v = self.stack[base + i as usize];
                    self.stack.push(v);
                }
                Op::LocalSet(i) => {
                    let v = pop(&mut self.stack);
                    self.stack[base + i as usize] = v;
                }
                Op::MakeCell(i) => {
                    let slot = base + i as usize;
                    let v = self.stack[slot];
                    self.stack[slot] = self.heap.alloc(Obj::Cell(v));
                }
                Op::CellGet(i) => {
                    let v = self.cell_get(self.stack[base + i as usize]);
                    self.stack.push(v);
                }
                Op::CellSet(i) => {
                    let v = pop(&mut self.stack);
                    self.cell_set(self.stack[base + i as usize], v);
                }
                Op::CaptureGet(i) => {
                    let v = self.capture(base, i);
                    self.stack.push(v);
                }
                Op::CaptureCellGet(i) => {
                    let cell = self.capture(base, i);
                    let v = self.cell_get(cell);
                    self.stack.push(v);
                }
                Op::CaptureCellSet(i) => {
                    let v = pop(&mut self.stack);
                    let cell = self.capture(base, i);
                    self.cell_set(cell, v);
                }
                Op::GlobalGet(i) => {
                    let v = self.globals[i as usize];
                    if let Value::Unbound = v {
                        throw!(self.unbound(i));
                    }
                    self.stack.push(v);
                }
                Op::GlobalSet(i) => {
                    if let Value::Unbound = self.globals[i as usize] {
                        throw!(self.unbound(i));
                    }
                    let v = pop(&mut self.stack);
                    self.set_global_slot(i, v);
                }
                Op::GlobalDefine(i) => {
                    let v = pop(&mut self.stack);
                    self.set_global_slot(i, v);
                }
                Op::Jump(t) => pc = t as usize,
                Op::JumpIfFalse(t) => {
                    if !pop(&mut self.stack).is_truthy() {
                        pc = t as usize;
                    }
                }
                Op::JumpIfTrue(t) => {
                    if pop(&mut self.stack).is_truthy() {
                        pc = t as usize;
                    }
                }
                Op::JumpIfFalseKeep(t) => {
                    if top(&self.stack).is_truthy() {
                        self.stack.pop();
                    } else {
                        pc = t as usize;
                    }
                }
                Op::JumpIfTrueKeep(t) => {
                    if top(&self.stack).is_truthy() {
                        pc = t as usize;
                    } else {
                        self.stack.pop();
                    }
                }
                Op::LoopHead => {
                    if self.heap.should_collect() {
                        self.frames[fi].pc = pc;
                        self.collect_garbage();
                    }
                }
                Op::Call(argc) => {
                    let argc = argc as usize;
                    let fpos = self.stack.len() - argc - 1;
                    self.frames[fi].pc = pc;
                    if self.heap.should_collect() {
                        self.collect_garbage();
                    }
                    match attempt!(self.enter_call(fpos, argc)) {
                        Entered::Frame => reload!(),
                        Entered::Value(v) => {
                            self.stack.truncate(fpos);
                            self.stack.push(v);
                        }
                    }
                }
                Op::TailCall(argc) => {
                    let mut argc = argc as usize;
                    let fpos = self.stack.len() - argc - 1;
                    if let Value::Native(_) = self.stack[fpos] {
                        self.frames[fi].pc = pc;
                        match attempt!(self.call_native(fpos, argc)) {
                            NativeOutcome::Value(v) => {
                                self.stack.truncate(fpos);
                                self.stack.push(v);
                                if self.return_value(entry) {
                                    return Ok(pop(&mut self.stack));
                                }
                                reload!();
                                continue;
                            }
                            NativeOutcome::Redirect(n) => argc = n,
                        }
                    }
                    // Slide the callee and its arguments down over this frame.
                    let dest = base - 1;
                    self.stack.copy_within(fpos..fpos + argc + 1, dest);
                    self.stack.truncate(dest + argc + 1);
                    self.frames.pop();
                    if self.heap.should_collect() {
                        self.collect_garbage();
                    }
                    match self.enter_call(dest, argc) {
                        Ok(Entered::Frame) => reload!(),
                        Ok(Entered::Value(v)) => {
                            self.stack.truncate(dest);
                            self.stack.push(v);
                            if self.frames.len() == entry {
                                return Ok(pop(&mut self.stack));
                            }
                            reload!();
                        }
                        Err(e) => {
                            // The tail call already replaced the caller's
                            // frame; put it back so the trace shows the call.
                            self.frames.push(Frame {
                                proto: proto.clone(),
                                pc,
                                base,
                            });
                            throw!(e);
                        }
                    }
                }
                Op::Return => {
                    if self.return_value(entry) {
                        return Ok(pop(&mut self.stack));
                    }
                    reload!();
                }
                Op::Closure(i) => {
                    let child = proto.children[i as usize].clone();
                    let captures: Box<[Value]> = child
                        .captures
                        .iter()
                        .map(|c| match *c {
                            crate::bytecode::CaptureFrom::Local(s) => self.stack[base + s as usize],
                            crate::bytecode::CaptureFrom::Capture(k) => self.capture(base, k),
                        })
                        .collect();
                    let v = self.heap.alloc(Obj::Closure(Closure {
                        proto: child,
                        captures,
                    }));
                    self.stack.push(v);
                }
                Op::Bin(op) => {
                    let b = pop(&mut self.stack);
                    let a = top(&self.stack);
                    let r = if self.inline_redefined & Vm::bin_bit(op) == 0 {
                        match fast_binop(op, a, b) {
                            Some(r) => r,
                            None => attempt!(arith::binop(self, op, a, b)),
                        }
                    } else {
                        let f = self.inline_global(op as usize);
                        self.frames[fi].pc = pc;
                        attempt!(self.call_value(f, &[a, b]))
                    };
                    let len = self.stack.len();
                    self.stack[len - 1] = r;
                }
                Op::Un(op) => {
                    let a = top(&self.stack);
                    let r = if self.inline_redefined & Vm::un_bit(op) == 0 {
                        attempt!(self.unop(op, a))
                    } else {
                        let f = self.inline_global(BinOp::ALL.len() + op as usize);
                        self.frames[fi].pc = pc;
                        attempt!(self.call_value(f, &[a]))
                    };
                    let len = self.stack.len();
                    self.stack[len - 1] = r;
                }
                Op::PushHandler(info) => {
                    self.handlers.push(Handler {
                        frame: fi,
                        stack_len: self.stack.len(),
                        info,
                    });
                }
                Op::PopHandler => {
                    self.handlers.pop();
                }
                Op::Reraise => {
                    let c = pop(&mut self.stack);
                    throw!(RtError::Raise(c));
                }
            }
        }
    }

    /// Pops the running frame, leaving its result on the caller's stack.
    /// Returns true when that frame was the entry frame of this execution
    /// (the result is then the top of the stack).
    #[inline]
    fn return_value(&mut self, entry: usize) -> bool {
        let v = pop(&mut self.stack);
        let frame = self.frames.pop().expect("return without a frame");
        self.stack.truncate(frame.base - 1);
        self.stack.push(v);
        self.frames.len() == entry
    }

    #[inline]
    fn capture(&self, base: usize, i: u32) -> Value {
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
        if let Value::Obj(r) = cell {
            if let Obj::Cell(slot) = self.heap.get_mut(r) {
                *slot = v;
            }
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

    fn unop(&mut self, op: UnOp, a: Value) -> RtResult<Value> {
        Ok(match op {
            UnOp::Not => Value::Bool(!a.is_truthy()),
            UnOp::IsNull => Value::Bool(a.is_nil()),
            UnOp::IsPair => Value::Bool(self.is_pair(a)),
            UnOp::First | UnOp::Car => self.car(a, op.global_name())?,
            UnOp::Rest | UnOp::Cdr => self.cdr(a, op.global_name())?,
            UnOp::Inc => arith::binop(self, BinOp::Add, a, Value::Int(1))?,
            UnOp::Dec => arith::binop(self, BinOp::Sub, a, Value::Int(1))?,
            UnOp::IsZero => match a {
                Value::Int(n) => Value::Bool(n == 0),
                Value::Float(f) => Value::Bool(f == 0.0),
                _ => return Err(crate::primitives::expected(self, "zero?", "number", a)),
            },
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

#[inline]
fn pop(stack: &mut Vec<Value>) -> Value {
    stack.pop().unwrap_or(Value::Nil)
}

#[inline]
fn top(stack: &[Value]) -> Value {
    stack.last().copied().unwrap_or(Value::Nil)
}

/// The integer and float cases of the inlined operators; `None` sends the
/// operation to the general (and erroring) path.
#[inline(always)]
fn fast_binop(op: BinOp, a: Value, b: Value) -> Option<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => match op {
            BinOp::Add => x.checked_add(y).map(Value::Int),
            BinOp::Sub => x.checked_sub(y).map(Value::Int),
            BinOp::Mul => x.checked_mul(y).map(Value::Int),
            BinOp::Lt => Some(Value::Bool(x < y)),
            BinOp::Gt => Some(Value::Bool(x > y)),
            BinOp::Le => Some(Value::Bool(x <= y)),
            BinOp::Ge => Some(Value::Bool(x >= y)),
            BinOp::NumEq | BinOp::Eq => Some(Value::Bool(x == y)),
            BinOp::Div | BinOp::Mod => None,
        },
        (Value::Float(x), Value::Float(y)) => match op {
            BinOp::Add => Some(Value::Float(x + y)),
            BinOp::Sub => Some(Value::Float(x - y)),
            BinOp::Mul => Some(Value::Float(x * y)),
            BinOp::Div => Some(Value::Float(x / y)),
            BinOp::Lt => Some(Value::Bool(x < y)),
            BinOp::Gt => Some(Value::Bool(x > y)),
            BinOp::Le => Some(Value::Bool(x <= y)),
            BinOp::Ge => Some(Value::Bool(x >= y)),
            BinOp::NumEq | BinOp::Eq => Some(Value::Bool(x == y)),
            BinOp::Mod => None,
        },
        _ => None,
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
        if expected == "1" { "" } else { "s" }
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
        if expected == "1" { "" } else { "s" }
    ))
}

fn not_callable(vm: &Vm, f: Value) -> RtError {
    RtError::with_data(
        "type-error",
        format!("not a function: {}", crate::printer::write_string(vm, f)),
        f,
    )
}
