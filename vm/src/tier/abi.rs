//! The boundary between the interpreter and compiled code: the context
//! compiled code is entered with, its entry signature, its statuses and the
//! deoptimisation record. The JIT reads the context's fields at their
//! `offset_of!` offsets.
//!
//! Compiled functions call each other *directly*, with nothing but a call
//! budget and their untagged arguments: no context, no stack index. What
//! they may touch, and why it stays valid for a whole entry:
//! - the entry's frame on the value stack, through [`JitCtx::stack`]: an
//!   interpreter entry or a loop entry reads the frame's registers there;
//!   the stack does not move, because nothing grows it while compiled code
//!   runs;
//! - the globals through [`JitCtx::globals`], read only (entry guards
//!   compare what a global holds with the function the code was compiled
//!   against); compiled code never defines a global, so the table does not
//!   move;
//! - the deoptimisation record, only through [`deopt_frame`], which finds
//!   the running entry's record through a thread-local that
//!   `enter` sets for exactly the duration of the call.
//!
//! It allocates nothing on the heap and runs no Elle code, so no collection
//! can happen while it runs.

use std::cell::Cell;

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
    /// and their registers are in the deoptimisation record.
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
    /// The global slots.
    pub globals: *const Value,
    /// Calls (not tail calls) compiled code may nest from the entry frame:
    /// the frames the depth limit still allows, or fewer when the native
    /// stack has room for fewer compiled frames. A function that would call
    /// with no budget left deoptimises instead, and the interpreter (which
    /// does not recurse natively) raises `stack-overflow` at the call or
    /// carries on.
    pub budget: u64,
    /// The countdown of the host's limits (`Vm::limits`), for code compiled
    /// with check points (`Request::limits`): it decrements it at each loop
    /// back-edge and call, as the interpreter does, and deoptimises at the
    /// check point that would bring it to zero, so that the interpreter
    /// runs that check point and its slow path. Copied in before the entry
    /// and back after it.
    pub countdown: u32,
    /// The returned value's tag and payload words.
    pub result: [u64; 2],
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

/// One activation of compiled code being turned back into an interpreter
/// frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeoptFrame {
    /// The closure the frame runs (an `ObjRef`'s index).
    pub closure: u32,
    /// Where the interpreter resumes it.
    pub pc: u32,
    /// Whether it stopped because its callee did: then the record before
    /// it is that callee's, whose frame and return register follow from
    /// the `Call` instruction just before `pc`.
    pub called: bool,
    /// Index of its first register in [`Deopt::values`].
    pub values: usize,
}

/// What one deoptimisation gives back: frames innermost first, and their
/// registers.
#[derive(Default)]
pub struct Deopt {
    pub frames: Vec<DeoptFrame>,
    /// Every frame's registers, in the frames' order. Values held here are
    /// not roots: the record is filled while compiled code runs (which
    /// cannot collect) and emptied into the value stack before any Elle
    /// code runs (`Vm::rebuild_frames`).
    pub values: Vec<Value>,
}

thread_local! {
    /// The record of the entry running on this thread, null outside
    /// `enter`.
    static ACTIVE: Cell<*mut Deopt> = const { Cell::new(std::ptr::null_mut()) };
}

/// Calls `entry` with `ctx` and `base`, with `record` as the record
/// [`deopt_frame`] fills.
///
/// # Safety
///
/// `entry` must be compiled code whose memory is alive for the call, and
/// `ctx` must satisfy what the module comment lists.
pub(crate) unsafe fn enter(entry: EntryFn, ctx: &mut JitCtx, base: u64, record: &mut Deopt) -> u64 {
    let previous = ACTIVE.replace(record);
    // SAFETY: the caller's contract; `ACTIVE` points at `record`, which
    // outlives the call, and nothing else uses the record meanwhile.
    let status = unsafe { entry(ctx, base) };
    ACTIVE.set(previous);
    status
}

/// Records a frame that compiled code gives back to the interpreter and
/// returns where its `nregs` registers go (nil until the code writes the
/// live ones). Frames are recorded innermost first; `called` (0 or 1) says
/// the frame stopped because the frame recorded before it, its callee, did.
///
/// # Safety
///
/// Only compiled code running inside `enter` may call it, and it may
/// write only the `nregs` values returned, each a valid `Value`, before
/// calling it again or returning.
pub unsafe extern "C" fn deopt_frame(closure: u64, pc: u64, called: u64, nregs: u64) -> *mut Value {
    let record = ACTIVE.get();
    assert!(!record.is_null(), "deoptimisation outside compiled code");
    // SAFETY: `enter` set `ACTIVE` to the running entry's record, which no
    // one else touches while compiled code runs.
    let record = unsafe { &mut *record };
    let start = record.values.len();
    record.frames.push(DeoptFrame {
        closure: closure as u32,
        pc: pc as u32,
        called: called != 0,
        values: start,
    });
    record.values.resize(start + nregs as usize, Value::Nil);
    record.values[start..].as_mut_ptr()
}

/// `mod` of two floats, for compiled code (Cranelift has no float
/// remainder): the interpreter's own function, so both tiers agree.
pub extern "C" fn float_mod(x: f64, y: f64) -> f64 {
    crate::primitives::arith::float_modulo(x, y)
}
