//! Bytecode: instructions and function prototypes.
//!
//! The interpreter is register-based, like Lua's: each frame owns a window
//! of the VM's value stack; parameters come first, then locals, then
//! temporaries. Every instruction is 8 bytes.

use std::rc::Rc;

use crate::span::Span;
use crate::symbol::Sym;
use crate::value::Value;

/// Binary operators with an inline fast path for numbers. Each is guarded:
/// if the program redefined the global it stands for, the instruction calls
/// the global instead.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Gt,
    Le,
    Ge,
    NumEq,
    Eq,
    Mod,
}

impl BinOp {
    /// The inlined operator a global name with two arguments stands for.
    pub fn for_name(name: &str) -> Option<BinOp> {
        BinOp::ALL.into_iter().find(|b| b.global_name() == name)
    }

    pub const ALL: [BinOp; 11] = [
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
        BinOp::Lt,
        BinOp::Gt,
        BinOp::Le,
        BinOp::Ge,
        BinOp::NumEq,
        BinOp::Eq,
        BinOp::Mod,
    ];

    /// The global whose built-in value this operator inlines.
    pub fn global_name(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::NumEq => "==",
            BinOp::Eq => "=",
            BinOp::Mod => "mod",
        }
    }
}

/// Unary operators inlined the same guarded way.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UnOp {
    Not,
    First,
    Car,
    Rest,
    Cdr,
    IsNull,
    IsPair,
    Inc,
    Dec,
    IsZero,
    /// The compiler's own `%car`, `%cdr`, `%pair?`, `%null?` (used by `for`
    /// and `match`).
    InternalCar,
    InternalCdr,
    InternalIsPair,
    InternalIsNull,
}

impl UnOp {
    pub fn for_name(name: &str) -> Option<UnOp> {
        UnOp::ALL.into_iter().find(|u| u.global_name() == name)
    }

    pub const ALL: [UnOp; 14] = [
        UnOp::Not,
        UnOp::First,
        UnOp::Car,
        UnOp::Rest,
        UnOp::Cdr,
        UnOp::IsNull,
        UnOp::IsPair,
        UnOp::Inc,
        UnOp::Dec,
        UnOp::IsZero,
        UnOp::InternalCar,
        UnOp::InternalCdr,
        UnOp::InternalIsPair,
        UnOp::InternalIsNull,
    ];

    pub fn global_name(self) -> &'static str {
        match self {
            UnOp::Not => "not",
            UnOp::First => "first",
            UnOp::Car => "car",
            UnOp::Rest => "rest",
            UnOp::Cdr => "cdr",
            UnOp::IsNull => "null?",
            UnOp::IsPair => "pair?",
            UnOp::Inc => "inc",
            UnOp::Dec => "dec",
            UnOp::IsZero => "zero?",
            UnOp::InternalCar => "%car",
            UnOp::InternalCdr => "%cdr",
            UnOp::InternalIsPair => "%pair?",
            UnOp::InternalIsNull => "%null?",
        }
    }
}

/// A register: an index into the running frame's register window.
pub type Reg = u16;

/// An instruction. Registers hold a frame's parameters, locals and
/// temporaries; a call's function and arguments sit in consecutive registers
/// and its result lands where the function was.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Op {
    Move {
        dst: Reg,
        src: Reg,
    },
    LoadConst {
        dst: Reg,
        k: u32,
    },
    LoadInt {
        dst: Reg,
        n: i32,
    },
    LoadNil {
        dst: Reg,
    },
    LoadBool {
        dst: Reg,
        b: bool,
    },
    /// Replace the value in a register with a fresh cell holding it.
    MakeCell {
        reg: Reg,
    },
    /// Read the cell held in `cell`.
    CellGet {
        dst: Reg,
        cell: Reg,
    },
    /// Write into the cell held in `cell`.
    CellSet {
        cell: Reg,
        src: Reg,
    },
    /// A captured value of the running closure.
    CaptureGet {
        dst: Reg,
        k: u16,
    },
    /// The content of a captured cell.
    CaptureCellGet {
        dst: Reg,
        k: u16,
    },
    CaptureCellSet {
        k: u16,
        src: Reg,
    },
    GlobalGet {
        dst: Reg,
        slot: u32,
    },
    /// `set!` of a global, which must already be bound.
    GlobalSet {
        src: Reg,
        slot: u32,
    },
    GlobalDefine {
        src: Reg,
        slot: u32,
    },
    Jump {
        target: u32,
    },
    JumpIfFalse {
        cond: Reg,
        target: u32,
    },
    JumpIfTrue {
        cond: Reg,
        target: u32,
    },
    /// Call the function in `base` with the `argc` arguments after it; the
    /// result replaces the function.
    Call {
        base: Reg,
        argc: u16,
        dst: Reg,
    },
    TailCall {
        base: Reg,
        argc: u16,
    },
    Return {
        src: Reg,
    },
    /// Make a closure from `children[idx]`.
    Closure {
        dst: Reg,
        idx: u32,
    },
    Bin {
        op: BinOp,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// A binary operator with a small integer as right operand.
    BinInt {
        op: BinOp,
        dst: Reg,
        a: Reg,
        n: i16,
    },
    Un {
        op: UnOp,
        dst: Reg,
        src: Reg,
    },
    /// Safe point on a loop back-edge: collect garbage, check limits.
    LoopHead,
    /// Establish `handlers[idx]`.
    PushHandler {
        idx: u32,
    },
    PopHandler,
    /// Raise the condition in a register again (end of a `finally`).
    Reraise {
        src: Reg,
    },
}

/// What a closure captures at creation: a slot of the enclosing frame or one
/// of the enclosing closure's captures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CaptureFrom {
    Local(u32),
    Capture(u32),
}

/// A `try` handler's static description: its catch clauses in order.
#[derive(Clone, Debug, Default)]
pub struct HandlerInfo {
    pub clauses: Vec<CatchClause>,
    /// Where the caught condition is stored before jumping to a clause.
    pub cond_reg: Reg,
}

#[derive(Clone, Debug)]
pub struct CatchClause {
    /// Condition types caught; empty means every condition (a `finally`).
    pub types: Vec<Sym>,
    /// Where the clause's code starts; it finds the condition on the stack.
    pub target: u32,
}

/// A compiled function.
#[derive(Debug, Default)]
pub struct Proto {
    pub name: Option<Sym>,
    pub code: Vec<Op>,
    /// Source position of each instruction (parallel to `code`).
    pub spans: Vec<Span>,
    pub consts: Vec<Value>,
    pub children: Vec<Rc<Proto>>,
    pub captures: Vec<CaptureFrom>,
    pub handlers: Vec<HandlerInfo>,
    /// Required parameters.
    pub nparams: u32,
    /// Whether extra arguments are collected into a rest list.
    pub rest: bool,
    /// Registers the frame needs: parameters (and the rest list), locals and
    /// temporaries.
    pub nregs: u32,
}

impl Op {
    /// The registers an instruction names.
    fn registers(self) -> impl Iterator<Item = Reg> {
        let (a, b, c): (Option<Reg>, Option<Reg>, Option<Reg>) = match self {
            Op::Move { dst, src } => (Some(dst), Some(src), None),
            Op::LoadConst { dst, .. }
            | Op::LoadInt { dst, .. }
            | Op::LoadNil { dst }
            | Op::LoadBool { dst, .. }
            | Op::CaptureGet { dst, .. }
            | Op::CaptureCellGet { dst, .. }
            | Op::GlobalGet { dst, .. }
            | Op::Closure { dst, .. } => (Some(dst), None, None),
            Op::MakeCell { reg } => (Some(reg), None, None),
            Op::CellGet { dst, cell } => (Some(dst), Some(cell), None),
            Op::CellSet { cell, src } => (Some(cell), Some(src), None),
            Op::CaptureCellSet { src, .. }
            | Op::GlobalSet { src, .. }
            | Op::GlobalDefine { src, .. }
            | Op::Return { src }
            | Op::Reraise { src } => (Some(src), None, None),
            Op::JumpIfFalse { cond, .. } | Op::JumpIfTrue { cond, .. } => (Some(cond), None, None),
            Op::Call { base, argc, dst } => {
                (Some(base), Some(base.saturating_add(argc)), Some(dst))
            }
            Op::TailCall { base, argc } => {
                // The function and its arguments must all be in the window.
                (Some(base), Some(base.saturating_add(argc)), None)
            }
            Op::Bin { dst, a, b, .. } => (Some(dst), Some(a), Some(b)),
            Op::BinInt { dst, a, .. } => (Some(dst), Some(a), None),
            Op::Un { dst, src, .. } => (Some(dst), Some(src), None),
            Op::Jump { .. } | Op::LoopHead | Op::PushHandler { .. } | Op::PopHandler => {
                (None, None, None)
            }
        };
        [a, b, c].into_iter().flatten()
    }

    /// Instructions after which execution never falls through.
    fn is_terminator(self) -> bool {
        matches!(
            self,
            Op::Return { .. } | Op::TailCall { .. } | Op::Jump { .. } | Op::Reraise { .. }
        )
    }
}

impl Proto {
    /// Checks the invariants the interpreter relies on to index registers
    /// and code without bounds checks: every register an instruction names
    /// is inside the frame's window, every jump and index is in range, and
    /// the code cannot run off its end.
    pub fn verify(&self) -> Result<(), String> {
        let n = self.code.len();
        if !self.code.last().is_some_and(|op| op.is_terminator()) {
            return Err("code does not end in a return or jump".into());
        }
        if self.spans.len() != n || (self.nparams + u32::from(self.rest)) > self.nregs {
            return Err("malformed prototype".into());
        }
        for (i, &op) in self.code.iter().enumerate() {
            if let Some(r) = op.registers().find(|&r| r as u32 >= self.nregs) {
                return Err(format!(
                    "instruction {i} names register {r} of {}",
                    self.nregs
                ));
            }
            let in_range = match op {
                Op::Jump { target }
                | Op::JumpIfFalse { target, .. }
                | Op::JumpIfTrue { target, .. } => (target as usize) < n,
                Op::LoadConst { k, .. } => (k as usize) < self.consts.len(),
                Op::Closure { idx, .. } => (idx as usize) < self.children.len(),
                Op::PushHandler { idx } => self.handlers.get(idx as usize).is_some_and(|h| {
                    (h.cond_reg as u32) < self.nregs
                        && h.clauses.iter().all(|c| (c.target as usize) < n)
                }),
                _ => true,
            };
            if !in_range {
                return Err(format!("instruction {i} ({op:?}) is out of range"));
            }
        }
        for child in &self.children {
            let ok = child.captures.iter().all(|c| match *c {
                CaptureFrom::Local(s) => s < self.nregs,
                CaptureFrom::Capture(_) => true,
            });
            if !ok {
                return Err("closure captures a register outside the frame".into());
            }
        }
        Ok(())
    }

    /// The name shown in stack traces and printed functions.
    pub fn trace_name(&self) -> Sym {
        self.name.unwrap_or_else(|| Sym::intern("<lambda>"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn instructions_are_eight_bytes() {
        assert_eq!(std::mem::size_of::<super::Op>(), 8);
    }
}
