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

impl Proto {
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
