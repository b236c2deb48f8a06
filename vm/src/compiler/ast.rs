//! The analysed program: core forms with every name resolved.

use rustc_hash::FxHashSet;

use crate::bytecode::{BinOp, UnOp};
use crate::span::Span;
use crate::symbol::Sym;
use crate::value::Value;

/// A local variable, unique within one top-level form.
pub type VarId = usize;
/// A function (lambda or the top-level form), unique within one form.
pub type FnId = usize;
pub type LoopId = usize;

#[derive(Debug)]
pub struct Node {
    pub expr: Expr,
    pub span: Span,
}

#[derive(Debug)]
pub enum Expr {
    Const(Value),
    Local(VarId),
    Global(u32),
    /// `set!` of a local; the value is the new value.
    SetLocal(VarId, Box<Node>),
    SetGlobal(u32, Box<Node>),
    /// A top-level `define`; the value is the defined value.
    DefineGlobal(u32, Box<Node>),
    If(Box<Node>, Box<Node>, Box<Node>),
    /// A sequence; never empty.
    Seq(Vec<Node>),
    /// Binds fresh locals: `inits` are all evaluated before any is bound.
    Let(Vec<(VarId, Node)>, Box<Node>),
    /// Declares locals (as nil) that the body then assigns: `letrec` and
    /// internal `define`s.
    Declare(Vec<VarId>, Box<Node>),
    Lambda(Box<Lambda>),
    Call(Box<Node>, Vec<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    Un(UnOp, Box<Node>),
    /// `(+ a b c...)` (also `-`, `*`) with three or more operands: folded
    /// pairwise while the global (in `slot`) is the built-in, else a call.
    Fold {
        op: BinOp,
        slot: u32,
        args: Vec<Node>,
    },
    /// `(vector-set! v i x)`, guarded like the other inlined built-ins;
    /// `u32` is the global's slot (a call when the value is wanted).
    VectorSet(Box<[Node; 3]>, u32),
    And(Vec<Node>),
    Or(Vec<Node>),
    While {
        id: LoopId,
        test: Box<Node>,
        body: Box<Node>,
    },
    /// `(for var in seq body...)`: `state` and the two locals after it hold
    /// the sequence being walked, the position in it and where it ends.
    For {
        id: LoopId,
        var: VarId,
        state: VarId,
        seq: Box<Node>,
        body: Box<Node>,
    },
    Break {
        id: LoopId,
        value: Box<Node>,
        /// `try` forms left by this break, innermost first.
        exits: Vec<TryExit>,
    },
    Try(Box<Try>),
    /// `(handler-bind ((type handler) ...) body...)`.
    HandlerBind {
        clauses: Vec<(Sym, Node)>,
        body: Box<Node>,
    },
    /// `(restart-case expr (name (params...) body...) ...)`.
    RestartCase {
        body: Box<Node>,
        clauses: Vec<Restart>,
    },
    /// A named `let` whose name is only called in tail position of its own
    /// body: a loop over its parameters instead of a closure.
    Loop {
        id: LoopId,
        params: Vec<VarId>,
        inits: Vec<Node>,
        body: Box<Node>,
    },
    /// A tail call of a named `let`'s name: rebind the parameters and jump
    /// back to the loop's start.
    Recur {
        id: LoopId,
        args: Vec<Node>,
    },
}

impl Node {
    /// Calls `f` on each direct subexpression, in evaluation order. A
    /// lambda's body is not a subexpression: it runs later, when called.
    pub fn for_each_child(&self, mut f: impl FnMut(&Node)) {
        match &self.expr {
            Expr::Const(_) | Expr::Local(_) | Expr::Global(_) | Expr::Lambda(_) => {}
            Expr::SetLocal(_, x)
            | Expr::SetGlobal(_, x)
            | Expr::DefineGlobal(_, x)
            | Expr::Un(_, x)
            | Expr::Break { value: x, .. } => f(x),
            Expr::If(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
            Expr::Seq(xs) | Expr::And(xs) | Expr::Or(xs) => xs.iter().for_each(f),
            Expr::Fold { args, .. } | Expr::Recur { args, .. } => args.iter().for_each(f),
            Expr::Let(binds, body) => {
                binds.iter().for_each(|(_, x)| f(x));
                f(body);
            }
            Expr::Declare(_, body) => f(body),
            Expr::Call(g, args) => {
                f(g);
                args.iter().for_each(f);
            }
            Expr::Bin(_, a, b) => {
                f(a);
                f(b);
            }
            Expr::VectorSet(args, _) => args.iter().for_each(f),
            Expr::While { test, body, .. } => {
                f(test);
                f(body);
            }
            Expr::For { seq, body, .. } => {
                f(seq);
                f(body);
            }
            Expr::Try(t) => {
                f(&t.body);
                t.catches.iter().for_each(|c| f(&c.body));
                if let Some(x) = &t.finally {
                    f(x);
                }
            }
            Expr::Loop { inits, body, .. } => {
                inits.iter().for_each(&mut f);
                f(body);
            }
            Expr::HandlerBind { clauses, body } => {
                clauses.iter().for_each(|(_, h)| f(h));
                f(body);
            }
            Expr::RestartCase { body, clauses } => {
                f(body);
                clauses.iter().for_each(|c| f(&c.body));
            }
        }
    }

    /// Whether `pred` holds for this node or any node inside it (lambda
    /// bodies excluded).
    pub fn contains(&self, pred: &impl Fn(&Expr) -> bool) -> bool {
        if pred(&self.expr) {
            return true;
        }
        let mut found = false;
        self.for_each_child(|c| found = found || c.contains(pred));
        found
    }
}

/// What leaving a `try` early (by `break`) must do.
#[derive(Debug, Clone, Copy)]
pub struct TryExit {
    /// Handlers to pop: the catch handler and/or the finally handler.
    pub handlers: u32,
    /// The `try` whose finally cleanup must run (an index into the emitter's
    /// table of cleanups, which it fills as it emits each `try`).
    pub try_id: usize,
    pub has_finally: bool,
}

#[derive(Debug)]
pub struct Try {
    pub id: usize,
    pub body: Node,
    pub catches: Vec<Catch>,
    pub finally: Option<Node>,
}

#[derive(Debug)]
pub struct Restart {
    pub name: Sym,
    pub params: Vec<VarId>,
    pub rest: Option<VarId>,
    pub body: Node,
}

#[derive(Debug)]
pub struct Catch {
    /// Types caught (an untyped `catch` catches `error`).
    pub types: Vec<Sym>,
    pub var: VarId,
    pub body: Node,
}

#[derive(Debug)]
pub struct Lambda {
    pub id: FnId,
    pub name: Option<Sym>,
    pub params: Vec<VarId>,
    pub rest: Option<VarId>,
    pub body: Node,
}

#[derive(Debug, Clone)]
pub struct VarInfo {
    pub name: Sym,
    pub func: FnId,
    pub slot: u32,
    pub captured: bool,
    pub assigned: bool,
}

impl VarInfo {
    /// Captured and assigned variables live in shared cells.
    pub fn boxed(&self) -> bool {
        self.captured && self.assigned
    }
}

#[derive(Debug, Default, Clone)]
pub struct FnInfo {
    pub parent: Option<FnId>,
    pub nlocals: u32,
    /// Variables of enclosing functions this one uses, in capture order.
    pub captures: Vec<VarId>,
    /// The same, for a lookup that stays quick however many there are.
    pub captured: FxHashSet<VarId>,
}

/// Everything the emitter needs besides the tree.
#[derive(Debug, Default)]
pub struct ProgramInfo {
    pub vars: Vec<VarInfo>,
    pub funcs: Vec<FnInfo>,
}
