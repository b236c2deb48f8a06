//! Bytecode emission: from the analysed tree to register code.
//!
//! Each local variable owns a register (its slot); temporaries are allocated
//! above the locals like a stack and released when an expression is done.
//! A call puts the function and its arguments in consecutive temporaries at
//! the top, so the callee's window begins right above them.
//!
//! Tail position is explicit: `Emitter::tail` compiles an expression whose
//! value is returned, turning calls into `TailCall`. A `try` body is never in
//! tail position because its handler must stay active.

use std::cell::Cell;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::bytecode::{
    BinOp, BindClause, CaptureFrom, CatchClause, CmpOp, HandlerInfo, MAX_CAPTURES, MAX_ITEMS,
    MAX_REGS, Op, Proto, Reg, RestartClause, UnOp,
};
use crate::compiler::ast::*;
use crate::compiler::{check_argc, over_limit};
use crate::error::{RtError, RtResult};
use crate::span::Span;
use crate::symbol::Sym;
use crate::value::Value;

pub fn emit_toplevel(root: &Node, info: &ProgramInfo) -> RtResult<Rc<Proto>> {
    let proto = emit_function(info, 0, Some(Sym::intern("<top>")), root.span, |e| {
        // Not in tail position: a top-level form's frame stays in the trace
        // of an error raised by the call it makes.
        let r = e.alloc(root.span);
        e.compile_to(root, r);
        e.op(Op::Return { src: r }, root.span);
    });
    Ok(Rc::new(proto.finish(0, false)?))
}

/// Emits the code of the function at `span` with `body`. Fused
/// compare-and-branch instructions reach only 16-bit targets, so a function
/// too long for them is emitted a second time without fusion.
fn emit_function<'a>(
    info: &'a ProgramInfo,
    func: FnId,
    name: Option<Sym>,
    span: Span,
    body: impl Fn(&mut Emitter<'a>),
) -> Emitter<'a> {
    let mut e = Emitter::new(info, func, name, span, true);
    if e.error.is_some() {
        return e;
    }
    body(&mut e);
    if e.fusion_failed {
        e = Emitter::new(info, func, name, span, false);
        body(&mut e);
    }
    e
}

struct LoopLabels {
    /// Where the loop's value goes (`break` writes it too).
    dst: Reg,
    /// Jumps to patch to the loop's exit.
    breaks: Vec<usize>,
}

/// A named-`let` loop being emitted: where `Recur` jumps and what it binds.
struct NamedLoop<'a> {
    top: u32,
    params: &'a [VarId],
}

struct Emitter<'a> {
    info: &'a ProgramInfo,
    func: FnId,
    proto: Proto,
    /// First free temporary register.
    next: u32,
    /// Registers used so far.
    high: u32,
    loops: FxHashMap<LoopId, LoopLabels>,
    named_loops: FxHashMap<LoopId, NamedLoop<'a>>,
    /// Finally cleanups of the `try` forms being emitted, for `break`.
    cleanups: FxHashMap<usize, &'a Node>,
    /// The index of each captured variable among the closure's captures.
    capture_index: FxHashMap<VarId, u16>,
    /// The first error met (a function exceeding a limit of the bytecode,
    /// this one or a nested one); reported when the function is finished.
    /// The code emitted meanwhile may have wrapped register numbers or
    /// indices, and is thrown away.
    error: Option<RtError>,
    /// Whether tests may compile to fused compare-and-branch instructions.
    fuse: bool,
    /// The last position taken as a jump target.
    label: Option<u32>,
    /// A fused branch could not reach its target.
    fusion_failed: bool,
    /// Calls that stand in for inlined folds, placed after the function's
    /// code (see [`Emitter::fold`]).
    fold_calls: Vec<FoldCall>,
    /// Float constants that loops use as operands, loaded once on entry:
    /// (bits, register).
    constant_regs: Vec<(u64, Reg)>,
}

/// At most this many constants per function get a register of their own.
const MAX_CONSTANT_REGS: usize = 16;

/// The out-of-line call of a fold's global, run instead of the inlined
/// chain once the operator is redefined.
struct FoldCall {
    /// The chain's first instruction, which redefinition turns into a jump
    /// here.
    head: usize,
    slot: u32,
    /// Where the operands are.
    operands: Vec<Reg>,
    /// The call's consecutive registers: the function, then the arguments.
    window: Reg,
    args: Vec<Reg>,
    dst: Reg,
    /// Where execution continues after the chain.
    resume: u32,
    span: Span,
}

impl<'a> Emitter<'a> {
    fn new(info: &'a ProgramInfo, func: FnId, name: Option<Sym>, span: Span, fuse: bool) -> Self {
        let f = &info.funcs[func];
        let nlocals = f.nlocals;
        let capture_index = f
            .captures
            .iter()
            .zip(0..=u16::MAX)
            .map(|(&v, k)| (v, k))
            .collect();
        let mut e = Emitter {
            info,
            func,
            proto: Proto::named(name),
            next: nlocals,
            high: nlocals,
            loops: FxHashMap::default(),
            named_loops: FxHashMap::default(),
            cleanups: FxHashMap::default(),
            capture_index,
            error: None,
            fuse,
            label: None,
            fusion_failed: false,
            fold_calls: Vec::new(),
            constant_regs: Vec::new(),
        };
        // Every local has a register of its own, and `slot` relies on
        // their numbers fitting a `Reg`.
        if nlocals > MAX_REGS {
            let what = format!("function has {nlocals} parameters and local variables");
            e.fail(over_limit(span, what, MAX_REGS));
        }
        if f.captures.len() > MAX_CAPTURES {
            let n = f.captures.len();
            let what = format!("function uses {n} variables of enclosing functions");
            e.fail(over_limit(span, what, MAX_CAPTURES));
        }
        e
    }

    /// Records an error; the first one is reported.
    fn fail(&mut self, e: RtError) {
        self.error.get_or_insert(e);
    }

    /// `n`, a count or position of something of which a function may have
    /// at most `MAX_ITEMS` (`what`: "instructions", "constants"...), as
    /// an instruction field.
    fn item_index(&mut self, n: usize, what: &str, span: Span) -> u32 {
        match u32::try_from(n) {
            Ok(i) if n <= MAX_ITEMS => i,
            _ => {
                let e = over_limit(span, format!("function has too many {what}"), MAX_ITEMS);
                self.fail(e);
                0
            }
        }
    }

    fn finish(mut self, nparams: u32, rest: bool) -> RtResult<Proto> {
        if self.error.is_none() {
            self.emit_fold_calls();
        }
        if let Some(e) = self.error {
            return Err(e);
        }
        self.proto.nparams = nparams;
        self.proto.rest = rest;
        self.proto.fast_argc = if rest { u32::MAX } else { nparams };
        self.proto.nregs = self.high.max(1);
        self.proto
            .verify()
            .map_err(|e| RtError::new("error", format!("internal compiler error: {e}")))?;
        Ok(self.proto.decide_eligibility())
    }

    // ----- registers and instructions -----

    fn alloc(&mut self, span: Span) -> Reg {
        let r = self.next;
        self.next += 1;
        self.high = self.high.max(self.next);
        // `MAX_REGS` is exactly the numbers a `Reg` holds.
        Reg::try_from(r).unwrap_or_else(|_| {
            let what = "function needs more registers for its variables and intermediate values";
            self.fail(over_limit(span, what, MAX_REGS));
            0
        })
    }

    /// Whether the native stack is too short to compile one more level of
    /// nesting at `span` (then the function fails to compile with a
    /// `stack-overflow`).
    fn too_deep(&mut self, span: Span) -> bool {
        if !crate::native_stack::exhausted() {
            return false;
        }
        self.fail(crate::native_stack::overflow("expressions", Some(span)));
        true
    }

    fn mark(&self) -> u32 {
        self.next
    }

    fn release(&mut self, mark: u32) {
        self.next = mark;
    }

    fn op(&mut self, op: Op, span: Span) -> usize {
        self.proto.code.push(Cell::new(op));
        self.proto.spans.push(span);
        let n = self.proto.code.len();
        // The position after it is a possible jump target.
        self.item_index(n, "instructions", span);
        n - 1
    }

    /// The position of the next instruction, as a jump target.
    fn here(&mut self) -> u32 {
        // Past `MAX_ITEMS`, `op` has recorded the error.
        let at = u32::try_from(self.proto.code.len()).unwrap_or(u32::MAX);
        self.label = Some(at);
        at
    }

    /// The register whose value the previous instruction just stored
    /// (as `stored` recognises it), when execution can only arrive here
    /// from that instruction: a read of the same variable can then be a
    /// move.
    fn just_stored(&self, stored: impl Fn(Op) -> Option<Reg>) -> Option<Reg> {
        let at = u32::try_from(self.proto.code.len()).ok();
        if self.label == at {
            return None;
        }
        self.proto.code.last().and_then(|op| stored(op.get()))
    }

    fn patch(&mut self, at: usize, to: u32) {
        if !self.proto.code[at].get_mut().set_target(to) {
            self.fusion_failed = true;
        }
    }

    fn load_constant(&mut self, v: Value, dst: Reg, span: Span) {
        let op = match v {
            Value::Nil => Op::LoadNil { dst },
            Value::Bool(b) => Op::LoadBool { dst, b: b.get() },
            Value::Int(n) if let Ok(n) = i32::try_from(n) => Op::LoadInt { dst, n },
            v => {
                let k = self.item_index(self.proto.consts.len(), "constants", span);
                self.proto.consts.push(v);
                Op::LoadConst { dst, k }
            }
        };
        self.op(op, span);
    }

    fn mov(&mut self, dst: Reg, src: Reg, span: Span) {
        if dst != src {
            self.op(Op::Move { dst, src }, span);
        }
    }

    // ----- variables -----

    fn var(&self, v: VarId) -> &'a VarInfo {
        &self.info.vars[v]
    }

    /// The register of a local of this function.
    fn slot(&self, v: VarId) -> Reg {
        // In range when the function passed the check of `new`; otherwise
        // its code is thrown away.
        Reg::try_from(self.var(v).slot).unwrap_or(0)
    }

    /// The register of a local of this function that is not in a cell.
    fn plain_local(&self, v: VarId) -> Option<Reg> {
        let info = self.var(v);
        (info.func == self.func && !info.boxed()).then(|| self.slot(v))
    }

    fn capture_index(&self, v: VarId) -> u16 {
        self.capture_index.get(&v).copied().unwrap_or(0)
    }

    fn load_var(&mut self, v: VarId, dst: Reg, span: Span) {
        let info = self.var(v);
        if info.func == self.func {
            let slot = self.slot(v);
            if !info.boxed() {
                self.mov(dst, slot, span);
            } else if let Some(src) = self.just_stored(|op| match op {
                Op::CellSet { cell, src } if cell == slot => Some(src),
                _ => None,
            }) {
                self.mov(dst, src, span);
            } else {
                self.op(Op::CellGet { dst, cell: slot }, span);
            }
        } else {
            let k = self.capture_index(v);
            if !info.boxed() {
                self.op(Op::CaptureGet { dst, k }, span);
            } else if let Some(src) = self.just_stored(|op| match op {
                Op::CaptureCellSet { k: stored, src } if stored == k => Some(src),
                _ => None,
            }) {
                self.mov(dst, src, span);
            } else {
                self.op(Op::CaptureCellGet { dst, k }, span);
            }
        }
    }

    /// Assigns an existing variable; returns the register holding the new
    /// value (valid until the caller releases its temporaries).
    fn assign(&mut self, v: VarId, value: &'a Node, span: Span) -> Reg {
        if let Some(slot) = self.plain_local(v) {
            if writes_only_at_end(value) {
                self.compile_to(value, slot);
            } else {
                let t = self.alloc(span);
                self.compile_to(value, t);
                self.mov(slot, t, span);
            }
            return slot;
        }
        let r = self.any(value);
        let info = self.var(v);
        if info.func == self.func {
            self.op(
                Op::CellSet {
                    cell: self.slot(v),
                    src: r,
                },
                span,
            );
        } else {
            let k = self.capture_index(v);
            self.op(Op::CaptureCellSet { k, src: r }, span);
        }
        r
    }

    /// Binds a fresh variable to a value (a new cell if it needs one).
    fn bind(&mut self, v: VarId, value: &'a Node) {
        let info = self.var(v);
        let slot = self.slot(v);
        self.compile_to(value, slot);
        if info.boxed() {
            self.op(Op::MakeCell { reg: slot }, value.span);
        }
    }

    // ----- expressions -----

    /// Compiles `n` and returns a register holding its value: the variable's
    /// own register for a plain local, else a new temporary.
    fn any(&mut self, n: &'a Node) -> Reg {
        if let Expr::Local(v) = n.expr
            && let Some(r) = self.plain_local(v)
        {
            return r;
        }
        if let Expr::Const(Value::Float(f)) = n.expr
            && let Some(&(_, r)) = self.constant_regs.iter().find(|(b, _)| *b == f.to_bits())
        {
            return r;
        }
        let r = self.alloc(n.span);
        self.compile_to(n, r);
        r
    }

    /// Compiles `n` for its effects only.
    fn effect(&mut self, n: &'a Node) {
        if self.too_deep(n.span) {
            return;
        }
        let m = self.mark();
        match &n.expr {
            _ if has_no_effect(n) => {}
            Expr::SetLocal(v, value) => {
                self.assign(*v, value, n.span);
            }
            Expr::Seq(nodes) => nodes.iter().for_each(|x| self.effect(x)),
            Expr::VectorSet(args, _) => self.vector_set(args, n.span),
            // Effect context reaches the bodies, so that their last form
            // (a `vector-set!`, an assignment...) needs no value either.
            Expr::Let(binds, body) => {
                for (v, init) in binds {
                    self.bind(*v, init);
                }
                self.effect(body);
            }
            Expr::Declare(vars, body) => {
                self.declare(vars, n.span);
                self.effect(body);
            }
            Expr::If(c, t, e) => {
                let jf = self.branch(c, false);
                self.effect(t);
                if has_no_effect(e) {
                    let end = self.here();
                    self.patch_all(jf, end);
                } else {
                    let j = self.op(Op::Jump { target: 0 }, n.span);
                    let else_at = self.here();
                    self.patch_all(jf, else_at);
                    self.effect(e);
                    let end = self.here();
                    self.patch(j, end);
                }
            }
            _ => {
                let r = self.alloc(n.span);
                self.compile_to(n, r);
            }
        }
        self.release(m);
    }

    /// Compiles `n` so that its value ends up in `dst`.
    fn compile_to(&mut self, n: &'a Node, dst: Reg) {
        let span = n.span;
        if self.too_deep(span) {
            return;
        }
        let m = self.mark();
        match &n.expr {
            Expr::Const(v) => self.load_constant(*v, dst, span),
            Expr::Local(v) => self.load_var(*v, dst, span),
            Expr::Global(slot) => {
                self.op(Op::GlobalGet { dst, slot: *slot }, span);
            }
            Expr::SetLocal(v, value) => {
                let r = self.assign(*v, value, span);
                self.mov(dst, r, span);
            }
            Expr::SetGlobal(slot, value) => {
                let r = self.any(value);
                self.op(
                    Op::GlobalSet {
                        src: r,
                        slot: *slot,
                    },
                    span,
                );
                self.mov(dst, r, span);
            }
            Expr::DefineGlobal(slot, value) => {
                let r = self.any(value);
                self.op(
                    Op::GlobalDefine {
                        src: r,
                        slot: *slot,
                    },
                    span,
                );
                self.mov(dst, r, span);
            }
            Expr::If(c, t, e) => {
                let jf = self.branch(c, false);
                self.compile_to(t, dst);
                let j = self.op(Op::Jump { target: 0 }, span);
                let else_at = self.here();
                self.patch_all(jf, else_at);
                self.compile_to(e, dst);
                let end = self.here();
                self.patch(j, end);
            }
            Expr::Seq(nodes) => {
                let (last, init) = nodes.split_last().expect("empty sequence");
                init.iter().for_each(|x| self.effect(x));
                self.compile_to(last, dst);
            }
            Expr::Let(binds, body) => {
                for (v, init) in binds {
                    self.bind(*v, init);
                }
                self.compile_to(body, dst);
            }
            Expr::Declare(vars, body) => {
                self.declare(vars, span);
                self.compile_to(body, dst);
            }
            Expr::Lambda(l) => self.lambda(l, dst, span),
            Expr::Call(f, args) => {
                let base = self.call_setup(f, args, span);
                self.call_op(base, args.len(), dst, span);
            }
            Expr::Bin(op, a, b) => self.binary(*op, a, b, dst, span),
            Expr::Un(op, a) => {
                let src = self.any(a);
                self.op(unary(*op, dst, src), span);
            }
            Expr::Fold { op, slot, args } => self.fold(*op, *slot, args, dst, span),
            Expr::VectorSet(args, slot) => self.call_global(*slot, &args[..], dst, span),
            Expr::And(nodes) | Expr::Or(nodes) => {
                let is_and = matches!(n.expr, Expr::And(_));
                let (last, init) = nodes.split_last().expect("empty and/or");
                let mut exits = Vec::new();
                for x in init {
                    self.compile_to(x, dst);
                    exits.push(self.cond_jump(dst, !is_and, x.span));
                }
                self.compile_to(last, dst);
                let end = self.here();
                exits.into_iter().for_each(|j| self.patch(j, end));
            }
            Expr::While { id, test, body } => self.while_loop(*id, test, body, dst, span),
            Expr::For {
                id,
                var,
                state,
                seq,
                body,
            } => self.for_loop(*id, (*var, *state), seq, body, dst, span),
            Expr::Break { id, value, exits } => self.break_loop(*id, value, exits, span),
            Expr::Try(t) => self.try_expr(t, dst, span),
            Expr::HandlerBind { clauses, body } => self.handler_bind(clauses, body, dst, span),
            Expr::RestartCase { body, clauses } => self.restart_case(body, clauses, dst, span),
            Expr::Loop {
                id,
                params,
                inits,
                body,
            } => {
                self.loop_start(*id, params, inits, span);
                self.compile_to(body, dst);
                self.named_loops.remove(id);
            }
            Expr::Recur { id, args } => self.recur(*id, args, span),
        }
        self.release(m);
    }

    /// Binds a named loop's parameters to their initial values and marks
    /// the loop's start.
    fn loop_start(&mut self, id: LoopId, params: &'a [VarId], inits: &'a [Node], span: Span) {
        self.rebind(params, inits, span);
        let top = self.here();
        self.named_loops.insert(id, NamedLoop { top, params });
    }

    /// Evaluates all values first, then binds them (fresh cells where
    /// needed), as a call would.
    fn rebind(&mut self, params: &'a [VarId], values: &'a [Node], span: Span) {
        let m = self.mark();
        // `None`: the value was compiled straight into its parameter.
        let mut temps: Vec<Option<Reg>> = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            match self.direct_rebind(params, values, &temps, i) {
                Some(slot) => {
                    self.compile_to(v, slot);
                    temps.push(None);
                }
                None => temps.push(Some(self.any(v))),
            }
        }
        // `any` may return a parameter's own register: copy those first so a
        // later store cannot clobber them.
        let temps: Vec<Option<Reg>> = temps
            .into_iter()
            .map(|t| {
                let r = t?;
                if params.iter().any(|&p| self.plain_local(p) == Some(r)) {
                    let t = self.alloc(span);
                    self.mov(t, r, span);
                    Some(t)
                } else {
                    Some(r)
                }
            })
            .collect();
        for (&p, t) in params.iter().zip(temps) {
            let info = self.var(p);
            let slot = self.slot(p);
            if let Some(r) = t {
                self.mov(slot, r, span);
            }
            if info.boxed() {
                self.op(Op::MakeCell { reg: slot }, span);
            }
        }
        self.release(m);
    }

    /// The register of parameter `i` if its new value can be compiled
    /// straight into it (saving a move per loop iteration): it is a plain
    /// register, no later value reads it, no earlier value was left in it,
    /// and its own value does not read it after writing its destination.
    fn direct_rebind(
        &self,
        params: &[VarId],
        values: &[Node],
        earlier: &[Option<Reg>],
        i: usize,
    ) -> Option<Reg> {
        let p = params[i];
        let slot = self.plain_local(p)?;
        let later_reads = values[i + 1..].iter().any(|x| may_read(x, p));
        let left_there = earlier.contains(&Some(slot));
        let own_safe = writes_only_at_end(&values[i]) || !may_read(&values[i], p);
        (!later_reads && !left_there && own_safe).then_some(slot)
    }

    fn recur(&mut self, id: LoopId, args: &'a [Node], span: Span) {
        let Some((top, params)) = self.named_loops.get(&id).map(|l| (l.top, l.params)) else {
            return;
        };
        self.rebind(params, args, span);
        self.op(Op::JumpBack { target: top }, span);
    }

    /// Compiles `n` in tail position: its value is returned.
    fn tail(&mut self, n: &'a Node) {
        let span = n.span;
        if self.too_deep(span) {
            return;
        }
        let m = self.mark();
        match &n.expr {
            Expr::Call(f, args) => {
                let base = self.call_setup(f, args, span);
                let argc = self.argc(args.len(), span);
                self.op(Op::TailCall { base, argc }, span);
            }
            Expr::If(c, t, e) => {
                let jf = self.branch(c, false);
                self.tail(t);
                let else_at = self.here();
                self.patch_all(jf, else_at);
                self.tail(e);
            }
            Expr::Seq(nodes) => {
                let (last, init) = nodes.split_last().expect("empty sequence");
                init.iter().for_each(|x| self.effect(x));
                self.tail(last);
            }
            Expr::Let(binds, body) => {
                for (v, init) in binds {
                    self.bind(*v, init);
                }
                self.tail(body);
            }
            Expr::Declare(vars, body) => {
                self.declare(vars, span);
                self.tail(body);
            }
            Expr::Loop {
                id,
                params,
                inits,
                body,
            } => {
                self.loop_start(*id, params, inits, span);
                self.tail(body);
                self.named_loops.remove(id);
            }
            Expr::Recur { id, args } => self.recur(*id, args, span),
            Expr::And(nodes) | Expr::Or(nodes) => {
                let is_and = matches!(n.expr, Expr::And(_));
                let (last, init) = nodes.split_last().expect("empty and/or");
                let r = self.alloc(span);
                let mut exits = Vec::new();
                for x in init {
                    self.compile_to(x, r);
                    exits.push(self.cond_jump(r, !is_and, x.span));
                }
                self.tail(last);
                let ret = self.here();
                exits.into_iter().for_each(|j| self.patch(j, ret));
                self.op(Op::Return { src: r }, span);
            }
            _ => {
                let r = self.any(n);
                self.op(Op::Return { src: r }, span);
            }
        }
        self.release(m);
    }

    fn declare(&mut self, vars: &[VarId], span: Span) {
        for &v in vars {
            let info = self.var(v);
            let slot = self.slot(v);
            self.op(Op::LoadNil { dst: slot }, span);
            if info.boxed() {
                self.op(Op::MakeCell { reg: slot }, span);
            }
        }
    }

    /// A jump taken when `r` is truthy (`when_true`) or falsy; returns the
    /// instruction to patch.
    fn cond_jump(&mut self, r: Reg, when_true: bool, span: Span) -> usize {
        let op = if when_true {
            Op::JumpIfTrue { cond: r, target: 0 }
        } else {
            Op::JumpIfFalse { cond: r, target: 0 }
        };
        self.op(op, span)
    }

    /// Evaluates a test and jumps (through the returned jumps, to be
    /// patched) when its truth is `when`, falling through otherwise. A
    /// comparison, `pair?` or `null?` becomes one fused test-and-branch
    /// instruction where one exists; `and` and `or` become chains of tests
    /// that never build their value.
    fn branch(&mut self, c: &'a Node, when: bool) -> Vec<usize> {
        if self.too_deep(c.span) {
            return Vec::new();
        }
        let m = self.mark();
        let fuse = self.fuse;
        let span = c.span;
        let jumps = match &c.expr {
            Expr::And(xs) | Expr::Or(xs) if !xs.is_empty() => {
                // The truth that decides an `and` (false) or an `or` (true)
                // before its last operand.
                let decides = matches!(c.expr, Expr::Or(_));
                let (last, init) = xs.split_last().unwrap_or((&xs[0], &[]));
                if when == decides {
                    let mut jumps: Vec<usize> = Vec::new();
                    for x in init {
                        jumps.extend(self.branch(x, when));
                    }
                    jumps.extend(self.branch(last, when));
                    jumps
                } else {
                    let mut past = Vec::new();
                    for x in init {
                        past.extend(self.branch(x, decides));
                    }
                    let jumps = self.branch(last, when);
                    let here = self.here();
                    past.into_iter().for_each(|j| self.patch(j, here));
                    jumps
                }
            }
            Expr::Bin(op, a, b)
                if fuse
                    && !when
                    && let Some(cmp) = CmpOp::from_bin(*op) =>
            {
                let op = match self.operands(a, b) {
                    Operands::Regs(ra, rb) => Op::jump_unless(cmp, ra, rb),
                    Operands::Imm(ra, n) => Op::jump_unless_imm(cmp, ra, n),
                };
                vec![self.op(op, span)]
            }
            Expr::Un(op, x) if fuse && let Some(test) = type_branch(*op) => {
                let src = self.any(x);
                vec![self.op(test(*op, src, when), span)]
            }
            _ => {
                let r = self.any(c);
                vec![self.cond_jump(r, when, span)]
            }
        };
        self.release(m);
        jumps
    }

    fn patch_all(&mut self, jumps: Vec<usize>, to: u32) {
        jumps.into_iter().for_each(|j| self.patch(j, to));
    }

    /// Places a call's function and arguments in consecutive temporaries;
    /// returns the first (where the result will land).
    fn call_setup(&mut self, f: &'a Node, args: &'a [Node], span: Span) -> Reg {
        let base = self.alloc(span);
        let arg_regs: Vec<Reg> = args.iter().map(|a| self.alloc(a.span)).collect();
        self.compile_to(f, base);
        for (a, r) in args.iter().zip(arg_regs) {
            self.compile_to(a, r);
        }
        base
    }

    fn binary(&mut self, op: BinOp, a: &'a Node, b: &'a Node, dst: Reg, span: Span) {
        let op = match self.operands(a, b) {
            Operands::Regs(ra, rb) => Op::binary(op, dst, ra, rb),
            Operands::Imm(ra, n) => Op::binary_imm(op, dst, ra, n),
        };
        self.op(op, span);
    }

    /// Evaluates a binary operator's operands: into registers, or the first
    /// into a register and the second as a small integer immediate.
    fn operands(&mut self, a: &'a Node, b: &'a Node) -> Operands {
        if let Expr::Const(Value::Int(n)) = b.expr
            && let Ok(n) = i16::try_from(n)
        {
            return Operands::Imm(self.any(a), n);
        }
        let ra = self.operand_before(a, &[b]);
        Operands::Regs(ra, self.any(b))
    }

    /// Compiles an operand evaluated before `later` ones: a plain local is
    /// used in place unless a later operand assigns it (then its value is
    /// copied first, so the operation sees the value from before).
    fn operand_before(&mut self, n: &'a Node, later: &[&'a Node]) -> Reg {
        if let Expr::Local(v) = n.expr
            && let Some(r) = self.plain_local(v)
            && later.iter().any(|x| assigns(x, v))
        {
            let t = self.alloc(n.span);
            self.mov(t, r, n.span);
            return t;
        }
        self.any(n)
    }

    /// `(+ a b c...)`: a chain of inline operations on the operands where
    /// they are. If `+` is redefined, the chain's first instruction becomes
    /// a jump to a call of the global with all the operands
    /// (`Proto::folds`), placed after the function's code so that the
    /// inlined path has no jump over it.
    fn fold(&mut self, op: BinOp, slot: u32, args: &'a [Node], dst: Reg, span: Span) {
        let operands: Vec<Reg> = (0..args.len())
            .map(|i| {
                let later: Vec<&'a Node> = args[i + 1..].iter().collect();
                self.operand_before(&args[i], &later)
            })
            .collect();
        // The chain writes its result before it reads the third operand on.
        let acc = if operands[2..].contains(&dst) {
            self.alloc(span)
        } else {
            dst
        };
        let head = self.op(Op::binary(op, acc, operands[0], operands[1]), span);
        for &r in &operands[2..] {
            self.op(Op::binary(op, acc, acc, r), span);
        }
        self.mov(dst, acc, span);
        let resume = self.here();
        // The call runs instead of the chain, so registers free here are
        // free for it.
        let window = self.alloc(span);
        let call_args = args.iter().map(|_| self.alloc(span)).collect();
        self.fold_calls.push(FoldCall {
            head,
            slot,
            operands,
            window,
            args: call_args,
            dst,
            resume,
            span,
        });
    }

    /// Appends the folds' calls (each returning to after its chain).
    fn emit_fold_calls(&mut self) {
        for call in std::mem::take(&mut self.fold_calls) {
            let at = self.here();
            let head = self.item_index(call.head, "instructions", call.span);
            self.proto.folds.push((head, at));
            self.op(
                Op::GlobalGet {
                    dst: call.window,
                    slot: call.slot,
                },
                call.span,
            );
            for (&to, &from) in call.args.iter().zip(&call.operands) {
                self.mov(to, from, call.span);
            }
            self.call_op(call.window, call.operands.len(), call.dst, call.span);
            self.op(
                Op::Jump {
                    target: call.resume,
                },
                call.span,
            );
        }
    }

    fn call_op(&mut self, base: Reg, argc: usize, dst: Reg, span: Span) {
        let argc = self.argc(argc, span);
        self.op(Op::Call { base, argc, dst }, span);
    }

    /// A call's argument count as its instruction field. Analysis refuses
    /// calls with more (naming what the program wrote); this keeps the
    /// conversion checked for calls the compiler makes itself.
    fn argc(&mut self, n: usize, span: Span) -> u16 {
        check_argc(span, n, || format!("call has {n} arguments")).unwrap_or_else(|e| {
            self.fail(e);
            0
        })
    }

    /// A call of the global in `slot` with `args`.
    fn call_global(&mut self, slot: u32, args: &'a [Node], dst: Reg, span: Span) {
        let base = self.alloc(span);
        let regs: Vec<Reg> = args.iter().map(|a| self.alloc(a.span)).collect();
        self.op(Op::GlobalGet { dst: base, slot }, span);
        for (a, r) in args.iter().zip(regs) {
            self.compile_to(a, r);
        }
        self.call_op(base, args.len(), dst, span);
    }

    /// `(vector-set! v i x)` whose value is not used: one instruction
    /// (falling back to a call when `vector-set!` was redefined). Its value,
    /// when wanted, comes from a plain call of the global.
    fn vector_set(&mut self, args: &'a [Node; 3], span: Span) {
        let [vec, idx, val] = args;
        let vec = self.operand_before(vec, &[idx, val]);
        let op = match idx.expr {
            Expr::Const(Value::Int(n)) if let Ok(n) = i16::try_from(n) => {
                let val = self.any(val);
                Op::VectorSetI { vec, n, val }
            }
            _ => {
                let idx = self.operand_before(idx, &[val]);
                let val = self.any(val);
                Op::VectorSet { vec, idx, val }
            }
        };
        self.op(op, span);
    }

    fn while_loop(&mut self, id: LoopId, test: &'a Node, body: &'a Node, dst: Reg, span: Span) {
        self.begin_loop(id, dst);
        let top = self.here();
        let exits = self.branch(test, false);
        self.effect(body);
        self.op(Op::JumpBack { target: top }, span);
        self.end_loop(id, exits, dst, span);
    }

    /// ```text
    ///        state ← seq; ForPrep state
    /// TOP:   ForNext state var       ; skips the jump when there is an item
    ///        Jump END
    ///        [MakeCell var]; body; JumpBack TOP
    /// END:   dst ← nil               ; a break jumps past this with its value
    /// ```
    fn for_loop(
        &mut self,
        id: LoopId,
        (var, state): (VarId, VarId),
        seq: &'a Node,
        body: &'a Node,
        dst: Reg,
        span: Span,
    ) {
        let state = self.slot(state);
        let var_info = self.var(var);
        let var = self.slot(var);
        self.compile_to(seq, state);
        self.op(Op::ForPrep { state }, span);
        self.begin_loop(id, dst);
        let top = self.here();
        self.op(Op::ForNext { state, var }, span);
        let exit = vec![self.op(Op::Jump { target: 0 }, span)];
        if var_info.boxed() {
            self.op(Op::MakeCell { reg: var }, span);
        }
        self.effect(body);
        self.op(Op::JumpBack { target: top }, span);
        self.end_loop(id, exit, dst, span);
    }

    /// Starts a loop whose value (nil, or a `break`'s) goes to `dst`.
    fn begin_loop(&mut self, id: LoopId, dst: Reg) {
        let breaks = Vec::new();
        self.loops.insert(id, LoopLabels { dst, breaks });
    }

    /// Patches a loop's exit jumps to a `dst ← nil` and its breaks past it.
    fn end_loop(&mut self, id: LoopId, exits: Vec<usize>, dst: Reg, span: Span) {
        let after = self.here();
        self.patch_all(exits, after);
        self.op(Op::LoadNil { dst }, span);
        let end = self.here();
        if let Some(labels) = self.loops.remove(&id) {
            labels.breaks.into_iter().for_each(|j| self.patch(j, end));
        }
    }

    fn break_loop(&mut self, id: LoopId, value: &'a Node, exits: &[TryExit], span: Span) {
        let Some(dst) = self.loops.get(&id).map(|l| l.dst) else {
            return;
        };
        self.compile_to(value, dst);
        for exit in exits {
            for _ in 0..exit.handlers {
                self.op(Op::PopHandler, span);
            }
            if exit.has_finally
                && let Some(cleanup) = self.cleanups.get(&exit.try_id).copied()
            {
                self.effect(cleanup);
            }
        }
        let j = self.op(Op::Jump { target: 0 }, span);
        if let Some(l) = self.loops.get_mut(&id) {
            l.breaks.push(j);
        }
    }

    /// ```text
    ///   [PushHandler F]            ; with a finally
    ///   PushHandler C              ; with catch clauses
    ///   body → dst
    ///   PopHandler
    ///   Jump END
    /// clause: var ← condition; clause body → dst; Jump END   (each clause)
    /// END:
    ///   [PopHandler; cleanup; Jump DONE
    /// F: cleanup; EndFinally           ; run while unwinding through it
    /// DONE:]
    /// ```
    fn try_expr(&mut self, t: &'a Try, dst: Reg, span: Span) {
        if let Some(f) = &t.finally {
            self.cleanups.insert(t.id, f);
        }
        let finally = t
            .finally
            .as_ref()
            .map(|_| self.push_handler(HandlerInfo::Finally { target: 0 }, span));
        if t.catches.is_empty() {
            self.compile_to(&t.body, dst);
        } else {
            let cond_reg = self.alloc(span);
            let placeholder = HandlerInfo::Catch {
                clauses: Vec::new(),
                cond_reg,
            };
            let idx = self.push_handler(placeholder, span);
            self.compile_to(&t.body, dst);
            self.op(Op::PopHandler, span);
            let mut ends = vec![self.op(Op::Jump { target: 0 }, span)];
            let mut clauses = Vec::new();
            for c in &t.catches {
                let target = self.here();
                clauses.push(CatchClause {
                    types: c.types.clone(),
                    target,
                });
                self.bind_from(c.var, cond_reg, c.body.span);
                self.compile_to(&c.body, dst);
                ends.push(self.op(Op::Jump { target: 0 }, span));
            }
            self.proto.handlers[idx as usize] = HandlerInfo::Catch { clauses, cond_reg };
            let end = self.here();
            ends.into_iter().for_each(|j| self.patch(j, end));
        }
        if let (Some(idx), Some(cleanup)) = (finally, &t.finally) {
            self.op(Op::PopHandler, span);
            self.effect(cleanup);
            let done = self.op(Op::Jump { target: 0 }, span);
            let target = self.here();
            self.proto.handlers[idx as usize] = HandlerInfo::Finally { target };
            self.effect(cleanup);
            self.op(Op::EndFinally, span);
            let end = self.here();
            self.patch(done, end);
            self.cleanups.remove(&t.id);
        }
    }

    /// ```text
    ///   handler functions → their own registers
    ///   PushHandler B; body → dst; PopHandler
    /// ```
    fn handler_bind(&mut self, clauses: &'a [(Sym, Node)], body: &'a Node, dst: Reg, span: Span) {
        // A handler that is a local is used from its own register, unless
        // evaluating what follows could assign it.
        let clauses = (0..clauses.len())
            .map(|k| {
                let (ctype, handler) = &clauses[k];
                let later: Vec<&Node> = clauses[k + 1..]
                    .iter()
                    .map(|(_, h)| h)
                    .chain([body])
                    .collect();
                BindClause {
                    ctype: *ctype,
                    handler: self.operand_before(handler, &later),
                }
            })
            .collect();
        self.push_handler(HandlerInfo::Bind { clauses }, span);
        self.compile_to(body, dst);
        self.op(Op::PopHandler, span);
    }

    /// ```text
    ///   PushHandler R; body → dst; PopHandler; Jump END
    /// restart: parameters ← arguments; restart body → dst; Jump END   (each)
    /// END:
    /// ```
    fn restart_case(&mut self, body: &'a Node, clauses: &'a [Restart], dst: Reg, span: Span) {
        let placeholder = HandlerInfo::Restarts {
            clauses: Vec::new(),
        };
        let idx = self.push_handler(placeholder, span);
        self.compile_to(body, dst);
        self.op(Op::PopHandler, span);
        let mut ends = vec![self.op(Op::Jump { target: 0 }, span)];
        let mut infos = Vec::new();
        for c in clauses {
            let target = self.here();
            infos.push(RestartClause {
                name: c.name,
                params: c.params.iter().map(|&p| self.slot(p)).collect(),
                rest: c.rest.map(|r| self.slot(r)),
                target,
            });
            for &p in c.params.iter().chain(c.rest.iter()) {
                if self.var(p).boxed() {
                    self.op(Op::MakeCell { reg: self.slot(p) }, c.body.span);
                }
            }
            self.compile_to(&c.body, dst);
            ends.push(self.op(Op::Jump { target: 0 }, span));
        }
        self.proto.handlers[idx as usize] = HandlerInfo::Restarts { clauses: infos };
        let end = self.here();
        ends.into_iter().for_each(|j| self.patch(j, end));
    }

    /// Adds a dynamic stack entry's description and the instruction that
    /// establishes it; returns its index.
    fn push_handler(&mut self, info: HandlerInfo, span: Span) -> u32 {
        let idx = self.item_index(self.proto.handlers.len(), "handlers", span);
        self.proto.handlers.push(info);
        self.op(Op::PushHandler { idx }, span);
        idx
    }

    /// Binds a clause's variable to the value an unwinding left in `src`.
    fn bind_from(&mut self, var: VarId, src: Reg, span: Span) {
        let info = self.var(var);
        let slot = self.slot(var);
        self.mov(slot, src, span);
        if info.boxed() {
            self.op(Op::MakeCell { reg: slot }, span);
        }
    }

    /// Gives each float constant that a loop of `body` uses as an operand a
    /// register, loaded here on entry, so that the loop does not load it on
    /// every iteration.
    fn hoist_loop_constants(&mut self, body: &Node, span: Span) {
        let mut found = Vec::new();
        loop_operand_constants(body, false, &mut found);
        for f in found.into_iter().take(MAX_CONSTANT_REGS) {
            let r = self.alloc(span);
            self.load_constant(Value::Float(f), r, span);
            self.constant_regs.push((f.to_bits(), r));
        }
    }

    fn lambda(&mut self, l: &'a Lambda, dst: Reg, span: Span) {
        let child = emit_function(self.info, l.id, l.name, span, |child| {
            child.hoist_loop_constants(&l.body, span);
            for &p in l.params.iter().chain(l.rest.iter()) {
                if child.var(p).boxed() {
                    let reg = child.slot(p);
                    child.op(Op::MakeCell { reg }, span);
                }
            }
            child.tail(&l.body);
        });
        let mut child = child;
        child.proto.captures = self.info.funcs[l.id]
            .captures
            .iter()
            .map(|&v| {
                let info = self.var(v);
                if info.func == self.func {
                    CaptureFrom::Local(info.slot)
                } else {
                    CaptureFrom::Capture(u32::from(self.capture_index(v)))
                }
            })
            .collect();
        // The parameters are among the function's locals, which a `u32`
        // counts.
        let nparams = u32::try_from(l.params.len()).unwrap_or(u32::MAX);
        child.proto.param_names = l
            .params
            .iter()
            .chain(l.rest.iter())
            .map(|&v| self.var(v).name)
            .collect();
        child.proto.position = span;
        let proto = match child.finish(nparams, l.rest.is_some()) {
            Ok(p) => p,
            Err(e) => {
                self.fail(e);
                Proto::named(None)
            }
        };
        let idx = self.item_index(self.proto.children.len(), "nested functions", span);
        self.proto.children.push(Rc::new(proto));
        self.op(Op::Closure { dst, idx }, span);
    }
}

/// How a binary operator's operands are encoded.
enum Operands {
    Regs(Reg, Reg),
    Imm(Reg, i16),
}

/// The fused branch for a unary type test (`pair?`, `null?`), if it has
/// one: jump (target patched later) when the test's truth is `when`.
fn type_branch(op: UnOp) -> Option<fn(UnOp, Reg, bool) -> Op> {
    match op {
        UnOp::IsPair | UnOp::InternalIsPair => Some(|op, src, when| Op::BranchPair {
            op,
            src,
            when,
            target: 0,
        }),
        UnOp::IsNull | UnOp::InternalIsNull => Some(|op, src, when| Op::BranchNull {
            op,
            src,
            when,
            target: 0,
        }),
        _ => None,
    }
}

/// The instruction for an inlined unary operator.
fn unary(op: UnOp, dst: Reg, src: Reg) -> Op {
    match op {
        UnOp::First | UnOp::Car | UnOp::InternalCar => Op::Car { op, dst, src },
        UnOp::Rest | UnOp::Cdr | UnOp::InternalCdr => Op::Cdr { op, dst, src },
        UnOp::IsPair | UnOp::InternalIsPair => Op::IsPair { op, dst, src },
        UnOp::IsNull | UnOp::InternalIsNull => Op::IsNull { op, dst, src },
        _ => Op::Un { op, dst, src },
    }
}

/// Whether evaluating `n` may assign the plain (uncaptured) local `v`:
/// only a `set!` of it inside `n` can (a closure that assigns it would have
/// made it captured).
fn assigns(n: &Node, v: VarId) -> bool {
    n.contains(&|e: &Expr| matches!(e, Expr::SetLocal(x, _) if *x == v))
}

/// The float constants that are operands of arithmetic or comparisons
/// inside loops of `n` (lambda bodies excluded), without repeats.
fn loop_operand_constants(n: &Node, in_loop: bool, found: &mut Vec<f64>) {
    let in_loop = in_loop
        || matches!(
            n.expr,
            Expr::While { .. } | Expr::For { .. } | Expr::Loop { .. }
        );
    if in_loop {
        let operands: Vec<&Node> = match &n.expr {
            Expr::Bin(_, a, b) => vec![a, b],
            Expr::Fold { args, .. } => args.iter().collect(),
            _ => Vec::new(),
        };
        for x in operands {
            if let Expr::Const(Value::Float(f)) = x.expr
                && !found.iter().any(|g: &f64| g.to_bits() == f.to_bits())
            {
                found.push(f);
            }
        }
    }
    n.for_each_child(|c| loop_operand_constants(c, in_loop, found));
}

/// Whether evaluating `n` does nothing at all (what `effect` emits no code
/// for).
fn has_no_effect(n: &Node) -> bool {
    matches!(n.expr, Expr::Const(_) | Expr::Local(_) | Expr::Lambda(_))
}

/// Whether evaluating `n` may read or write local `v`: a mention of it, or
/// a lambda (which may capture it by value when made).
fn may_read(n: &Node, v: VarId) -> bool {
    n.contains(&|e: &Expr| match e {
        Expr::Local(x) | Expr::SetLocal(x, _) => *x == v,
        Expr::Lambda(_) => true,
        _ => false,
    })
}

/// Expressions that write their destination only as their last step, so
/// that the destination may be the variable being assigned.
fn writes_only_at_end(n: &Node) -> bool {
    matches!(
        n.expr,
        Expr::Const(_)
            | Expr::Local(_)
            | Expr::Global(_)
            | Expr::Call(..)
            | Expr::Bin(..)
            | Expr::Un(..)
            | Expr::Fold { .. }
            | Expr::VectorSet(..)
            | Expr::Lambda(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The positions and indices stored in `u32` fields cannot be reached
    /// by a test program (four billion instructions), so the check is
    /// tested on its own.
    #[test]
    fn indices_past_u32_are_a_syntax_error() {
        let info = ProgramInfo {
            funcs: vec![FnInfo::default()],
            ..ProgramInfo::default()
        };
        let span = Span::default();
        let mut e = Emitter::new(&info, 0, None, span, true);
        assert_eq!(e.item_index(MAX_ITEMS, "constants", span), u32::MAX);
        assert!(e.error.is_none());
        assert_eq!(e.item_index(MAX_ITEMS + 1, "constants", span), 0);
        let Some(RtError::New { ctype, message, .. }) = e.error else {
            panic!("no error recorded");
        };
        assert_eq!(ctype.name(), "syntax-error");
        assert_eq!(
            message,
            format!("{span}: function has too many constants (at most {MAX_ITEMS})")
        );
    }
}
