//! Bytecode: instructions and function prototypes.
//!
//! The interpreter is stack-based. A frame's locals occupy fixed slots at the
//! bottom of its stack window (parameters first); the operand stack sits
//! above them. Every instruction is 8 bytes.

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
}

impl UnOp {
    pub fn for_name(name: &str) -> Option<UnOp> {
        UnOp::ALL.into_iter().find(|u| u.global_name() == name)
    }

    pub const ALL: [UnOp; 10] = [
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
        }
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Op {
    /// Push `consts[i]`.
    Const(u32),
    /// Push a small integer.
    Int(i32),
    Nil,
    True,
    False,
    Pop,
    Dup,
    /// Pop `n` values below the top value, keeping the top.
    Squash(u32),
    LocalGet(u32),
    /// Pop into a local slot.
    LocalSet(u32),
    /// Replace the value in a local slot with a fresh cell holding it.
    MakeCell(u32),
    /// Push the content of the cell in a local slot.
    CellGet(u32),
    /// Pop into the cell in a local slot.
    CellSet(u32),
    /// Push a captured value of the running closure.
    CaptureGet(u32),
    /// Push the content of a captured cell.
    CaptureCellGet(u32),
    /// Pop into a captured cell.
    CaptureCellSet(u32),
    GlobalGet(u32),
    /// Pop into a global that must already be bound (`set!`).
    GlobalSet(u32),
    /// Pop into a global, defining it.
    GlobalDefine(u32),
    Jump(u32),
    /// Pop; jump when false.
    JumpIfFalse(u32),
    /// Pop; jump when true.
    JumpIfTrue(u32),
    /// `and`: jump keeping the top when false, else pop it.
    JumpIfFalseKeep(u32),
    /// `or`: jump keeping the top when true, else pop it.
    JumpIfTrueKeep(u32),
    /// Call the value below `argc` arguments.
    Call(u32),
    TailCall(u32),
    Return,
    /// Make a closure from `children[i]`.
    Closure(u32),
    Bin(BinOp),
    Un(UnOp),
    /// Safe point on a loop back-edge: collect garbage, check limits.
    LoopHead,
    /// Push a `try` handler whose catch code starts at the target. The
    /// operand is an index into `Proto::handlers`.
    PushHandler(u32),
    PopHandler,
    /// Re-raise the condition on top of the stack (end of a `finally`).
    Reraise,
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
    /// Local slots, parameters (and the rest list) included.
    pub nlocals: u32,
}

impl Proto {
    /// The name shown in stack traces and printed functions.
    pub fn trace_name(&self) -> Sym {
        self.name.unwrap_or_else(|| Sym::intern("<lambda>"))
    }
}
