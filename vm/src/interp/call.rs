//! Calls: pushing frames, binding arguments, running built-ins, and the
//! errors a call can raise. The interpreter's fast path for the common
//! case (a closure called with exactly its parameters) lives in the
//! dispatch loop; everything else comes here.

use crate::bytecode::Proto;
use crate::error::{RtError, RtResult};
use crate::object::Obj;
use crate::value::{NativeId, Value};
use crate::vm::{Control, Frame, Native, NativeImpl, Vm};

/// What starting a call did.
pub(super) enum Entered {
    /// A frame was pushed; the loop continues in it.
    Frame,
    /// A built-in ran; here is its value.
    Value(Value),
}

/// What running a built-in gave.
pub(super) enum NativeOutcome {
    Value(Value),
    /// A control built-in handed back a call with this many arguments,
    /// now in place of the built-in and its arguments.
    Redirect(usize),
}

impl Vm {
    /// Grows the value stack so that index `len - 1` exists.
    #[inline(always)]
    pub(crate) fn ensure_stack(&mut self, len: usize) {
        if self.stack.len() < len {
            self.grow_stack(len);
        }
    }

    #[cold]
    fn grow_stack(&mut self, len: usize) {
        let new_len = len.max(self.stack.len() * 2);
        let before = self.stack.capacity();
        self.stack.resize(new_len, Value::Nil);
        let grown = (self.stack.capacity() - before) * std::mem::size_of::<Value>();
        self.heap.note_outside(grown as isize);
    }

    /// Pushes `frame` after checking the depth limit (not counting the
    /// frame a tail call is about to replace) and making room for its
    /// registers. Its registers past the arguments are not cleared: the
    /// compiler writes every local and temporary before reading it, and a
    /// stale value in a register can at worst keep an object alive until the
    /// register is reused.
    #[inline(always)]
    pub(super) fn push_frame(&mut self, frame: Frame, replacing: bool) -> RtResult<()> {
        if self.frames.len() - usize::from(replacing) >= self.depth_limit() {
            return Err(self.stack_overflow());
        }
        self.ensure_stack(frame.top());
        self.push_frame_record(frame);
        Ok(())
    }

    /// Appends a frame record. Reserving before writing lets the record be
    /// stored straight into the frame stack instead of being staged on the
    /// native stack and copied (which stalls on store forwarding).
    #[inline(always)]
    pub(crate) fn push_frame_record(&mut self, frame: Frame) {
        if self.frames.len() == self.frames.capacity() {
            self.frames.reserve(self.frames.len().max(64));
        }
        let len = self.frames.len();
        // SAFETY: the capacity check above leaves room for one more frame,
        // and `Frame` is `Copy`, so writing it needs no drop of the slot.
        unsafe {
            self.frames.as_mut_ptr().add(len).write(frame);
            self.frames.set_len(len + 1);
        }
    }

    /// Frames allowed now: the configured depth, plus some headroom while
    /// a condition handler runs.
    #[inline(always)]
    pub(crate) fn depth_limit(&self) -> usize {
        self.max_depth + self.depth_headroom
    }

    #[cold]
    pub(super) fn stack_overflow(&self) -> RtError {
        RtError::new(
            "stack-overflow",
            format!("stack overflow: call depth exceeded {}", self.max_depth),
        )
    }

    /// Starts a call of the function at `stack[fpos]` with `argc` arguments
    /// after it: pushes a frame for a closure (returning into stack slot
    /// `ret`), or runs a built-in to its value. `replacing`: a tail call,
    /// whose caller's frame is still on top and goes once the call started.
    pub(super) fn enter_call(
        &mut self,
        fpos: usize,
        mut argc: usize,
        ret: usize,
        replacing: bool,
    ) -> RtResult<Entered> {
        loop {
            let f = self.stack[fpos];
            match f {
                Value::Obj(r) => {
                    let Obj::Closure(c) = self.heap.get(r) else {
                        return Err(not_callable(self, f));
                    };
                    let frame = Frame::running(r, c, fpos + 1, ret);
                    self.bind_arguments(frame.proto(), fpos + 1, argc)?;
                    self.push_frame(frame, replacing)?;
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

    /// The common call of a built-in, straight from the dispatch loop: a
    /// plain one or a host's closure, given an acceptable count of at most
    /// four arguments. `None` sends the call down the general path.
    #[inline(always)]
    pub(super) fn call_native_fast(
        &mut self,
        id: NativeId,
        fpos: usize,
        argc: usize,
    ) -> Option<RtResult<Value>> {
        let native = &self.natives[id.0 as usize];
        let n = argc as u32;
        if argc > 4 || n < native.min_args || native.max_args.is_some_and(|m| n > m) {
            return None;
        }
        let imp = match &native.imp {
            NativeImpl::Plain(func) => Ok(*func),
            // Held for the call, as in `call_native`.
            NativeImpl::Closure(func) => Err(func.clone()),
            NativeImpl::Control(_) => return None,
        };
        let mut args = [Value::Nil; 4];
        args[..argc].copy_from_slice(&self.stack[fpos + 1..fpos + 1 + argc]);
        Some(match imp {
            Ok(func) => func(self, &args[..argc]),
            Err(func) => func(self, &args[..argc]),
        })
    }

    /// Runs the built-in at `stack[fpos]`. A control built-in that hands
    /// back a call leaves that function and its arguments at `fpos`.
    pub(super) fn call_native(&mut self, fpos: usize, argc: usize) -> RtResult<NativeOutcome> {
        let Value::Native(id) = self.stack[fpos] else {
            return Err(not_callable(self, self.stack[fpos]));
        };
        let native = &self.natives[id.0 as usize];
        check_native_arity(native, argc)?;
        // A clone: a closure's `Rc` is held for the call, since the closure
        // may register natives (moving `self.natives`) while it runs.
        let imp = native.imp.clone();
        // Built-ins get their arguments as a slice they may hold while
        // they use the VM mutably, so the arguments are copied out.
        let mut small = [Value::Nil; 4];
        let large: Vec<Value>;
        let args: &[Value] = if argc <= small.len() {
            small[..argc].copy_from_slice(&self.stack[fpos + 1..fpos + 1 + argc]);
            &small[..argc]
        } else {
            large = self.stack[fpos + 1..fpos + 1 + argc].to_vec();
            &large
        };
        // The arguments stay rooted while the built-in runs, even when a
        // control built-in's redirection put them above the running frame.
        let saved_top = self.rooted_top;
        self.rooted_top = saved_top.max(fpos + 1 + argc);
        let outcome = match imp {
            NativeImpl::Plain(func) => func(self, args).map(Control::Return),
            NativeImpl::Control(func) => func(self, args),
            NativeImpl::Closure(func) => func(self, args).map(Control::Return),
        };
        self.rooted_top = saved_top;
        match outcome? {
            Control::Return(v) => Ok(NativeOutcome::Value(v)),
            Control::Call(g, gargs) => {
                self.ensure_stack(fpos + 1 + gargs.len());
                self.stack[fpos] = g;
                self.stack[fpos + 1..fpos + 1 + gargs.len()].copy_from_slice(&gargs);
                Ok(NativeOutcome::Redirect(gargs.len()))
            }
        }
    }

    /// Checks the argument count and gathers a rest list.
    fn bind_arguments(&mut self, proto: &Proto, base: usize, argc: usize) -> RtResult<()> {
        let nparams = proto.nparams as usize;
        if argc == nparams && !proto.rest {
            return Ok(());
        }
        if !proto.rest || argc < nparams {
            return Err(arity_mismatch(proto, argc));
        }
        let list = self.heap.list(&self.stack[base + nparams..base + argc]);
        self.ensure_stack(base + nparams + 1);
        self.stack[base + nparams] = list;
        Ok(())
    }
}

fn check_native_arity(native: &Native, argc: usize) -> RtResult<()> {
    let n = argc as u32;
    if n >= native.min_args && native.max_args.is_none_or(|m| n <= m) {
        return Ok(());
    }
    Err(RtError::wrong_arg_count(
        native.name,
        native.min_args as usize,
        native.max_args.map(|m| m as usize),
        argc,
    ))
}

fn arity_mismatch(proto: &Proto, argc: usize) -> RtError {
    let n = proto.nparams as usize;
    let max = (!proto.rest).then_some(n);
    RtError::wrong_arg_count(proto.trace_name(), n, max, argc)
}

fn not_callable(vm: &Vm, f: Value) -> RtError {
    RtError::with_data(
        "type-error",
        format!("not a function: {}", crate::printer::write_string(vm, f)),
        f,
    )
}
