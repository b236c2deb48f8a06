//! elle-vm: the Elle language runtime without a JIT.
//!
//! Pipeline: [`reader`] (text → [`datum::Datum`] with spans) →
//! [`compiler`] (macro expansion, scope analysis, bytecode) → the
//! interpreter (driven by [`vm::Vm`]).

pub mod bytecode;
pub mod capabilities;
pub mod compiler;
pub(crate) mod conditions;
pub mod datum;
pub mod disasm;
pub(crate) mod equality;
pub mod error;
pub(crate) mod eval;
pub mod foreign;
pub mod heap;
pub mod host;
pub(crate) mod inlining;
pub(crate) mod interp;
pub mod limits;
pub(crate) mod native_stack;
pub mod object;
pub(crate) mod prelude;
pub(crate) mod primitives;
pub mod printer;
pub mod reader;
pub mod span;
pub mod symbol;
pub mod tier;
pub mod value;
pub mod vm;

pub use conditions::{Debugger, RestartInfo};
pub use error::{ElleError, FramesLeftOut, RtError};
pub use value::Value;
pub use vm::Vm;
