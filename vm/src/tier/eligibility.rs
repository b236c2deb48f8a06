//! Whether a function may be compiled to machine code: decided once, when
//! it is compiled to bytecode, from [`Op::jit_support`] over the
//! instructions that can run.

use std::fmt;

use crate::bytecode::{JitSupport, Op, Proto};
use crate::value::Value;

/// A function's eligibility for the JIT tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eligibility {
    Eligible,
    /// The first reason it is not, at instruction `pc`.
    Ineligible {
        reason: &'static str,
        pc: u32,
    },
}

impl Eligibility {
    pub fn is_eligible(self) -> bool {
        self == Eligibility::Eligible
    }

    /// "eligible", or the reason with the source position of `proto`'s
    /// instruction.
    pub fn describe(self, proto: &Proto) -> String {
        match self {
            Eligibility::Eligible => "eligible".to_string(),
            Eligibility::Ineligible { reason, pc } => {
                match proto.spans.get(pc as usize).filter(|s| s.line > 0) {
                    Some(span) => format!(
                        "not eligible: {reason} (line {}, column {})",
                        span.line, span.col
                    ),
                    None => format!("not eligible: {reason}"),
                }
            }
        }
    }
}

impl fmt::Display for Eligibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Eligibility::Eligible => f.write_str("eligible"),
            Eligibility::Ineligible { reason, .. } => write!(f, "not eligible: {reason}"),
        }
    }
}

/// Decides `proto`'s eligibility. Only instructions reachable from the
/// start count: the out-of-line calls of inlined folds sit after the
/// function's code and run only once the operator is redefined (which
/// rewrites the fold's head into a jump to them, and then they count).
pub(crate) fn analyze(proto: &Proto) -> Eligibility {
    if proto.rest {
        return Eligibility::Ineligible {
            reason: "takes a rest list",
            pc: 0,
        };
    }
    let code: Vec<Op> = proto.code.iter().map(|c| c.get()).collect();
    let mut seen = vec![false; code.len()];
    let mut work = vec![0usize];
    let mut first: Option<(usize, &'static str)> = None;
    while let Some(pc) = work.pop() {
        if pc >= code.len() || std::mem::replace(&mut seen[pc], true) {
            continue;
        }
        let op = code[pc];
        if let Err(reason) = supported(proto, &code, pc)
            && first.is_none_or(|(at, _)| pc < at)
        {
            first = Some((pc, reason));
            continue;
        }
        work.extend(op.successors(pc));
    }
    match first {
        None => Eligibility::Eligible,
        Some((pc, reason)) => Eligibility::Ineligible {
            reason,
            pc: pc as u32,
        },
    }
}

/// Whether the instruction at `pc` may run in machine code.
fn supported(proto: &Proto, code: &[Op], pc: usize) -> Result<(), &'static str> {
    let op = code[pc];
    match op.jit_support() {
        JitSupport::Compiled | JitSupport::Call => Ok(()),
        JitSupport::Never(reason) => Err(reason),
        JitSupport::NumberConstant => match op {
            Op::LoadConst { k, .. } => match proto.consts.get(k as usize) {
                Some(Value::Int(_) | Value::Float(_)) => Ok(()),
                _ => Err("uses a constant that is not a number"),
            },
            _ => Ok(()),
        },
        JitSupport::GlobalFunction => match op {
            Op::GlobalGet { dst, .. } if only_called(code, pc, dst) => Ok(()),
            _ => Err("reads a global variable"),
        },
    }
}

/// Whether the value `GlobalGet` puts in `dst` at `pc` is only the function
/// of the call that follows: the next instruction naming `dst` is a call
/// with `dst` as its function.
fn only_called(code: &[Op], pc: usize, dst: u16) -> bool {
    let next_use = code[pc + 1..].iter().find(|op| {
        let operands = op.operands();
        operands
            .reads
            .iter()
            .chain(operands.writes.iter())
            .any(|r| r == u32::from(dst))
    });
    matches!(
        next_use,
        Some(Op::Call { base, .. } | Op::TailCall { base, .. }) if *base == dst
    )
}
