//! Bytecode: instructions and function prototypes.
//!
//! The interpreter is register-based, like Lua's: each frame owns a window
//! of the VM's value stack; parameters come first, then locals, then
//! temporaries. Every instruction is 8 bytes.

use std::cell::Cell;
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
    VectorRef,
}

impl BinOp {
    /// The inlined operator a global name with two arguments stands for.
    pub fn for_name(name: &str) -> Option<BinOp> {
        BinOp::ALL.into_iter().find(|b| b.global_name() == name)
    }

    pub const ALL: [BinOp; 12] = [
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
        BinOp::VectorRef,
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
            BinOp::VectorRef => "vector-ref",
        }
    }
}

/// The inlined built-ins are numbered (their *bits*): the binary operators,
/// then the unary ones, then `vector-set!`. `crate::inlining` tracks which
/// are redefined by that number.
impl BinOp {
    pub fn bit(self) -> u8 {
        self as u8
    }
}

impl UnOp {
    pub fn bit(self) -> u8 {
        (BinOp::ALL.len() + self as usize) as u8
    }
}

/// The bit of `vector-set!`.
pub const VECTOR_SET_BIT: u8 = (BinOp::ALL.len() + UnOp::ALL.len()) as u8;

/// The global names of the inlined built-ins, indexed by bit.
pub fn inlined_names() -> impl Iterator<Item = &'static str> {
    BinOp::ALL
        .iter()
        .map(|b| b.global_name())
        .chain(UnOp::ALL.iter().map(|u| u.global_name()))
        .chain(["vector-set!"])
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
    Neg,
    Sqrt,
    Abs,
    IsEven,
    IsOdd,
    IsPos,
    IsNeg,
}

impl UnOp {
    pub fn for_name(name: &str) -> Option<UnOp> {
        UnOp::ALL.into_iter().find(|u| u.global_name() == name)
    }

    pub const ALL: [UnOp; 21] = [
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
        UnOp::Neg,
        UnOp::Sqrt,
        UnOp::Abs,
        UnOp::IsEven,
        UnOp::IsOdd,
        UnOp::IsPos,
        UnOp::IsNeg,
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
            UnOp::Neg => "-",
            UnOp::Sqrt => "sqrt",
            UnOp::Abs => "abs",
            UnOp::IsEven => "even?",
            UnOp::IsOdd => "odd?",
            UnOp::IsPos => "pos?",
            UnOp::IsNeg => "neg?",
        }
    }
}

/// A register: an index into the running frame's register window.
pub type Reg = u16;

// The ranges of the instructions' fields. The compiler checks every count
// and index it stores in a field against these, and a program that exceeds
// one is a `syntax-error` naming the limit: a narrowing conversion that
// wrapped would name the wrong register or constant and silently compute a
// wrong result.

/// Registers one function may use (parameters, locals and temporaries):
/// exactly the numbers a [`Reg`] can hold.
pub const MAX_REGS: u32 = Reg::MAX as u32 + 1;
/// Arguments of one call (`argc` of `Op::Call` and `Op::TailCall`).
pub const MAX_ARGS: usize = u16::MAX as usize;
/// Values one closure captures (`k` of `Op::CaptureGet` and the like).
pub const MAX_CAPTURES: usize = u16::MAX as usize + 1;
/// Instructions, constants, nested functions and handlers of one function
/// (their positions and indices are `u32`; a position one past the last
/// instruction must fit too).
pub const MAX_ITEMS: usize = u32::MAX as usize;

/// An instruction. Registers hold a frame's parameters, locals and
/// temporaries; a call's function and arguments sit in consecutive registers
/// and its result lands in `dst`.
///
/// The set is flat: each arithmetic, comparison and list operation the
/// compiler inlines has its own instruction, in a register-register form and
/// (for binary operators) a register-immediate form, so the interpreter
/// dispatches once per operation. A comparison used as an `if` or `while`
/// test is fused with its branch (`JumpUnless*`). When the program
/// redefines a global that instructions inline, `crate::inlining` rewrites
/// every such instruction into its generic form (`Call*`), which calls the
/// global: the inlined forms never check for redefinition.
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
    /// A jump that does not close a loop: forward, or back from the
    /// out-of-line call of an inlined fold (see `Proto::folds`).
    Jump {
        target: u32,
    },
    /// A loop's back-edge: a safe point (garbage collection, limits), then
    /// a jump to the loop's start.
    JumpBack {
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
    // A comparison fused with its branch: jump to `target` unless
    // `a op b` (or `a op n`) holds. Targets fit 16 bits; a function too
    // long for that is compiled without fusion.
    JumpUnlessLt {
        a: Reg,
        b: Reg,
        target: u16,
    },
    JumpUnlessLtI {
        a: Reg,
        n: i16,
        target: u16,
    },
    JumpUnlessGt {
        a: Reg,
        b: Reg,
        target: u16,
    },
    JumpUnlessGtI {
        a: Reg,
        n: i16,
        target: u16,
    },
    JumpUnlessLe {
        a: Reg,
        b: Reg,
        target: u16,
    },
    JumpUnlessLeI {
        a: Reg,
        n: i16,
        target: u16,
    },
    JumpUnlessGe {
        a: Reg,
        b: Reg,
        target: u16,
    },
    JumpUnlessGeI {
        a: Reg,
        n: i16,
        target: u16,
    },
    JumpUnlessNumEq {
        a: Reg,
        b: Reg,
        target: u16,
    },
    JumpUnlessNumEqI {
        a: Reg,
        n: i16,
        target: u16,
    },
    JumpUnlessEq {
        a: Reg,
        b: Reg,
        target: u16,
    },
    JumpUnlessEqI {
        a: Reg,
        n: i16,
        target: u16,
    },
    /// Jump to `target` if `(pair? src)` (`op` names the guarded global)
    /// is `when`.
    BranchPair {
        op: UnOp,
        src: Reg,
        when: bool,
        target: u16,
    },
    /// Jump to `target` if `(null? src)` is `when`.
    BranchNull {
        op: UnOp,
        src: Reg,
        when: bool,
        target: u16,
    },
    /// Starts a `for` loop: `state` holds the sequence; it is checked and
    /// put in the form `ForNext` walks (a list, or a vector or string with
    /// the position in `state + 1` and a vector's length at the start in
    /// `state + 2`; a table's or struct's keys are copied into a vector
    /// first).
    ForPrep {
        state: Reg,
    },
    /// The next item of a `for` loop into `var`. When there is one, the
    /// instruction after this one (the jump out of the loop) is skipped.
    ForNext {
        state: Reg,
        var: Reg,
    },
    /// Call the function in `base` with the `argc` arguments after it; the
    /// result goes to `dst`.
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
    Add {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    AddI {
        dst: Reg,
        a: Reg,
        n: i16,
    },
    Sub {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    SubI {
        dst: Reg,
        a: Reg,
        n: i16,
    },
    Mul {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    MulI {
        dst: Reg,
        a: Reg,
        n: i16,
    },
    Div {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    DivI {
        dst: Reg,
        a: Reg,
        n: i16,
    },
    Mod {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    ModI {
        dst: Reg,
        a: Reg,
        n: i16,
    },
    // Comparisons whose boolean is wanted as a value.
    Lt {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    LtI {
        dst: Reg,
        a: Reg,
        n: i16,
    },
    Gt {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    GtI {
        dst: Reg,
        a: Reg,
        n: i16,
    },
    Le {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    LeI {
        dst: Reg,
        a: Reg,
        n: i16,
    },
    Ge {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    GeI {
        dst: Reg,
        a: Reg,
        n: i16,
    },
    NumEq {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    NumEqI {
        dst: Reg,
        a: Reg,
        n: i16,
    },
    Eq {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    EqI {
        dst: Reg,
        a: Reg,
        n: i16,
    },
    VectorRef {
        dst: Reg,
        vec: Reg,
        idx: Reg,
    },
    VectorRefI {
        dst: Reg,
        vec: Reg,
        n: i16,
    },
    /// `(vector-set! v i x)` for its effect only.
    VectorSet {
        vec: Reg,
        idx: Reg,
        val: Reg,
    },
    VectorSetI {
        vec: Reg,
        n: i16,
        val: Reg,
    },
    /// The pair operations: `op` is one of `First`, `Car`, `InternalCar`
    /// (and the `cdr` family for `Cdr`), which name the guarded global.
    Car {
        op: UnOp,
        dst: Reg,
        src: Reg,
    },
    Cdr {
        op: UnOp,
        dst: Reg,
        src: Reg,
    },
    IsPair {
        op: UnOp,
        dst: Reg,
        src: Reg,
    },
    IsNull {
        op: UnOp,
        dst: Reg,
        src: Reg,
    },
    /// The other inlined unary operators (`not`, `inc`, `zero?`, ...).
    Un {
        op: UnOp,
        dst: Reg,
        src: Reg,
    },
    // The generic forms of inlined instructions, after the built-in they
    // inline (`bit`) was redefined: each calls the global.
    /// `dst = (global a b)`.
    CallBinary {
        bit: u8,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// `dst = (global a n)`.
    CallBinaryI {
        bit: u8,
        dst: Reg,
        a: Reg,
        n: i16,
    },
    /// Jump to `target` unless `(global a b)` is true.
    CallBranch {
        bit: u8,
        a: Reg,
        b: Reg,
        target: u16,
    },
    CallBranchI {
        bit: u8,
        a: Reg,
        n: i16,
        target: u16,
    },
    /// `(global a b c)` for its effect.
    CallTernary {
        bit: u8,
        a: Reg,
        b: Reg,
        c: Reg,
    },
    CallTernaryI {
        bit: u8,
        a: Reg,
        n: i16,
        c: Reg,
    },
    /// `dst = (global src)`.
    CallUnary {
        bit: u8,
        dst: Reg,
        src: Reg,
    },
    /// Jump to `target` if the truth of `(global src)` is `when`.
    CallTest {
        bit: u8,
        src: Reg,
        when: bool,
        target: u16,
    },
    /// Establish `handlers[idx]`.
    PushHandler {
        idx: u32,
    },
    PopHandler,
    /// The end of a `finally`'s cleanup run while unwinding: the unwinding
    /// goes on.
    EndFinally,
}

/// The comparisons that have their own instructions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CmpOp {
    Lt,
    Gt,
    Le,
    Ge,
    /// `==`: numeric equality across types.
    NumEq,
    /// `=`: structural equality.
    Eq,
}

impl CmpOp {
    pub fn from_bin(op: BinOp) -> Option<CmpOp> {
        Some(match op {
            BinOp::Lt => CmpOp::Lt,
            BinOp::Gt => CmpOp::Gt,
            BinOp::Le => CmpOp::Le,
            BinOp::Ge => CmpOp::Ge,
            BinOp::NumEq => CmpOp::NumEq,
            BinOp::Eq => CmpOp::Eq,
            _ => return None,
        })
    }

    pub fn bin(self) -> BinOp {
        match self {
            CmpOp::Lt => BinOp::Lt,
            CmpOp::Gt => BinOp::Gt,
            CmpOp::Le => BinOp::Le,
            CmpOp::Ge => BinOp::Ge,
            CmpOp::NumEq => BinOp::NumEq,
            CmpOp::Eq => BinOp::Eq,
        }
    }
}

/// What a closure captures at creation: a slot of the enclosing frame or one
/// of the enclosing closure's captures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CaptureFrom {
    Local(u32),
    Capture(u32),
}

/// What a `PushHandler` instruction establishes: an entry of the VM's
/// dynamic stack (see `conditions.rs`), in force until the matching
/// `PopHandler` or until the stack unwinds past it.
#[derive(Clone, Debug)]
pub enum HandlerInfo {
    /// The catch clauses of a `try` or `handler-case`: an unwind target.
    Catch {
        clauses: Vec<CatchClause>,
        /// Where the caught condition is stored before jumping to a clause.
        cond_reg: Reg,
    },
    /// A `finally`: unwinding through it runs the cleanup code at `target`,
    /// which ends in `EndFinally`.
    Finally { target: u32 },
    /// The clauses of a `handler-bind`: functions called at the signal
    /// point.
    Bind { clauses: Vec<BindClause> },
    /// The restarts of a `restart-case`: unwind targets chosen by name.
    Restarts { clauses: Vec<RestartClause> },
}

#[derive(Clone, Debug)]
pub struct CatchClause {
    /// Condition types caught.
    pub types: Vec<Sym>,
    /// Where the clause's code starts; it finds the condition in
    /// `cond_reg`.
    pub target: u32,
}

#[derive(Clone, Debug)]
pub struct BindClause {
    pub ctype: Sym,
    /// The register holding the handler function.
    pub handler: Reg,
}

#[derive(Clone, Debug)]
pub struct RestartClause {
    pub name: Sym,
    /// Registers of the restart's parameters, then of its rest list.
    pub params: Vec<Reg>,
    pub rest: Option<Reg>,
    pub target: u32,
}

impl HandlerInfo {
    /// Every register the entry names, and every code position.
    fn registers_and_targets(&self) -> (Vec<Reg>, Vec<u32>) {
        match self {
            HandlerInfo::Catch { clauses, cond_reg } => {
                (vec![*cond_reg], clauses.iter().map(|c| c.target).collect())
            }
            HandlerInfo::Finally { target } => (Vec::new(), vec![*target]),
            HandlerInfo::Bind { clauses } => {
                (clauses.iter().map(|c| c.handler).collect(), Vec::new())
            }
            HandlerInfo::Restarts { clauses } => (
                clauses
                    .iter()
                    .flat_map(|c| c.params.iter().chain(c.rest.iter()).copied())
                    .collect(),
                clauses.iter().map(|c| c.target).collect(),
            ),
        }
    }
}

/// A compiled function.
#[derive(Debug)]
pub struct Proto {
    pub(crate) name: Option<Sym>,
    /// The instructions. Cells, because an instruction that inlines a
    /// built-in is rewritten in place when the program redefines it.
    pub(crate) code: Vec<Cell<Op>>,
    /// Source position of each instruction (parallel to `code`).
    pub(crate) spans: Vec<Span>,
    pub(crate) consts: Vec<Value>,
    pub(crate) children: Vec<Rc<Proto>>,
    pub(crate) captures: Vec<CaptureFrom>,
    pub(crate) handlers: Vec<HandlerInfo>,
    /// Required parameters.
    pub(crate) nparams: u32,
    /// Whether extra arguments are collected into a rest list.
    pub(crate) rest: bool,
    /// Registers the frame needs: parameters (and the rest list), locals and
    /// temporaries.
    pub(crate) nregs: u32,
    /// The argument count of the call fast path: `nparams`, or `u32::MAX`
    /// (matching no call) when a rest list must be built.
    pub(crate) fast_argc: u32,
    /// Inlined folds `(+ a b c...)`: the position of the first inlined
    /// instruction and of the call that replaces the whole fold when the
    /// operator is redefined (the first instruction then becomes a jump
    /// there, so the global is called once with every operand). The calls
    /// sit after the function's code, each ending in a jump back to just
    /// after its fold, so the inlined path never jumps over them.
    pub(crate) folds: Vec<(u32, u32)>,
    /// Eligibility for the JIT tier, profile and compiled code.
    pub(crate) tier: crate::tier::TierInfo,
    /// The names of the parameters, then of the rest list (for
    /// `:describe`).
    pub(crate) param_names: Vec<Sym>,
    /// Where the function's source starts (the default span for top-level
    /// code).
    pub(crate) position: Span,
    /// Approximate bytes of this prototype and its children, for the
    /// heap's accounting (set with the eligibility, once the code is
    /// complete).
    pub(crate) bytes: usize,
}

impl Op {
    /// The instruction computing `a op b` for an inlined binary operator.
    pub fn binary(op: BinOp, dst: Reg, a: Reg, b: Reg) -> Op {
        match op {
            BinOp::Add => Op::Add { dst, a, b },
            BinOp::Sub => Op::Sub { dst, a, b },
            BinOp::Mul => Op::Mul { dst, a, b },
            BinOp::Div => Op::Div { dst, a, b },
            BinOp::Mod => Op::Mod { dst, a, b },
            BinOp::VectorRef => Op::VectorRef {
                dst,
                vec: a,
                idx: b,
            },
            BinOp::Lt => Op::Lt { dst, a, b },
            BinOp::Gt => Op::Gt { dst, a, b },
            BinOp::Le => Op::Le { dst, a, b },
            BinOp::Ge => Op::Ge { dst, a, b },
            BinOp::NumEq => Op::NumEq { dst, a, b },
            BinOp::Eq => Op::Eq { dst, a, b },
        }
    }

    /// The instruction computing `a op n` for a small integer `n`.
    pub fn binary_imm(op: BinOp, dst: Reg, a: Reg, n: i16) -> Op {
        match op {
            BinOp::Add => Op::AddI { dst, a, n },
            BinOp::Sub => Op::SubI { dst, a, n },
            BinOp::Mul => Op::MulI { dst, a, n },
            BinOp::Div => Op::DivI { dst, a, n },
            BinOp::Mod => Op::ModI { dst, a, n },
            BinOp::VectorRef => Op::VectorRefI { dst, vec: a, n },
            BinOp::Lt => Op::LtI { dst, a, n },
            BinOp::Gt => Op::GtI { dst, a, n },
            BinOp::Le => Op::LeI { dst, a, n },
            BinOp::Ge => Op::GeI { dst, a, n },
            BinOp::NumEq => Op::NumEqI { dst, a, n },
            BinOp::Eq => Op::EqI { dst, a, n },
        }
    }

    /// The fused branch taken unless `a op b` holds (target patched later).
    pub fn jump_unless(op: CmpOp, a: Reg, b: Reg) -> Op {
        let target = 0;
        match op {
            CmpOp::Lt => Op::JumpUnlessLt { a, b, target },
            CmpOp::Gt => Op::JumpUnlessGt { a, b, target },
            CmpOp::Le => Op::JumpUnlessLe { a, b, target },
            CmpOp::Ge => Op::JumpUnlessGe { a, b, target },
            CmpOp::NumEq => Op::JumpUnlessNumEq { a, b, target },
            CmpOp::Eq => Op::JumpUnlessEq { a, b, target },
        }
    }

    /// The fused branch taken unless `a op n` holds (target patched later).
    pub fn jump_unless_imm(op: CmpOp, a: Reg, n: i16) -> Op {
        let target = 0;
        match op {
            CmpOp::Lt => Op::JumpUnlessLtI { a, n, target },
            CmpOp::Gt => Op::JumpUnlessGtI { a, n, target },
            CmpOp::Le => Op::JumpUnlessLeI { a, n, target },
            CmpOp::Ge => Op::JumpUnlessGeI { a, n, target },
            CmpOp::NumEq => Op::JumpUnlessNumEqI { a, n, target },
            CmpOp::Eq => Op::JumpUnlessEqI { a, n, target },
        }
    }

    /// The inlined built-in this instruction stands for, by bit.
    pub fn inlined_bit(self) -> Option<u8> {
        use BinOp as B;
        let bin = match self {
            Op::Add { .. } | Op::AddI { .. } => B::Add,
            Op::Sub { .. } | Op::SubI { .. } => B::Sub,
            Op::Mul { .. } | Op::MulI { .. } => B::Mul,
            Op::Div { .. } | Op::DivI { .. } => B::Div,
            Op::Mod { .. } | Op::ModI { .. } => B::Mod,
            Op::VectorRef { .. } | Op::VectorRefI { .. } => B::VectorRef,
            Op::Lt { .. } | Op::LtI { .. } | Op::JumpUnlessLt { .. } | Op::JumpUnlessLtI { .. } => {
                B::Lt
            }
            Op::Gt { .. } | Op::GtI { .. } | Op::JumpUnlessGt { .. } | Op::JumpUnlessGtI { .. } => {
                B::Gt
            }
            Op::Le { .. } | Op::LeI { .. } | Op::JumpUnlessLe { .. } | Op::JumpUnlessLeI { .. } => {
                B::Le
            }
            Op::Ge { .. } | Op::GeI { .. } | Op::JumpUnlessGe { .. } | Op::JumpUnlessGeI { .. } => {
                B::Ge
            }
            Op::NumEq { .. }
            | Op::NumEqI { .. }
            | Op::JumpUnlessNumEq { .. }
            | Op::JumpUnlessNumEqI { .. } => B::NumEq,
            Op::Eq { .. } | Op::EqI { .. } | Op::JumpUnlessEq { .. } | Op::JumpUnlessEqI { .. } => {
                B::Eq
            }
            Op::VectorSet { .. } | Op::VectorSetI { .. } => return Some(VECTOR_SET_BIT),
            Op::Car { op, .. }
            | Op::Cdr { op, .. }
            | Op::IsPair { op, .. }
            | Op::IsNull { op, .. }
            | Op::Un { op, .. }
            | Op::BranchPair { op, .. }
            | Op::BranchNull { op, .. } => return Some(op.bit()),
            _ => return None,
        };
        Some(bin.bit())
    }

    /// The generic form of an inlined instruction: the same operation as a
    /// call of the global (see [`Op::inlined_bit`]); other instructions are
    /// returned unchanged.
    pub fn generic(self) -> Op {
        let Some(bit) = self.inlined_bit() else {
            return self;
        };
        match self {
            Op::Add { dst, a, b }
            | Op::Sub { dst, a, b }
            | Op::Mul { dst, a, b }
            | Op::Div { dst, a, b }
            | Op::Mod { dst, a, b }
            | Op::Lt { dst, a, b }
            | Op::Gt { dst, a, b }
            | Op::Le { dst, a, b }
            | Op::Ge { dst, a, b }
            | Op::NumEq { dst, a, b }
            | Op::Eq { dst, a, b }
            | Op::VectorRef {
                dst,
                vec: a,
                idx: b,
            } => Op::CallBinary { bit, dst, a, b },
            Op::AddI { dst, a, n }
            | Op::SubI { dst, a, n }
            | Op::MulI { dst, a, n }
            | Op::DivI { dst, a, n }
            | Op::ModI { dst, a, n }
            | Op::LtI { dst, a, n }
            | Op::GtI { dst, a, n }
            | Op::LeI { dst, a, n }
            | Op::GeI { dst, a, n }
            | Op::NumEqI { dst, a, n }
            | Op::EqI { dst, a, n }
            | Op::VectorRefI { dst, vec: a, n } => Op::CallBinaryI { bit, dst, a, n },
            Op::JumpUnlessLt { a, b, target }
            | Op::JumpUnlessGt { a, b, target }
            | Op::JumpUnlessLe { a, b, target }
            | Op::JumpUnlessGe { a, b, target }
            | Op::JumpUnlessNumEq { a, b, target }
            | Op::JumpUnlessEq { a, b, target } => Op::CallBranch { bit, a, b, target },
            Op::JumpUnlessLtI { a, n, target }
            | Op::JumpUnlessGtI { a, n, target }
            | Op::JumpUnlessLeI { a, n, target }
            | Op::JumpUnlessGeI { a, n, target }
            | Op::JumpUnlessNumEqI { a, n, target }
            | Op::JumpUnlessEqI { a, n, target } => Op::CallBranchI { bit, a, n, target },
            Op::VectorSet { vec, idx, val } => Op::CallTernary {
                bit,
                a: vec,
                b: idx,
                c: val,
            },
            Op::VectorSetI { vec, n, val } => Op::CallTernaryI {
                bit,
                a: vec,
                n,
                c: val,
            },
            Op::Car { dst, src, .. }
            | Op::Cdr { dst, src, .. }
            | Op::IsPair { dst, src, .. }
            | Op::IsNull { dst, src, .. }
            | Op::Un { dst, src, .. } => Op::CallUnary { bit, dst, src },
            Op::BranchPair {
                src, when, target, ..
            }
            | Op::BranchNull {
                src, when, target, ..
            } => Op::CallTest {
                bit,
                src,
                when,
                target,
            },
            op => op,
        }
    }

    /// The target of a fused compare-and-branch.
    fn short_target(self) -> Option<u16> {
        match self {
            Op::JumpUnlessLt { target, .. }
            | Op::JumpUnlessLtI { target, .. }
            | Op::JumpUnlessGt { target, .. }
            | Op::JumpUnlessGtI { target, .. }
            | Op::JumpUnlessLe { target, .. }
            | Op::JumpUnlessLeI { target, .. }
            | Op::JumpUnlessGe { target, .. }
            | Op::JumpUnlessGeI { target, .. }
            | Op::JumpUnlessNumEq { target, .. }
            | Op::JumpUnlessNumEqI { target, .. }
            | Op::JumpUnlessEq { target, .. }
            | Op::JumpUnlessEqI { target, .. }
            | Op::BranchPair { target, .. }
            | Op::BranchNull { target, .. }
            | Op::CallBranch { target, .. }
            | Op::CallBranchI { target, .. }
            | Op::CallTest { target, .. } => Some(target),
            _ => None,
        }
    }

    /// Points a jump at `to`. False when the instruction cannot reach it (a
    /// fused branch's target is 16 bits) or is not a jump.
    pub fn set_target(&mut self, to: u32) -> bool {
        match self {
            Op::Jump { target }
            | Op::JumpBack { target }
            | Op::JumpIfFalse { target, .. }
            | Op::JumpIfTrue { target, .. } => {
                *target = to;
                true
            }
            Op::JumpUnlessLt { target, .. }
            | Op::JumpUnlessLtI { target, .. }
            | Op::JumpUnlessGt { target, .. }
            | Op::JumpUnlessGtI { target, .. }
            | Op::JumpUnlessLe { target, .. }
            | Op::JumpUnlessLeI { target, .. }
            | Op::JumpUnlessGe { target, .. }
            | Op::JumpUnlessGeI { target, .. }
            | Op::JumpUnlessNumEq { target, .. }
            | Op::JumpUnlessNumEqI { target, .. }
            | Op::JumpUnlessEq { target, .. }
            | Op::JumpUnlessEqI { target, .. }
            | Op::BranchPair { target, .. }
            | Op::BranchNull { target, .. }
            | Op::CallBranch { target, .. }
            | Op::CallBranchI { target, .. }
            | Op::CallTest { target, .. } => match u16::try_from(to) {
                Ok(t) => {
                    *target = t;
                    true
                }
                Err(_) => false,
            },
            _ => false,
        }
    }

    /// The registers an instruction reads and writes. The verifier checks
    /// them against the frame's window; the JIT's liveness analysis and
    /// write-back derive from them.
    pub fn operands(self) -> Operands {
        let r = |regs: &[Reg]| RegSet::of(regs);
        let (reads, writes) = match self {
            Op::Move { dst, src } => (r(&[src]), r(&[dst])),
            Op::LoadConst { dst, .. }
            | Op::LoadInt { dst, .. }
            | Op::LoadNil { dst }
            | Op::LoadBool { dst, .. }
            | Op::CaptureGet { dst, .. }
            | Op::CaptureCellGet { dst, .. }
            | Op::GlobalGet { dst, .. }
            | Op::Closure { dst, .. } => (RegSet::NONE, r(&[dst])),
            Op::MakeCell { reg } => (r(&[reg]), r(&[reg])),
            Op::CellGet { dst, cell } => (r(&[cell]), r(&[dst])),
            Op::CellSet { cell, src } => (r(&[cell, src]), RegSet::NONE),
            Op::CaptureCellSet { src, .. }
            | Op::GlobalSet { src, .. }
            | Op::GlobalDefine { src, .. }
            | Op::Return { src } => (r(&[src]), RegSet::NONE),
            Op::JumpIfFalse { cond, .. } | Op::JumpIfTrue { cond, .. } => {
                (r(&[cond]), RegSet::NONE)
            }
            // The function and its arguments must all be in the window.
            Op::Call { base, argc, dst } => (RegSet::range(base, argc as u32 + 1), r(&[dst])),
            Op::TailCall { base, argc } => (RegSet::range(base, argc as u32 + 1), RegSet::NONE),
            Op::Add { dst, a, b }
            | Op::Sub { dst, a, b }
            | Op::Mul { dst, a, b }
            | Op::Div { dst, a, b }
            | Op::Mod { dst, a, b }
            | Op::Lt { dst, a, b }
            | Op::Gt { dst, a, b }
            | Op::Le { dst, a, b }
            | Op::Ge { dst, a, b }
            | Op::NumEq { dst, a, b }
            | Op::Eq { dst, a, b }
            | Op::VectorRef {
                dst,
                vec: a,
                idx: b,
            }
            | Op::CallBinary { dst, a, b, .. } => (r(&[a, b]), r(&[dst])),
            Op::AddI { dst, a, .. }
            | Op::SubI { dst, a, .. }
            | Op::MulI { dst, a, .. }
            | Op::DivI { dst, a, .. }
            | Op::ModI { dst, a, .. }
            | Op::LtI { dst, a, .. }
            | Op::GtI { dst, a, .. }
            | Op::LeI { dst, a, .. }
            | Op::GeI { dst, a, .. }
            | Op::NumEqI { dst, a, .. }
            | Op::EqI { dst, a, .. }
            | Op::VectorRefI { dst, vec: a, .. }
            | Op::Car { dst, src: a, .. }
            | Op::Cdr { dst, src: a, .. }
            | Op::IsPair { dst, src: a, .. }
            | Op::IsNull { dst, src: a, .. }
            | Op::Un { dst, src: a, .. }
            | Op::CallBinaryI { dst, a, .. }
            | Op::CallUnary { dst, src: a, .. } => (r(&[a]), r(&[dst])),
            Op::JumpUnlessLt { a, b, .. }
            | Op::JumpUnlessGt { a, b, .. }
            | Op::JumpUnlessLe { a, b, .. }
            | Op::JumpUnlessGe { a, b, .. }
            | Op::JumpUnlessNumEq { a, b, .. }
            | Op::JumpUnlessEq { a, b, .. }
            | Op::CallBranch { a, b, .. } => (r(&[a, b]), RegSet::NONE),
            Op::JumpUnlessLtI { a, .. }
            | Op::JumpUnlessGtI { a, .. }
            | Op::JumpUnlessLeI { a, .. }
            | Op::JumpUnlessGeI { a, .. }
            | Op::JumpUnlessNumEqI { a, .. }
            | Op::JumpUnlessEqI { a, .. }
            | Op::BranchPair { src: a, .. }
            | Op::BranchNull { src: a, .. }
            | Op::CallBranchI { a, .. }
            | Op::CallTest { src: a, .. } => (r(&[a]), RegSet::NONE),
            Op::VectorSet { vec, idx, val } => (r(&[vec, idx, val]), RegSet::NONE),
            Op::VectorSetI { vec, val, .. } => (r(&[vec, val]), RegSet::NONE),
            Op::CallTernary { a, b, c, .. } => (r(&[a, b, c]), RegSet::NONE),
            Op::CallTernaryI { a, c, .. } => (r(&[a, c]), RegSet::NONE),
            // The two registers after `state` hold the position and the end.
            Op::ForPrep { state } => (RegSet::range(state, 1), RegSet::range(state, 3)),
            Op::ForNext { state, var } => (
                RegSet::range(state, 3),
                RegSet {
                    fixed: [Some(var), None, None],
                    range: Some((state + 1, 1)),
                },
            ),
            Op::Jump { .. }
            | Op::JumpBack { .. }
            | Op::PushHandler { .. }
            | Op::PopHandler
            | Op::EndFinally => (RegSet::NONE, RegSet::NONE),
        };
        Operands { reads, writes }
    }

    /// Whether the JIT tier may compile the instruction: the
    /// "primitive-only" subset of docs/ARCHITECTURE.md, "The JIT tier".
    /// `tier::eligibility` derives a function's eligibility from this, and
    /// the JIT's code generator handles exactly what it allows.
    pub fn jit_support(self) -> JitSupport {
        use JitSupport::{Compiled, Never};
        match self {
            Op::Move { .. }
            | Op::LoadInt { .. }
            | Op::LoadNil { .. }
            | Op::LoadBool { .. }
            | Op::Jump { .. }
            | Op::JumpBack { .. }
            | Op::JumpIfFalse { .. }
            | Op::JumpIfTrue { .. }
            | Op::JumpUnlessLt { .. }
            | Op::JumpUnlessLtI { .. }
            | Op::JumpUnlessGt { .. }
            | Op::JumpUnlessGtI { .. }
            | Op::JumpUnlessLe { .. }
            | Op::JumpUnlessLeI { .. }
            | Op::JumpUnlessGe { .. }
            | Op::JumpUnlessGeI { .. }
            | Op::JumpUnlessNumEq { .. }
            | Op::JumpUnlessNumEqI { .. }
            | Op::JumpUnlessEq { .. }
            | Op::JumpUnlessEqI { .. }
            | Op::Return { .. }
            | Op::Add { .. }
            | Op::AddI { .. }
            | Op::Sub { .. }
            | Op::SubI { .. }
            | Op::Mul { .. }
            | Op::MulI { .. }
            | Op::Div { .. }
            | Op::DivI { .. }
            | Op::Mod { .. }
            | Op::ModI { .. }
            | Op::Lt { .. }
            | Op::LtI { .. }
            | Op::Gt { .. }
            | Op::GtI { .. }
            | Op::Le { .. }
            | Op::LeI { .. }
            | Op::Ge { .. }
            | Op::GeI { .. }
            | Op::NumEq { .. }
            | Op::NumEqI { .. }
            | Op::Eq { .. }
            | Op::EqI { .. } => Compiled,
            Op::Un { op, .. } => match op {
                UnOp::Not
                | UnOp::Inc
                | UnOp::Dec
                | UnOp::IsZero
                | UnOp::Neg
                | UnOp::Sqrt
                | UnOp::Abs
                | UnOp::IsEven
                | UnOp::IsOdd
                | UnOp::IsPos
                | UnOp::IsNeg => Compiled,
                _ => Never("uses a list operation"),
            },
            Op::LoadConst { .. } => JitSupport::NumberConstant,
            Op::GlobalGet { .. } => JitSupport::GlobalFunction,
            Op::Call { .. } | Op::TailCall { .. } => JitSupport::Call,
            Op::MakeCell { .. }
            | Op::CellGet { .. }
            | Op::CellSet { .. }
            | Op::CaptureGet { .. }
            | Op::CaptureCellGet { .. }
            | Op::CaptureCellSet { .. } => Never("uses a captured variable"),
            Op::GlobalSet { .. } | Op::GlobalDefine { .. } => Never("assigns a global variable"),
            Op::Closure { .. } => Never("makes a closure"),
            Op::ForPrep { .. } | Op::ForNext { .. } => Never("iterates over a sequence (`for`)"),
            Op::VectorRef { .. }
            | Op::VectorRefI { .. }
            | Op::VectorSet { .. }
            | Op::VectorSetI { .. } => Never("uses a vector"),
            Op::Car { .. }
            | Op::Cdr { .. }
            | Op::IsPair { .. }
            | Op::IsNull { .. }
            | Op::BranchPair { .. }
            | Op::BranchNull { .. } => Never("uses a list operation"),
            Op::CallBinary { .. }
            | Op::CallBinaryI { .. }
            | Op::CallBranch { .. }
            | Op::CallBranchI { .. }
            | Op::CallTernary { .. }
            | Op::CallTernaryI { .. }
            | Op::CallUnary { .. }
            | Op::CallTest { .. } => Never("calls a redefined built-in operator"),
            Op::PushHandler { .. } | Op::PopHandler | Op::EndFinally => {
                Never("handles conditions (`try`, `handler-bind`, `finally`...)")
            }
        }
    }

    /// Where the instruction may jump to (not counting falling through).
    pub fn jump_target(self) -> Option<u32> {
        match self {
            Op::Jump { target }
            | Op::JumpBack { target }
            | Op::JumpIfFalse { target, .. }
            | Op::JumpIfTrue { target, .. } => Some(target),
            op => op.short_target().map(u32::from),
        }
    }

    /// The instructions that may run after this one, at `pc`.
    pub fn successors(self, pc: usize) -> impl Iterator<Item = usize> {
        let fall = (!self.is_terminator()).then_some(pc + 1);
        // `ForNext` skips the jump out of the loop when there is an item.
        let skip = matches!(self, Op::ForNext { .. }).then_some(pc + 2);
        let jump = self.jump_target().map(|t| t as usize);
        [fall, skip, jump].into_iter().flatten()
    }

    /// Instructions after which execution never falls through.
    pub fn is_terminator(self) -> bool {
        matches!(
            self,
            Op::Return { .. }
                | Op::TailCall { .. }
                | Op::Jump { .. }
                | Op::JumpBack { .. }
                | Op::EndFinally
        )
    }
}

/// What the JIT tier can do with an instruction ([`Op::jit_support`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JitSupport {
    /// Numbers, booleans, locals and control flow: compiled as is.
    Compiled,
    /// `LoadConst`: compiled when the constant is a number.
    NumberConstant,
    /// `GlobalGet`: compiled when the value is only called.
    GlobalFunction,
    /// A call: compiled when, at compile time, the callee is an eligible
    /// function taking exactly those arguments.
    Call,
    /// Never compiled, for this reason.
    Never(&'static str),
}

/// The registers one instruction reads and writes ([`Op::operands`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operands {
    pub reads: RegSet,
    pub writes: RegSet,
}

/// A few registers and at most one run of consecutive registers (a call's
/// function and arguments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegSet {
    fixed: [Option<Reg>; 3],
    /// The first register of the run and how many follow it, itself
    /// included.
    range: Option<(Reg, u32)>,
}

impl RegSet {
    pub const NONE: RegSet = RegSet {
        fixed: [None; 3],
        range: None,
    };

    fn of(regs: &[Reg]) -> RegSet {
        let mut fixed = [None; 3];
        for (slot, &r) in fixed.iter_mut().zip(regs) {
            *slot = Some(r);
        }
        RegSet { fixed, range: None }
    }

    fn range(first: Reg, count: u32) -> RegSet {
        RegSet {
            fixed: [None; 3],
            range: Some((first, count)),
        }
    }

    /// Every register of the set, as `u32` (a run may end past `Reg::MAX`
    /// in a malformed instruction, which the verifier must see).
    pub fn iter(self) -> impl Iterator<Item = u32> {
        let run = self
            .range
            .map_or(0..0, |(first, n)| first as u32..first as u32 + n);
        self.fixed.into_iter().flatten().map(u32::from).chain(run)
    }

    /// The highest register of the set.
    fn last(self) -> Option<u32> {
        self.iter().max()
    }
}

impl Proto {
    /// An empty prototype named `name`, for the emitter to fill in (its
    /// code must pass [`Proto::verify`] before it runs).
    pub(crate) fn named(name: Option<Sym>) -> Proto {
        Proto {
            name,
            code: Vec::new(),
            spans: Vec::new(),
            consts: Vec::new(),
            children: Vec::new(),
            captures: Vec::new(),
            handlers: Vec::new(),
            nparams: 0,
            rest: false,
            nregs: 0,
            fast_argc: 0,
            folds: Vec::new(),
            tier: crate::tier::TierInfo::new(crate::tier::Eligibility::Eligible),
            param_names: Vec::new(),
            position: Span::default(),
            bytes: 0,
        }
    }

    /// Decides the prototype's eligibility for the JIT tier, once its code
    /// is complete and verified.
    pub(crate) fn decide_eligibility(self) -> Proto {
        let eligibility = crate::tier::eligibility_of(&self);
        let bytes = self.own_bytes();
        Proto {
            tier: crate::tier::TierInfo::new(eligibility),
            bytes,
            ..self
        }
    }

    /// Approximate bytes this prototype holds, with its children (whose
    /// sizes are already known): each vector's capacity, plus the structure.
    fn own_bytes(&self) -> usize {
        use crate::object::malloc_bytes;
        use std::mem::size_of;
        fn vec<T>(v: &Vec<T>) -> usize {
            malloc_bytes(v.capacity() * size_of::<T>())
        }
        // The `Rc`'s two counts, then the prototype.
        malloc_bytes(16 + size_of::<Proto>())
            + vec(&self.code)
            + vec(&self.spans)
            + vec(&self.consts)
            + vec(&self.children)
            + vec(&self.captures)
            + vec(&self.handlers)
            + vec(&self.folds)
            + self.children.iter().map(|c| c.bytes).sum::<usize>()
    }

    /// Approximate bytes of the prototype and its children.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The instruction at `pc`.
    pub fn op(&self, pc: usize) -> Option<Op> {
        self.code.get(pc).map(Cell::get)
    }

    /// How many instructions the function has.
    pub fn code_len(&self) -> usize {
        self.code.len()
    }

    /// The constant pool.
    pub fn consts(&self) -> &[Value] {
        &self.consts
    }

    /// Required parameters (there is no rest list when it is eligible).
    pub fn nparams(&self) -> u32 {
        self.nparams
    }

    /// Registers a frame of the function uses.
    pub fn nregs(&self) -> u32 {
        self.nregs
    }

    /// The source position of the instruction at `pc`.
    pub fn span(&self, pc: usize) -> Option<Span> {
        self.spans.get(pc).copied()
    }

    /// Its profile and compiled code, and its eligibility for the JIT.
    pub fn tier(&self) -> &crate::tier::TierInfo {
        &self.tier
    }

    /// The function's name, if it has one.
    pub fn name(&self) -> Option<Sym> {
        self.name
    }

    /// The names of the required parameters, and of the rest list if the
    /// function has one.
    pub fn params(&self) -> (&[Sym], Option<Sym>) {
        let n = (self.nparams as usize).min(self.param_names.len());
        let rest = self
            .rest
            .then(|| self.param_names.get(n).copied())
            .flatten();
        (&self.param_names[..n], rest)
    }

    /// Where the function's source starts.
    pub fn position(&self) -> Span {
        self.position
    }

    /// Checks the invariants the interpreter relies on to index registers
    /// and code without bounds checks: every register an instruction names
    /// is inside the frame's window, every jump and index is in range, and
    /// the code cannot run off its end.
    pub fn verify(&self) -> Result<(), String> {
        let n = self.code.len();
        if n > u32::MAX as usize {
            // A frame saves its position as a `u32`.
            return Err("code too long".into());
        }
        if !self.code.last().is_some_and(|op| op.get().is_terminator()) {
            return Err("code does not end in a return or jump".into());
        }
        let fast_argc = if self.rest { u32::MAX } else { self.nparams };
        if self.spans.len() != n
            || (self.nparams + u32::from(self.rest)) > self.nregs
            || self.fast_argc != fast_argc
        {
            return Err("malformed prototype".into());
        }
        for (i, op) in self.code.iter().enumerate() {
            let op = op.get();
            let operands = op.operands();
            if let Some(r) = [operands.reads, operands.writes]
                .iter()
                .find_map(|set| set.last().filter(|&r| r >= self.nregs))
            {
                return Err(format!(
                    "instruction {i} names register {r} of {}",
                    self.nregs
                ));
            }
            let in_range = match op {
                Op::Jump { target }
                | Op::JumpBack { target }
                | Op::JumpIfFalse { target, .. }
                | Op::JumpIfTrue { target, .. } => (target as usize) < n,
                Op::LoadConst { k, .. } => (k as usize) < self.consts.len(),
                Op::Closure { idx, .. } => (idx as usize) < self.children.len(),
                Op::CaptureGet { k, .. }
                | Op::CaptureCellGet { k, .. }
                | Op::CaptureCellSet { k, .. } => (k as usize) < self.captures.len(),
                // The instruction after it may be skipped.
                Op::ForNext { .. } => i + 2 < n,
                Op::PushHandler { idx } => self.handlers.get(idx as usize).is_some_and(|h| {
                    let (regs, targets) = h.registers_and_targets();
                    regs.iter().all(|&r| (r as u32) < self.nregs)
                        && targets.iter().all(|&t| (t as usize) < n)
                }),
                op => op.short_target().is_none_or(|t| (t as usize) < n),
            };
            if !in_range {
                return Err(format!("instruction {i} ({op:?}) is out of range"));
            }
        }
        if self
            .folds
            .iter()
            .any(|&(a, b)| a as usize >= n || b as usize >= n)
        {
            return Err("fold out of range".into());
        }
        for child in &self.children {
            // The interpreter reads a captured value without bounds checks
            // (a frame points straight at its closure's captures).
            let ok = child.captures.iter().all(|c| match *c {
                CaptureFrom::Local(s) => s < self.nregs,
                CaptureFrom::Capture(k) => (k as usize) < self.captures.len(),
            });
            if !ok {
                return Err("closure captures a register or value outside the frame".into());
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
    use super::*;

    #[test]
    fn instructions_are_eight_bytes() {
        assert_eq!(std::mem::size_of::<Op>(), 8);
    }

    /// A prototype with one register and `captures`, whose child captures
    /// `from`.
    fn parent_of(captures: Vec<CaptureFrom>, from: CaptureFrom) -> Proto {
        let child = Proto {
            captures: vec![from],
            code: vec![Cell::new(Op::Return { src: 0 })],
            spans: vec![Span::default()],
            nregs: 1,
            ..Proto::named(None)
        };
        Proto {
            captures,
            children: vec![Rc::new(child)],
            code: vec![
                Cell::new(Op::Closure { dst: 0, idx: 0 }),
                Cell::new(Op::Return { src: 0 }),
            ],
            spans: vec![Span::default(); 2],
            nregs: 1,
            ..Proto::named(None)
        }
    }

    #[test]
    fn verify_checks_what_closures_capture() {
        let capture = CaptureFrom::Capture(0);
        assert_eq!(
            parent_of(vec![CaptureFrom::Local(0)], capture).verify(),
            Ok(())
        );
        assert_eq!(parent_of(vec![], CaptureFrom::Local(0)).verify(), Ok(()));
        let outside = "closure captures a register or value outside the frame";
        assert_eq!(parent_of(vec![], capture).verify(), Err(outside.into()));
        assert_eq!(
            parent_of(vec![], CaptureFrom::Local(1)).verify(),
            Err(outside.into())
        );
    }
}
