//! elle-vm: the Elle language runtime without a JIT.
//!
//! Pipeline: [`reader`] (text → [`datum::Datum`] with spans) →
//! [`compiler`] (macro expansion, scope analysis, bytecode) → the
//! interpreter ([`interp`], driven by [`vm::Vm`]).

pub mod bytecode;
pub mod compiler;
pub mod conditions;
pub mod datum;
pub mod disasm;
pub mod equality;
pub mod error;
pub mod eval;
pub mod heap;
pub mod inlining;
pub mod interp;
pub mod object;
pub mod prelude;
pub mod primitives;
pub mod printer;
pub mod reader;
pub mod span;
pub mod symbol;
pub mod value;
pub mod vm;

pub use error::{ElleError, FramesLeftOut, RtError};
pub use value::Value;
pub use vm::Vm;
