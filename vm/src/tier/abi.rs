//! The boundary between the interpreter and compiled code: the context
//! compiled code runs with, its entry signature, its statuses and the
//! deoptimisation record. The JIT reads the context's fields at their
//! `offset_of!` offsets.
//!
//! What compiled code may touch, and why it stays valid for a whole entry:
//! - the value stack through [`JitCtx::stack`], below
//!   [`JitCtx::stack_len`]: it writes registers back there when it
//!   deoptimises; the stack does not move, because nothing grows it while
//!   compiled code runs;
//! - the globals through [`JitCtx::globals`], read only (its guards compare
//!   what a global holds with the function it was compiled against);
//!   compiled code never defines a global, so the table does not move;
//! - the deoptimisation record, only through [`deopt_frame`].
//!
//! It allocates nothing on the heap and runs no Elle code, so no collection
//! can happen while it runs.

use crate::value::Value;

/// An entry of compiled code: `ctx`, and the stack index of the frame's
/// first register. Returns a [`Status`] code.
pub type EntryFn = unsafe extern "C" fn(ctx: *mut JitCtx, base: u64) -> u64;

/// What an entry did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The registers did not have the types the code was compiled for;
    /// nothing was done.
    Declined = 0,
    /// The function returned; its value is in the `result` field of
    /// [`JitCtx`].
    Returned = 1,
    /// The code stopped at an instruction it does not handle: the frames
    /// are in the deoptimisation record and their registers on the stack.
    Deoptimised = 2,
}

impl Status {
    pub fn from_code(code: u64) -> Status {
        match code {
            1 => Status::Returned,
            2 => Status::Deoptimised,
            _ => Status::Declined,
        }
    }
}

/// The context of one entry into compiled code.
#[repr(C)]
pub struct JitCtx {
    /// The value stack.
    pub stack: *mut Value,
    /// Slots in the value stack: a callee whose registers would not fit
    /// deoptimises at the call, and the interpreter grows the stack.
    pub stack_len: u64,
    /// The global slots.
    pub globals: *const Value,
    /// Frames allowed (`--max-depth` plus handler headroom): a call made at
    /// this depth deoptimises, and the interpreter raises `stack-overflow`.
    pub depth_limit: u64,
    /// Frames on the frame stack, the entry frame included.
    pub depth: u64,
    /// The lowest native stack address compiled code may use: a function
    /// entered below it deoptimises before doing anything, and the
    /// interpreter, which does not recurse natively, carries on.
    pub native_floor: u64,
    /// The returned value's tag and payload words.
    pub result: [u64; 2],
    pub(crate) deopt: *mut Vec<DeoptFrame>,
}

impl JitCtx {
    /// The value in `result`.
    pub(crate) fn result(&self) -> Value {
        let mut v = Value::Nil;
        // SAFETY: compiled code stores a tag from `value::TAG_*` and a
        // payload valid for it (an integer, a float's bits, 0 or 1 for a
        // boolean, anything for nil); `Value` is `repr(u64)` with the tag
        // word at offset 0 and the payload at `PAYLOAD_OFFSET` (checked in
        // value.rs), so those two words are a valid `Value`.
        unsafe {
            let words = (&mut v as *mut Value).cast::<u64>();
            words.write(self.result[0]);
            words.add(1).write(self.result[1]);
        }
        v
    }
}

/// One frame of compiled code being turned back into an interpreter frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeoptFrame {
    /// The closure the frame runs (an `ObjRef`'s index).
    pub closure: u32,
    /// The stack index of its first register.
    pub base: u64,
    /// Where its value goes (the caller's register).
    pub ret: u64,
    /// Where the interpreter resumes it.
    pub pc: u32,
}

/// The `callee_ret` of a frame that did not deoptimise because of a call.
pub const NO_CALLEE: u64 = u64::MAX;

/// Records a frame that compiled code gives back to the interpreter. Frames
/// are recorded innermost first: a function deoptimising because its callee
/// did passes `callee_ret`, where the callee's value goes, which completes
/// the callee's record.
///
/// # Safety
///
/// `ctx` must be the context compiled code was entered with.
pub unsafe extern "C" fn deopt_frame(
    ctx: *mut JitCtx,
    closure: u64,
    base: u64,
    pc: u64,
    callee_ret: u64,
) {
    // SAFETY: the caller passes the context of the running entry, whose
    // `deopt` points at the VM's record, untouched by anything else while
    // compiled code runs (`Vm::tier_enter`).
    let frames = unsafe { &mut *(*ctx).deopt };
    if callee_ret != NO_CALLEE
        && let Some(callee) = frames.last_mut()
    {
        callee.ret = callee_ret;
    }
    frames.push(DeoptFrame {
        closure: closure as u32,
        base,
        ret: 0,
        pc: pc as u32,
    });
}
