//! Bytecode emission from the analysed tree.
//!
//! The emitter tracks the operand stack depth statically, so that `break`
//! can drop what an enclosing expression had pushed before jumping out.
//! Calls in tail position become `TailCall`; a `try` body is never in tail
//! position because its handler must stay active.

use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::bytecode::{CaptureFrom, CatchClause, HandlerInfo, Op, Proto};
use crate::compiler::ast::*;
use crate::span::Span;
use crate::symbol::Sym;
use crate::value::Value;

pub fn emit_toplevel(root: &Node, info: &ProgramInfo) -> Rc<Proto> {
    let mut e = Emitter::new(info, 0, Some(Sym::intern("<top>")));
    e.expr(root, true);
    e.op(Op::Return, root.span);
    Rc::new(e.finish(0, false))
}

struct LoopLabels {
    /// Operand depth when the loop began.
    depth: u32,
    /// Jumps to patch to the loop's exit.
    breaks: Vec<usize>,
}

struct Emitter<'a> {
    info: &'a ProgramInfo,
    func: FnId,
    proto: Proto,
    depth: u32,
    loops: FxHashMap<LoopId, LoopLabels>,
    /// Finally cleanups of the `try` forms being emitted, for `break`.
    cleanups: FxHashMap<usize, &'a Node>,
}

impl<'a> Emitter<'a> {
    fn new(info: &'a ProgramInfo, func: FnId, name: Option<Sym>) -> Self {
        Emitter {
            info,
            func,
            proto: Proto {
                name,
                ..Proto::default()
            },
            depth: 0,
            loops: FxHashMap::default(),
            cleanups: FxHashMap::default(),
        }
    }

    fn finish(mut self, nparams: u32, rest: bool) -> Proto {
        let f = &self.info.funcs[self.func];
        self.proto.nparams = nparams;
        self.proto.rest = rest;
        self.proto.nlocals = f.nlocals;
        self.proto
    }

    // ----- instructions -----

    fn op(&mut self, op: Op, span: Span) -> usize {
        self.depth = (self.depth as i64 + stack_effect(op)).max(0) as u32;
        self.proto.code.push(op);
        self.proto.spans.push(span);
        self.proto.code.len() - 1
    }

    fn here(&self) -> u32 {
        self.proto.code.len() as u32
    }

    fn patch(&mut self, at: usize, target: u32) {
        self.proto.code[at] = match self.proto.code[at] {
            Op::Jump(_) => Op::Jump(target),
            Op::JumpIfFalse(_) => Op::JumpIfFalse(target),
            Op::JumpIfTrue(_) => Op::JumpIfTrue(target),
            Op::JumpIfFalseKeep(_) => Op::JumpIfFalseKeep(target),
            Op::JumpIfTrueKeep(_) => Op::JumpIfTrueKeep(target),
            other => other,
        };
    }

    fn constant(&mut self, v: Value, span: Span) {
        match v {
            Value::Nil => self.op(Op::Nil, span),
            Value::Bool(true) => self.op(Op::True, span),
            Value::Bool(false) => self.op(Op::False, span),
            Value::Int(n) if i32::try_from(n).is_ok() => self.op(Op::Int(n as i32), span),
            v => {
                let i = self.proto.consts.len() as u32;
                self.proto.consts.push(v);
                self.op(Op::Const(i), span)
            }
        };
    }

    // ----- variables -----

    fn var(&self, v: VarId) -> &VarInfo {
        &self.info.vars[v]
    }

    /// The capture index of a variable of an enclosing function.
    fn capture_index(&self, v: VarId) -> u32 {
        self.info.funcs[self.func]
            .captures
            .iter()
            .position(|&c| c == v)
            .unwrap_or(0) as u32
    }

    fn load(&mut self, v: VarId, span: Span) {
        let info = self.var(v).clone();
        let op = if info.func == self.func {
            if info.boxed() {
                Op::CellGet(info.slot)
            } else {
                Op::LocalGet(info.slot)
            }
        } else {
            let k = self.capture_index(v);
            if info.boxed() {
                Op::CaptureCellGet(k)
            } else {
                Op::CaptureGet(k)
            }
        };
        self.op(op, span);
    }

    /// Pops the top of the stack into a variable that already exists.
    fn store(&mut self, v: VarId, span: Span) {
        let info = self.var(v).clone();
        let op = if info.func == self.func {
            if info.boxed() {
                Op::CellSet(info.slot)
            } else {
                Op::LocalSet(info.slot)
            }
        } else {
            Op::CaptureCellSet(self.capture_index(v))
        };
        self.op(op, span);
    }

    /// Pops the top of the stack into a variable being bound now (a fresh
    /// cell if it needs one).
    fn bind(&mut self, v: VarId, span: Span) {
        let info = self.var(v).clone();
        self.op(Op::LocalSet(info.slot), span);
        if info.boxed() {
            self.op(Op::MakeCell(info.slot), span);
        }
    }

    // ----- expressions -----

    fn exprs(&mut self, nodes: &'a [Node]) {
        for n in nodes {
            self.expr(n, false);
        }
    }

    fn expr(&mut self, n: &'a Node, tail: bool) {
        let span = n.span;
        match &n.expr {
            Expr::Const(v) => self.constant(*v, span),
            Expr::Local(v) => self.load(*v, span),
            Expr::Global(slot) => {
                self.op(Op::GlobalGet(*slot), span);
            }
            Expr::SetLocal(v, value) => {
                self.expr(value, false);
                self.op(Op::Dup, span);
                self.store(*v, span);
            }
            Expr::SetGlobal(slot, value) => {
                self.expr(value, false);
                self.op(Op::Dup, span);
                self.op(Op::GlobalSet(*slot), span);
            }
            Expr::DefineGlobal(slot, value) => {
                self.expr(value, false);
                self.op(Op::Dup, span);
                self.op(Op::GlobalDefine(*slot), span);
            }
            Expr::If(c, t, e) => self.if_expr(c, t, e, tail, span),
            Expr::Seq(nodes) => {
                let (last, init) = nodes.split_last().expect("empty sequence");
                for x in init {
                    self.expr(x, false);
                    self.op(Op::Pop, x.span);
                }
                self.expr(last, tail);
            }
            Expr::Let(binds, body) => {
                for (_, init) in binds {
                    self.expr(init, false);
                }
                for (v, init) in binds.iter().rev() {
                    self.bind(*v, init.span);
                }
                self.expr(body, tail);
            }
            Expr::Declare(vars, body) => {
                for &v in vars {
                    self.op(Op::Nil, span);
                    self.bind(v, span);
                }
                self.expr(body, tail);
            }
            Expr::Lambda(l) => self.lambda(l, span),
            Expr::Call(f, args) => {
                self.expr(f, false);
                self.exprs(args);
                let argc = args.len() as u32;
                self.op(
                    if tail {
                        Op::TailCall(argc)
                    } else {
                        Op::Call(argc)
                    },
                    span,
                );
            }
            Expr::Bin(op, a, b) => {
                self.expr(a, false);
                self.expr(b, false);
                self.op(Op::Bin(*op), span);
            }
            Expr::Un(op, a) => {
                self.expr(a, false);
                self.op(Op::Un(*op), span);
            }
            Expr::And(nodes) => self.short_circuit(nodes, tail, true),
            Expr::Or(nodes) => self.short_circuit(nodes, tail, false),
            Expr::While { id, test, body } => self.while_loop(*id, test, body, span),
            Expr::Break { id, value, exits } => self.break_loop(*id, value, exits, span),
            Expr::Try(t) => self.try_expr(t, span),
        }
    }

    fn if_expr(&mut self, c: &'a Node, t: &'a Node, e: &'a Node, tail: bool, span: Span) {
        self.expr(c, false);
        let jf = self.op(Op::JumpIfFalse(0), span);
        let d = self.depth;
        self.expr(t, tail);
        let j = self.op(Op::Jump(0), span);
        let after_then = self.here();
        self.patch(jf, after_then);
        self.depth = d;
        self.expr(e, tail);
        let end = self.here();
        self.patch(j, end);
    }

    /// `and` / `or`: each operand but the last decides or is dropped.
    fn short_circuit(&mut self, nodes: &'a [Node], tail: bool, is_and: bool) {
        let (last, init) = nodes.split_last().expect("empty and/or");
        let mut jumps = Vec::new();
        for x in init {
            self.expr(x, false);
            let op = if is_and {
                Op::JumpIfFalseKeep(0)
            } else {
                Op::JumpIfTrueKeep(0)
            };
            jumps.push(self.op(op, x.span));
        }
        self.expr(last, tail);
        let end = self.here();
        for j in jumps {
            self.patch(j, end);
        }
    }

    fn while_loop(&mut self, id: LoopId, test: &'a Node, body: &'a Node, span: Span) {
        let d = self.depth;
        self.loops.insert(
            id,
            LoopLabels {
                depth: d,
                breaks: Vec::new(),
            },
        );
        let top = self.here();
        self.op(Op::LoopHead, span);
        self.expr(test, false);
        let exit = self.op(Op::JumpIfFalse(0), span);
        self.expr(body, false);
        self.op(Op::Pop, span);
        self.op(Op::Jump(top), span);
        let after = self.here();
        self.patch(exit, after);
        self.op(Op::Nil, span);
        let end = self.here();
        if let Some(labels) = self.loops.remove(&id) {
            for j in labels.breaks {
                self.patch(j, end);
            }
        }
        self.depth = d + 1;
    }

    fn break_loop(&mut self, id: LoopId, value: &'a Node, exits: &[TryExit], span: Span) {
        self.expr(value, false);
        for exit in exits {
            for _ in 0..exit.handlers {
                self.op(Op::PopHandler, span);
            }
            if exit.has_finally {
                if let Some(cleanup) = self.cleanups.get(&exit.try_id).copied() {
                    self.expr(cleanup, false);
                    self.op(Op::Pop, span);
                }
            }
        }
        let Some(loop_depth) = self.loops.get(&id).map(|l| l.depth) else {
            return;
        };
        let extra = self.depth.saturating_sub(loop_depth + 1);
        if extra > 0 {
            self.op(Op::Squash(extra), span);
        }
        let j = self.op(Op::Jump(0), span);
        if let Some(l) = self.loops.get_mut(&id) {
            l.breaks.push(j);
        }
        // Code after a break is unreachable; keep the depth consistent.
        self.depth = loop_depth + 1 + extra;
    }

    /// ```text
    ///   [PushHandler F]            ; with a finally
    ///   PushHandler C              ; with catches
    ///   body
    ///   PopHandler
    ///   Jump END
    /// C1: bind e; handler body; Jump END   (one per clause)
    /// END:
    ///   [PopHandler; cleanup; Pop; Jump DONE
    /// F: store cond; cleanup; Pop; load cond; Reraise
    /// DONE:]
    /// ```
    fn try_expr(&mut self, t: &'a Try, span: Span) {
        let d = self.depth;
        if let Some(f) = &t.finally {
            self.cleanups.insert(t.id, f);
        }
        let finally_handler = t.finally.as_ref().map(|_| {
            let idx = self.new_handler();
            self.op(Op::PushHandler(idx), span);
            idx
        });
        if t.catches.is_empty() {
            self.expr(&t.body, false);
        } else {
            let idx = self.new_handler();
            self.op(Op::PushHandler(idx), span);
            self.expr(&t.body, false);
            self.op(Op::PopHandler, span);
            let mut ends = vec![self.op(Op::Jump(0), span)];
            for c in &t.catches {
                self.depth = d + 1;
                let target = self.here();
                self.proto.handlers[idx as usize].clauses.push(CatchClause {
                    types: c.types.clone(),
                    target,
                });
                self.bind(c.var, c.body.span);
                self.expr(&c.body, false);
                ends.push(self.op(Op::Jump(0), span));
            }
            let end = self.here();
            for j in ends {
                self.patch(j, end);
            }
            self.depth = d + 1;
        }
        if let (Some(idx), Some(cleanup)) = (finally_handler, &t.finally) {
            self.op(Op::PopHandler, span);
            self.expr(cleanup, false);
            self.op(Op::Pop, span);
            let done = self.op(Op::Jump(0), span);
            self.depth = d + 1;
            let target = self.here();
            self.proto.handlers[idx as usize].clauses.push(CatchClause {
                types: Vec::new(),
                target,
            });
            self.expr(cleanup, false);
            self.op(Op::Pop, span);
            self.op(Op::Reraise, span);
            let end = self.here();
            self.patch(done, end);
            self.depth = d + 1;
            self.cleanups.remove(&t.id);
        }
    }

    fn new_handler(&mut self) -> u32 {
        self.proto.handlers.push(HandlerInfo::default());
        (self.proto.handlers.len() - 1) as u32
    }

    fn lambda(&mut self, l: &'a Lambda, span: Span) {
        let mut child = Emitter::new(self.info, l.id, l.name);
        for &p in l.params.iter().chain(l.rest.iter()) {
            let info = child.var(p).clone();
            if info.boxed() {
                child.op(Op::MakeCell(info.slot), span);
            }
        }
        child.expr(&l.body, true);
        child.op(Op::Return, l.body.span);
        let captures: Vec<CaptureFrom> = self.info.funcs[l.id]
            .captures
            .iter()
            .map(|&v| {
                let info = self.var(v);
                if info.func == self.func {
                    CaptureFrom::Local(info.slot)
                } else {
                    CaptureFrom::Capture(self.capture_index(v))
                }
            })
            .collect();
        let mut proto = child.finish(l.params.len() as u32, l.rest.is_some());
        proto.captures = captures;
        let i = self.proto.children.len() as u32;
        self.proto.children.push(Rc::new(proto));
        self.op(Op::Closure(i), span);
    }
}

/// How an instruction changes the operand stack depth.
fn stack_effect(op: Op) -> i64 {
    match op {
        Op::Const(_)
        | Op::Int(_)
        | Op::Nil
        | Op::True
        | Op::False
        | Op::Dup
        | Op::LocalGet(_)
        | Op::CellGet(_)
        | Op::CaptureGet(_)
        | Op::CaptureCellGet(_)
        | Op::GlobalGet(_)
        | Op::Closure(_) => 1,
        Op::Pop
        | Op::LocalSet(_)
        | Op::CellSet(_)
        | Op::CaptureCellSet(_)
        | Op::GlobalSet(_)
        | Op::GlobalDefine(_)
        | Op::JumpIfFalse(_)
        | Op::JumpIfTrue(_)
        | Op::JumpIfFalseKeep(_)
        | Op::JumpIfTrueKeep(_)
        | Op::Bin(_)
        | Op::Return
        | Op::Reraise => -1,
        Op::Squash(n) => -(n as i64),
        Op::Call(argc) | Op::TailCall(argc) => -(argc as i64),
        Op::MakeCell(_)
        | Op::Jump(_)
        | Op::Un(_)
        | Op::LoopHead
        | Op::PushHandler(_)
        | Op::PopHandler => 0,
    }
}
