//! elle-vm: the Elle language runtime without a JIT.
//!
//! Pipeline: [`reader`] (text → [`datum::Datum`] with spans) → expander
//! (macros) → compiler (scope analysis, bytecode) → interpreter.

pub mod datum;
pub mod reader;
pub mod span;
pub mod symbol;
