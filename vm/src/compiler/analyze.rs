//! Scope analysis: from expanded data to [`Node`]s.
//!
//! Special forms are recognised by their head symbol before anything else
//! (locals cannot shadow them); then locals, then macros, then globals.
//! Every local gets a slot in its function; a reference from an inner
//! function marks the variable captured and adds it to the capture list of
//! every function between the use and the definition.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::bytecode::{BinOp, UnOp, VECTOR_SET_BIT};
use crate::compiler::ast::*;
use crate::compiler::check_argc;
use crate::compiler::convert::datum_to_value;
use crate::compiler::desugar;
use crate::datum::{Datum, DatumKind};
use crate::error::{RtError, RtResult};
use crate::span::Span;
use crate::symbol::Sym;
use crate::value::Value;
use crate::vm::Vm;

/// Deepest nesting of expressions the analyser accepts. The reader caps
/// source nesting at `datum::MAX_NESTING`, but macros and derived forms
/// (`cond` with many clauses becomes nested `if`s) can nest further; past
/// this the program is a `syntax-error` rather than a native stack overflow
/// in the analyser or the emitter (a macro that expands into a call of
/// itself would otherwise recurse until the stack runs out). Analysis takes
/// about 1 KiB of native stack per level and emission a little more, well
/// within the 1 GiB stack the `elle` binary runs on.
const MAX_DEPTH: usize = 100_000;

pub fn analyze_toplevel(vm: &mut Vm, form: &Datum) -> RtResult<(Node, ProgramInfo)> {
    analyze_with(vm, |a| a.expr(form))
}

/// A macro's function, `(fn params body...)` named `name` (for traces), as
/// top-level code whose value is the function.
pub fn analyze_macro(
    vm: &mut Vm,
    params: &Datum,
    body: &[Datum],
    name: Sym,
    span: Span,
) -> RtResult<(Node, ProgramInfo)> {
    analyze_with(vm, |a| a.lambda(params, body, Some(name), span))
}

fn analyze_with(
    vm: &mut Vm,
    f: impl FnOnce(&mut Analyzer) -> RtResult<Node>,
) -> RtResult<(Node, ProgramInfo)> {
    let mut a = Analyzer {
        vm,
        info: ProgramInfo::default(),
        scopes: Vec::new(),
        visible: FxHashMap::default(),
        cur_fn: 0,
        loops: Vec::new(),
        tries: Vec::new(),
        next_try: 0,
        depth: 0,
    };
    a.info.funcs.push(FnInfo::default());
    a.push_scope();
    let node = f(&mut a)?;
    Ok((node, a.info))
}

struct Scope {
    names: Vec<(Sym, VarId)>,
}

struct LoopCtx {
    id: LoopId,
    /// Length of `tries` when the loop began.
    tries_len: usize,
}

/// A `try` region being analysed: what a `break` out of it must undo.
struct TryCtx {
    exit: TryExit,
}

struct Analyzer<'vm> {
    vm: &'vm mut Vm,
    info: ProgramInfo,
    scopes: Vec<Scope>,
    /// For each name, the variables of that name in the open scopes,
    /// innermost last: a lookup is one hash probe however deep the
    /// nesting (a linear walk of the scopes made deep nesting quadratic).
    visible: FxHashMap<Sym, Vec<VarId>>,
    cur_fn: FnId,
    loops: Vec<LoopCtx>,
    tries: Vec<TryCtx>,
    next_try: usize,
    /// Current nesting of [`Analyzer::expr`], bounded by [`MAX_DEPTH`].
    depth: usize,
}

fn node(expr: Expr, span: Span) -> Node {
    Node { expr, span }
}

fn nil(span: Span) -> Node {
    node(Expr::Const(Value::Nil), span)
}

/// Whether `d` is a `(begin ...)` form.
fn is_begin(d: &Datum) -> bool {
    d.head_symbol().is_some_and(|s| s.name() == "begin")
}

fn sym_is(d: &Datum, name: &str) -> bool {
    d.as_symbol().is_some_and(|s| s.name() == name)
}

impl<'vm> Analyzer<'vm> {
    // ----- names -----

    /// A new local of the current function, visible in the innermost scope.
    fn declare(&mut self, name: Sym) -> VarId {
        let id = self.new_local(name);
        if let Some(scope) = self.scopes.last_mut() {
            scope.names.push((name, id));
            self.visible.entry(name).or_default().push(id);
        }
        id
    }

    /// A new local of the current function in a register of its own.
    fn new_local(&mut self, name: Sym) -> VarId {
        let func = self.cur_fn;
        let slot = self.info.funcs[func].nlocals;
        self.info.funcs[func].nlocals += 1;
        self.info.vars.push(VarInfo {
            name,
            func,
            slot,
            captured: false,
            assigned: false,
        });
        self.info.vars.len() - 1
    }

    fn lookup(&self, name: Sym) -> Option<VarId> {
        self.visible.get(&name).and_then(|ids| ids.last().copied())
    }

    fn push_scope(&mut self) {
        self.scopes.push(Scope { names: Vec::new() });
    }

    fn pop_scope(&mut self) {
        let Some(scope) = self.scopes.pop() else {
            return;
        };
        for (name, _) in scope.names.iter().rev() {
            if let Some(ids) = self.visible.get_mut(name) {
                ids.pop();
                if ids.is_empty() {
                    self.visible.remove(name);
                }
            }
        }
    }

    /// Records a use of `v` from the current function.
    fn use_var(&mut self, v: VarId) {
        let owner = self.info.vars[v].func;
        if owner == self.cur_fn {
            return;
        }
        self.info.vars[v].captured = true;
        let mut f = self.cur_fn;
        while f != owner {
            let fi = &mut self.info.funcs[f];
            if fi.captured.insert(v) {
                fi.captures.push(v);
            }
            match fi.parent {
                Some(p) => f = p,
                None => break,
            }
        }
    }

    fn with_scope<T>(&mut self, f: impl FnOnce(&mut Self) -> RtResult<T>) -> RtResult<T> {
        self.push_scope();
        let r = f(self);
        self.pop_scope();
        r
    }

    fn at_toplevel(&self) -> bool {
        self.scopes.len() == 1
    }

    fn global(&mut self, name: Sym) -> u32 {
        self.vm.global_slot(name)
    }

    // ----- macros -----

    fn macro_for(&self, d: &Datum) -> Option<Value> {
        let head = d.head_symbol()?;
        if desugar::is_special(head) || self.lookup(head).is_some() {
            return None;
        }
        self.vm.macros.get(&head).copied()
    }

    /// Expands macro calls at the head of `d` until it is not one. A form
    /// that is not a macro call comes back borrowed: bodies and definitions
    /// pass through here form by form, and copying each would copy the
    /// whole program once more.
    fn expand<'d>(&mut self, d: &'d Datum) -> RtResult<Cow<'d, Datum>> {
        match self.macro_for(d) {
            None => Ok(Cow::Borrowed(d)),
            Some(m) => {
                let once = desugar::expand_macro_call(self.vm, m, d)?;
                self.expand_further(once, d.span, 1).map(Cow::Owned)
            }
        }
    }

    /// Goes on expanding `cur`, the result of `done` expansions.
    fn expand_further(&mut self, mut cur: Datum, span: Span, done: usize) -> RtResult<Datum> {
        for _ in done..desugar::MAX_EXPANSIONS {
            let Some(m) = self.macro_for(&cur) else {
                return Ok(cur);
            };
            cur = desugar::expand_macro_call(self.vm, m, &cur)?;
        }
        Err(desugar::endless_expansion(span))
    }

    // ----- expressions -----

    fn expr(&mut self, d: &Datum) -> RtResult<Node> {
        if self.depth >= MAX_DEPTH {
            return Err(RtError::syntax(
                d.span,
                format!(
                    "expression nests too deeply (more than {MAX_DEPTH} levels after macro expansion; does a macro expand into itself?)"
                ),
            ));
        }
        if crate::native_stack::exhausted() {
            return Err(crate::native_stack::overflow("expressions", Some(d.span)));
        }
        self.depth += 1;
        let r = self.expr_inner(d);
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, d: &Datum) -> RtResult<Node> {
        let span = d.span;
        match &d.kind {
            DatumKind::Nil => Ok(nil(span)),
            DatumKind::Bool(b) => Ok(node(Expr::Const(Value::bool(*b)), span)),
            DatumKind::Int(n) => Ok(node(Expr::Const(Value::Int(*n)), span)),
            DatumKind::Float(f) => Ok(node(Expr::Const(Value::Float(*f)), span)),
            DatumKind::Keyword(k) => Ok(node(Expr::Const(Value::Keyword(*k)), span)),
            DatumKind::Str(_) => {
                let v = datum_to_value(self.vm, d);
                Ok(node(Expr::Const(v), span))
            }
            DatumKind::Symbol(s) => self.variable(*s, span),
            DatumKind::Vector(items) => {
                check_argc(span, items.len(), || {
                    format!("vector literal has {} elements", items.len())
                })?;
                let f = self.vm.builtin("vector");
                let args = self.exprs(items)?;
                Ok(node(
                    Expr::Call(Box::new(node(Expr::Const(f), span)), args),
                    span,
                ))
            }
            DatumKind::List(_, Some(_)) => Err(RtError::syntax(span, "dotted list in code")),
            DatumKind::List(items, None) => self.form(d, items),
        }
    }

    fn exprs(&mut self, ds: &[Datum]) -> RtResult<Vec<Node>> {
        ds.iter().map(|d| self.expr(d)).collect()
    }

    fn variable(&mut self, s: Sym, span: Span) -> RtResult<Node> {
        if let Some(v) = self.lookup(s) {
            self.use_var(v);
            return Ok(node(Expr::Local(v), span));
        }
        let name = s.name();
        // `and` and `or` are also functions; other special forms are not
        // values.
        if desugar::is_special(s) && self.vm.get_global(name).is_none() {
            return Err(RtError::syntax(
                span,
                format!("special form `{name}` used as a value"),
            ));
        }
        Ok(node(Expr::Global(self.global(s)), span))
    }

    fn form(&mut self, d: &Datum, items: &[Datum]) -> RtResult<Node> {
        let span = d.span;
        let head = &items[0];
        if let Some(s) = head.as_symbol() {
            if desugar::is_special(s) {
                return self.special(s, d, items);
            }
            if self.lookup(s).is_none() && self.vm.macros.contains_key(&s) {
                let expanded = self.expand(d)?;
                return self.expr(&expanded);
            }
        }
        self.call(head, &items[1..], span)
    }

    fn call(&mut self, head: &Datum, args: &[Datum], span: Span) -> RtResult<Node> {
        check_argc(span, args.len(), || match head.as_symbol() {
            Some(s) => format!("call of `{s}` has {} arguments", args.len()),
            None => format!("call has {} arguments", args.len()),
        })?;
        if let Some(s) = head.as_symbol()
            && self.lookup(s).is_none()
            && let Some(n) = self.inline_op(s, args, span)?
        {
            return Ok(n);
        }
        let f = self.expr(head)?;
        let args = self.exprs(args)?;
        Ok(node(Expr::Call(Box::new(f), args), span))
    }

    /// `(+ a b)`, `(first x)`... as guarded inline instructions.
    fn inline_op(&mut self, s: Sym, args: &[Datum], span: Span) -> RtResult<Option<Node>> {
        let name = s.name();
        let may = |bit: u8| self.vm.inlining.may_inline(bit);
        match args.len() {
            2 => match BinOp::for_name(name) {
                Some(op) if may(op.bit()) => {
                    let a = self.expr(&args[0])?;
                    let b = self.expr(&args[1])?;
                    Ok(Some(node(Expr::Bin(op, Box::new(a), Box::new(b)), span)))
                }
                _ => Ok(None),
            },
            1 => match UnOp::for_name(name) {
                Some(op) if may(op.bit()) => {
                    let a = self.expr(&args[0])?;
                    Ok(Some(node(Expr::Un(op, Box::new(a)), span)))
                }
                _ => Ok(None),
            },
            3 if name == "vector-set!" && may(VECTOR_SET_BIT) => {
                let v = self.expr(&args[0])?;
                let i = self.expr(&args[1])?;
                let x = self.expr(&args[2])?;
                let slot = self.global(s);
                Ok(Some(node(Expr::VectorSet(Box::new([v, i, x]), slot), span)))
            }
            n if n >= 3 && matches!(name, "+" | "-" | "*") => match BinOp::for_name(name) {
                Some(op) if may(op.bit()) => {
                    let args = self.exprs(args)?;
                    let slot = self.global(s);
                    Ok(Some(node(Expr::Fold { op, slot, args }, span)))
                }
                _ => Ok(None),
            },
            _ => Ok(None),
        }
    }

    fn special(&mut self, s: Sym, d: &Datum, items: &[Datum]) -> RtResult<Node> {
        let span = d.span;
        let args = &items[1..];
        match s.name() {
            "quote" => {
                let [x] = args else {
                    return Err(RtError::syntax(span, "quote takes exactly one datum"));
                };
                let v = datum_to_value(self.vm, x);
                Ok(node(Expr::Const(v), span))
            }
            "if" => {
                if args.len() < 2 || args.len() > 3 {
                    return Err(RtError::syntax(
                        span,
                        "if takes a test, a then and an optional else",
                    ));
                }
                let c = self.expr(&args[0])?;
                let t = self.expr(&args[1])?;
                let e = match args.get(2) {
                    Some(x) => self.expr(x)?,
                    None => nil(span),
                };
                Ok(node(Expr::If(Box::new(c), Box::new(t), Box::new(e)), span))
            }
            "begin" => self.sequence(args, span),
            "block" => self.with_scope(|a| a.body(args, span)),
            "lambda" | "fn" => {
                let Some((params, body)) = args.split_first() else {
                    return Err(RtError::syntax(span, "lambda needs a parameter list"));
                };
                self.lambda(params, body, None, span)
            }
            "define" => self.define(args, span),
            "set!" => self.set(args, span),
            "let" => self.let_form(args, span),
            "letrec" => self.letrec(args, span),
            "and" => {
                if args.is_empty() {
                    return Ok(node(Expr::Const(Value::TRUE), span));
                }
                Ok(node(Expr::And(self.exprs(args)?), span))
            }
            "or" => {
                if args.is_empty() {
                    return Ok(node(Expr::Const(Value::FALSE), span));
                }
                Ok(node(Expr::Or(self.exprs(args)?), span))
            }
            "while" => self.while_form(args, span),
            "for" => self.for_form(args, span),
            "break" => self.break_form(args, span),
            "try" => self.try_form(args, span),
            "handler-bind" => self.handler_bind(args, span),
            "restart-case" => self.restart_case(args, span),
            "defmacro" | "define-macro" => self.defmacro(args, span),
            "import" | "import-file" => self.import(args, span),
            _ => {
                let rewritten = desugar::rewrite(self.vm, s, d, items)?;
                self.expr(&rewritten)
            }
        }
    }

    /// `begin`: a sequence that opens no scope.
    fn sequence(&mut self, forms: &[Datum], span: Span) -> RtResult<Node> {
        if forms.is_empty() {
            return Ok(nil(span));
        }
        let mut nodes = self.exprs(forms)?;
        if nodes.len() == 1 {
            return Ok(nodes.pop().unwrap_or_else(|| nil(span)));
        }
        Ok(node(Expr::Seq(nodes), span))
    }

    /// A body: a sequence whose `define`s (also inside `begin`s and macro
    /// expansions) are locals visible to the whole body. The caller has
    /// opened the scope.
    fn body(&mut self, forms: &[Datum], span: Span) -> RtResult<Node> {
        let mut flat = Vec::new();
        self.flatten_body(forms, &mut flat)?;
        let mut declared = Vec::new();
        for f in &flat {
            if let Some(name) = defined_name(f)? {
                declared.push(self.declare(name));
            }
        }
        let mut nodes = Vec::with_capacity(flat.len());
        for f in &flat {
            if f.head_symbol().is_some_and(|s| s.name() == "define") {
                nodes.push(self.local_define(f)?);
            } else {
                nodes.push(self.expr(f)?);
            }
        }
        let seq = match nodes.len() {
            0 => nil(span),
            1 => nodes.pop().unwrap_or_else(|| nil(span)),
            _ => node(Expr::Seq(nodes), span),
        };
        if declared.is_empty() {
            Ok(seq)
        } else {
            Ok(node(Expr::Declare(declared, Box::new(seq)), span))
        }
    }

    /// The forms of a body with macros at their heads expanded and `begin`
    /// forms spliced in.
    fn flatten_body<'d>(
        &mut self,
        forms: &'d [Datum],
        out: &mut Vec<Cow<'d, Datum>>,
    ) -> RtResult<()> {
        for f in forms {
            match self.expand(f)? {
                Cow::Borrowed(f) if is_begin(f) => {
                    self.flatten_body(&f.as_list().unwrap_or(&[])[1..], out)?;
                }
                Cow::Owned(f) if is_begin(&f) => self.flatten_expanded_begin(f, out)?,
                f => out.push(f),
            }
        }
        Ok(())
    }

    /// Splices the forms of a `begin` that a macro produced.
    fn flatten_expanded_begin<'d>(
        &mut self,
        mut begin: Datum,
        out: &mut Vec<Cow<'d, Datum>>,
    ) -> RtResult<()> {
        // `Datum` has a `Drop` (an iterative one), so its parts are taken.
        let DatumKind::List(items, _) = std::mem::replace(&mut begin.kind, DatumKind::Nil) else {
            return Ok(());
        };
        for item in items.into_iter().skip(1) {
            let span = item.span;
            let item = self.expand_further(item, span, 0)?;
            if is_begin(&item) {
                self.flatten_expanded_begin(item, out)?;
            } else {
                out.push(Cow::Owned(item));
            }
        }
        Ok(())
    }

    /// `(define name e)` inside a body: assigns the declared local.
    fn local_define(&mut self, f: &Datum) -> RtResult<Node> {
        let (name, value) = self.define_parts(f)?;
        let v = self
            .lookup(name)
            .ok_or_else(|| RtError::syntax(f.span, "define outside a body"))?;
        self.info.vars[v].assigned = true;
        let set = node(Expr::SetLocal(v, Box::new(value)), f.span);
        Ok(node(Expr::Seq(vec![set, nil(f.span)]), f.span))
    }

    /// The name and analysed value of a `define` form.
    fn define_parts(&mut self, f: &Datum) -> RtResult<(Sym, Node)> {
        let items = f.as_list().unwrap_or(&[]);
        let span = f.span;
        let target = items
            .get(1)
            .ok_or_else(|| RtError::syntax(span, "define needs a name"))?;
        match &target.kind {
            DatumKind::Symbol(name) => {
                let value = match items.len() {
                    2 => nil(span),
                    3 => self.named_value(&items[2], *name)?,
                    _ => return Err(RtError::syntax(span, "define takes a name and one value")),
                };
                Ok((*name, value))
            }
            DatumKind::List(sig, tail) if !sig.is_empty() => {
                let name = sig[0].as_symbol().ok_or_else(|| {
                    RtError::syntax(sig[0].span, "function name must be a symbol")
                })?;
                let params = Datum::new(
                    DatumKind::List(sig[1..].to_vec(), tail.clone()),
                    target.span,
                );
                let lambda = self.lambda(&params, &items[2..], Some(name), span)?;
                Ok((name, lambda))
            }
            _ => Err(RtError::syntax(
                target.span,
                "define needs a symbol or (name params...)",
            )),
        }
    }

    /// Analyses a value, naming it if it is a lambda.
    fn named_value(&mut self, d: &Datum, name: Sym) -> RtResult<Node> {
        let d = self.expand(d)?;
        if let Some(items) = d.as_list()
            && items.len() >= 2
            && (sym_is(&items[0], "fn") || sym_is(&items[0], "lambda"))
            && self
                .lookup(items[0].as_symbol().unwrap_or(Sym(0)))
                .is_none()
        {
            return self.lambda(&items[1], &items[2..], Some(name), d.span);
        }
        self.expr(&d)
    }

    fn define(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        if !self.at_toplevel() {
            return Err(RtError::syntax(
                span,
                "define must be at top level or at the start of a body",
            ));
        }
        let mut items = vec![Datum::sym("define", span)];
        items.extend_from_slice(args);
        let (name, value) = self.define_parts(&Datum::list(items, span))?;
        let slot = self.global(name);
        Ok(node(Expr::DefineGlobal(slot, Box::new(value)), span))
    }

    fn set(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        let [target, value] = args else {
            return Err(RtError::syntax(span, "set! takes a name and a value"));
        };
        let name = target
            .as_symbol()
            .ok_or_else(|| RtError::syntax(target.span, "set! needs a symbol"))?;
        let value = self.expr(value)?;
        if let Some(v) = self.lookup(name) {
            self.use_var(v);
            self.info.vars[v].assigned = true;
            return Ok(node(Expr::SetLocal(v, Box::new(value)), span));
        }
        let slot = self.global(name);
        Ok(node(Expr::SetGlobal(slot, Box::new(value)), span))
    }

    fn lambda(
        &mut self,
        params: &Datum,
        body: &[Datum],
        name: Option<Sym>,
        span: Span,
    ) -> RtResult<Node> {
        if body.is_empty() {
            return Err(RtError::syntax(span, "lambda body is empty"));
        }
        let (names, rest) = parse_params(params)?;
        let fid = self.info.funcs.len();
        self.info.funcs.push(FnInfo {
            parent: Some(self.cur_fn),
            ..FnInfo::default()
        });
        let saved_fn = self.cur_fn;
        let saved_loops = std::mem::take(&mut self.loops);
        let saved_tries = std::mem::take(&mut self.tries);
        self.cur_fn = fid;
        self.push_scope();
        let result = (|| {
            let params: Vec<VarId> = names.iter().map(|&n| self.declare(n)).collect();
            let rest = rest.map(|r| self.declare(r));
            let body = self.with_scope(|a| a.body(body, span))?;
            Ok(Lambda {
                id: fid,
                name,
                params,
                rest,
                body,
            })
        })();
        self.pop_scope();
        self.cur_fn = saved_fn;
        self.loops = saved_loops;
        self.tries = saved_tries;
        Ok(node(Expr::Lambda(Box::new(result?)), span))
    }

    fn bindings<'d>(&self, d: &'d Datum) -> RtResult<Vec<(Sym, Option<&'d Datum>, Span)>> {
        let items = d
            .as_list()
            .ok_or_else(|| RtError::syntax(d.span, "bindings must be a list"))?;
        items
            .iter()
            .map(|b| match &b.kind {
                DatumKind::Symbol(s) => Ok((*s, None, b.span)),
                DatumKind::List(parts, None) if !parts.is_empty() && parts.len() <= 2 => {
                    let name = parts[0].as_symbol().ok_or_else(|| {
                        RtError::syntax(parts[0].span, "binding name must be a symbol")
                    })?;
                    Ok((name, parts.get(1), b.span))
                }
                _ => Err(RtError::syntax(b.span, "a binding is (name value)")),
            })
            .collect()
    }

    fn let_form(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        let Some((first, body)) = args.split_first() else {
            return Err(RtError::syntax(span, "let needs bindings"));
        };
        if first.as_symbol().is_some() {
            if let Some(n) = self.named_let_loop(args, span)? {
                return Ok(n);
            }
            let rewritten = desugar::named_let(args, span)?;
            return self.expr(&rewritten);
        }
        let binds = self.bindings(first)?;
        let mut inits = Vec::new();
        for (name, init, bspan) in &binds {
            let v = match init {
                Some(d) => self.named_value(d, *name)?,
                None => nil(*bspan),
            };
            inits.push(v);
        }
        self.with_scope(|a| {
            let vars: Vec<(VarId, Node)> = binds
                .iter()
                .zip(inits)
                .map(|((name, _, _), init)| (a.declare(*name), init))
                .collect();
            let body = a.body(body, span)?;
            Ok(node(Expr::Let(vars, Box::new(body)), span))
        })
    }

    /// Compiles `(let name ((v init)...) body...)` as a loop when `name` is
    /// only ever called in tail position of the body. Returns `None` (having
    /// undone its work) when it is used any other way.
    fn named_let_loop(&mut self, args: &[Datum], span: Span) -> RtResult<Option<Node>> {
        let Some(name) = args[0].as_symbol() else {
            return Ok(None);
        };
        let Some(binds) = args.get(1) else {
            return Ok(None);
        };
        if args.len() < 3 || !only_called(&args[2..], name) {
            return Ok(None);
        }
        let binds = self.bindings(binds)?;
        let saved_vars = self.info.vars.len();
        let saved_funcs = self.info.funcs.len();
        let saved_nlocals = self.info.funcs[self.cur_fn].nlocals;
        let mut inits = Vec::new();
        for (_, init, bspan) in &binds {
            inits.push(match init {
                Some(d) => self.expr(d)?,
                None => nil(*bspan),
            });
        }
        let attempt = self.with_scope(|a| {
            let loop_var = a.declare(name);
            let params: Vec<VarId> = binds.iter().map(|(n, _, _)| a.declare(*n)).collect();
            let body = a.with_scope(|a| a.body(&args[2..], span))?;
            Ok((loop_var, params, body))
        })?;
        let (loop_var, params, mut body) = attempt;
        if !self.info.vars[loop_var].captured && !self.info.vars[loop_var].assigned {
            let id = self.new_loop_id();
            if to_recur(&mut body, loop_var, id, params.len()) {
                return Ok(Some(node(
                    Expr::Loop {
                        id,
                        params,
                        inits,
                        body: Box::new(body),
                    },
                    span,
                )));
            }
        }
        // Undo: the closure form analyses the body afresh.
        self.info.vars.truncate(saved_vars);
        self.info.funcs.truncate(saved_funcs);
        self.info.funcs[self.cur_fn].nlocals = saved_nlocals;
        Ok(None)
    }

    fn letrec(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        let Some((first, body)) = args.split_first() else {
            return Err(RtError::syntax(span, "letrec needs bindings"));
        };
        let binds = self.bindings(first)?;
        self.with_scope(|a| {
            let vars: Vec<VarId> = binds.iter().map(|(n, _, _)| a.declare(*n)).collect();
            let mut seq = Vec::new();
            for (&v, (name, init, bspan)) in vars.iter().zip(&binds) {
                let value = match init {
                    Some(d) => a.named_value(d, *name)?,
                    None => nil(*bspan),
                };
                a.info.vars[v].assigned = true;
                seq.push(node(Expr::SetLocal(v, Box::new(value)), *bspan));
                seq.push(nil(*bspan));
            }
            seq.push(a.body(body, span)?);
            Ok(node(
                Expr::Declare(vars, Box::new(node(Expr::Seq(seq), span))),
                span,
            ))
        })
    }

    fn while_form(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        let Some((test, body)) = args.split_first() else {
            return Err(RtError::syntax(span, "while needs a test"));
        };
        let test = self.expr(test)?;
        let id = self.new_loop_id();
        self.loops.push(LoopCtx {
            id,
            tries_len: self.tries.len(),
        });
        let body = self.with_scope(|a| a.body(body, span));
        self.loops.pop();
        Ok(node(
            Expr::While {
                id,
                test: Box::new(test),
                body: Box::new(body?),
            },
            span,
        ))
    }

    /// `(for x in seq body...)` / `(for x seq body...)`. The sequence goes in
    /// a hidden local followed by two more for the position and the end; the
    /// variable is bound afresh each iteration, so closures capture that
    /// iteration's value.
    fn for_form(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        let (var, seq, body) = match args {
            [var, kw, seq, body @ ..] if sym_is(kw, "in") => (var, seq, body),
            [var, seq, body @ ..] => (var, seq, body),
            _ => return Err(RtError::syntax(span, "for needs a variable and a sequence")),
        };
        let Some(name) = var.as_symbol() else {
            return Err(RtError::syntax(var.span, "for variable must be a symbol"));
        };
        let seq = self.expr(seq)?;
        // Locals in no scope: no name can refer to them.
        let state = self.new_local(Sym::intern("%for-state"));
        self.new_local(Sym::intern("%for-position"));
        self.new_local(Sym::intern("%for-end"));
        let id = self.new_loop_id();
        self.loops.push(LoopCtx {
            id,
            tries_len: self.tries.len(),
        });
        let parts = self.with_scope(|a| {
            let var = a.declare(name);
            let body = a.with_scope(|a| a.body(body, span))?;
            Ok((var, body))
        });
        self.loops.pop();
        let (var, body) = parts?;
        Ok(node(
            Expr::For {
                id,
                var,
                state,
                seq: Box::new(seq),
                body: Box::new(body),
            },
            span,
        ))
    }

    fn new_loop_id(&mut self) -> LoopId {
        self.next_try += 1;
        self.next_try
    }

    fn break_form(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        let Some(ctx) = self.loops.last() else {
            return Err(RtError::syntax(span, "break outside a loop"));
        };
        let (id, tries_len) = (ctx.id, ctx.tries_len);
        let value = match args {
            [] => nil(span),
            [v] => self.expr(v)?,
            _ => return Err(RtError::syntax(span, "break takes at most one value")),
        };
        let exits = self.tries[tries_len..]
            .iter()
            .rev()
            .map(|t| t.exit)
            .collect();
        Ok(node(
            Expr::Break {
                id,
                value: Box::new(value),
                exits,
            },
            span,
        ))
    }

    fn try_form(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        let is_clause = |d: &Datum, name: &str| d.head_symbol().is_some_and(|s| s.name() == name);
        let split = args
            .iter()
            .position(|d| is_clause(d, "catch") || is_clause(d, "finally"))
            .unwrap_or(args.len());
        let (body, clauses) = args.split_at(split);
        let mut catch_forms = Vec::new();
        let mut finally_form = None;
        for c in clauses {
            if is_clause(c, "catch") && finally_form.is_none() {
                catch_forms.push(c);
            } else if is_clause(c, "finally") && finally_form.is_none() {
                finally_form = Some(c);
            } else {
                return Err(RtError::syntax(
                    c.span,
                    "try: expected (catch ...) or a final (finally ...)",
                ));
            }
        }
        let id = self.new_loop_id();
        let has_finally = finally_form.is_some();
        let body_handlers = u32::from(!catch_forms.is_empty()) + u32::from(has_finally);
        self.tries.push(TryCtx {
            exit: TryExit {
                handlers: body_handlers,
                try_id: id,
                has_finally,
            },
        });
        let body = self.with_scope(|a| a.body(body, span));
        self.tries.pop();
        let body = body?;
        if has_finally {
            self.tries.push(TryCtx {
                exit: TryExit {
                    handlers: 1,
                    try_id: id,
                    has_finally,
                },
            });
        }
        let catches: RtResult<Vec<Catch>> =
            catch_forms.iter().map(|c| self.catch_clause(c)).collect();
        if has_finally {
            self.tries.pop();
        }
        let finally = match finally_form {
            Some(f) => {
                let forms = &f.as_list().unwrap_or(&[])[1..];
                Some(self.with_scope(|a| a.body(forms, f.span))?)
            }
            None => None,
        };
        Ok(node(
            Expr::Try(Box::new(Try {
                id,
                body,
                catches: catches?,
                finally,
            })),
            span,
        ))
    }

    /// Analyses the body of a form that establishes one dynamic stack
    /// entry (and no `finally`), so that a `break` out of it pops the entry.
    fn in_dynamic_extent<T>(&mut self, f: impl FnOnce(&mut Self) -> RtResult<T>) -> RtResult<T> {
        let id = self.new_loop_id();
        self.tries.push(TryCtx {
            exit: TryExit {
                handlers: 1,
                try_id: id,
                has_finally: false,
            },
        });
        let r = f(self);
        self.tries.pop();
        r
    }

    /// `(handler-bind ((type handler) ...) body...)`: the handler
    /// expressions are evaluated first, in order, then the body runs with
    /// them bound.
    fn handler_bind(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        let Some((bindings, body)) = args.split_first() else {
            return Err(RtError::syntax(
                span,
                "handler-bind needs bindings and a body",
            ));
        };
        let items: &[Datum] = match &bindings.kind {
            DatumKind::Nil => &[],
            DatumKind::List(items, None) => items,
            _ => {
                return Err(RtError::syntax(
                    bindings.span,
                    "handler-bind bindings: ((type handler) ...)",
                ));
            }
        };
        let mut clauses = Vec::new();
        for b in items {
            let (Some(ctype), Some(handler), 2) = (
                b.as_list()
                    .and_then(|p| p.first())
                    .and_then(Datum::as_symbol),
                b.as_list().and_then(|p| p.get(1)),
                b.as_list().map_or(0, <[Datum]>::len),
            ) else {
                return Err(RtError::syntax(
                    b.span,
                    "a handler-bind binding is (type handler)",
                ));
            };
            clauses.push((ctype, self.expr(handler)?));
        }
        let body = self.in_dynamic_extent(|a| a.with_scope(|a| a.body(body, span)))?;
        Ok(node(
            Expr::HandlerBind {
                clauses,
                body: Box::new(body),
            },
            span,
        ))
    }

    /// `(restart-case expr (name (params...) body...) ...)`.
    fn restart_case(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        let Some((expr, clauses)) = args.split_first() else {
            return Err(RtError::syntax(span, "restart-case needs an expression"));
        };
        let body = self.in_dynamic_extent(|a| a.expr(expr))?;
        let mut restarts = Vec::new();
        for c in clauses {
            let usage = "a restart-case clause is (name (params...) body...)";
            let (name, params, body) = desugar::named_clause(c, usage)?;
            let (names, rest) = parse_params(params)?;
            let restart = self.with_scope(|a| {
                let params: Vec<VarId> = names.iter().map(|&n| a.declare(n)).collect();
                let rest = rest.map(|r| a.declare(r));
                let body = a.body(body, c.span)?;
                Ok(Restart {
                    name,
                    params,
                    rest,
                    body,
                })
            })?;
            restarts.push(restart);
        }
        Ok(node(
            Expr::RestartCase {
                body: Box::new(body),
                clauses: restarts,
            },
            span,
        ))
    }

    fn catch_clause(&mut self, c: &Datum) -> RtResult<Catch> {
        let items = c.as_list().unwrap_or(&[]);
        let spec = items
            .get(1)
            .ok_or_else(|| RtError::syntax(c.span, "catch needs a variable: (catch e body...)"))?;
        let (var, types) = match &spec.kind {
            DatumKind::Symbol(s) => (*s, vec![Sym::intern("error")]),
            DatumKind::List(parts, None) if parts.len() >= 2 => {
                let var = parts[0].as_symbol().ok_or_else(|| {
                    RtError::syntax(parts[0].span, "catch variable must be a symbol")
                })?;
                let mut types = Vec::new();
                for t in &parts[1..] {
                    let t = t.as_symbol().ok_or_else(|| {
                        RtError::syntax(t.span, "condition type must be a symbol")
                    })?;
                    types.push(t);
                }
                (var, types)
            }
            _ => return Err(RtError::syntax(spec.span, "catch: expected e or (e type)")),
        };
        self.with_scope(|a| {
            let v = a.declare(var);
            let body = a.body(&items[2..], c.span)?;
            Ok(Catch {
                types,
                var: v,
                body,
            })
        })
    }

    /// `(defmacro name params body...)`: compiles and registers the macro
    /// now, so later forms can use it.
    fn defmacro(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        if args.len() < 3 {
            return Err(RtError::syntax(
                span,
                "defmacro needs a name, parameters and a body",
            ));
        }
        let name = args[0]
            .as_symbol()
            .ok_or_else(|| RtError::syntax(args[0].span, "macro name must be a symbol"))?;
        // The macro's function is named after the macro, for traces.
        let proto = crate::compiler::compile_macro(self.vm, &args[1], &args[2..], name, span)?;
        let closure = self.vm.run_proto(proto)?;
        self.vm.macros.insert(name, closure);
        Ok(nil(span))
    }

    fn import(&mut self, args: &[Datum], span: Span) -> RtResult<Node> {
        let [path] = args else {
            return Err(RtError::syntax(span, "import takes one path"));
        };
        let f = self.vm.builtin("%import");
        let path = self.expr(path)?;
        let from = self.vm.heap.alloc_string(span.file.name());
        Ok(node(
            Expr::Call(
                Box::new(node(Expr::Const(f), span)),
                vec![path, node(Expr::Const(from), span)],
            ),
            span,
        ))
    }
}

/// The name a body-level form defines, if it is a `define`.
fn defined_name(f: &Datum) -> RtResult<Option<Sym>> {
    if f.head_symbol().is_none_or(|s| s.name() != "define") {
        return Ok(None);
    }
    let items = f.as_list().unwrap_or(&[]);
    match items.get(1).map(|t| &t.kind) {
        Some(DatumKind::Symbol(s)) => Ok(Some(*s)),
        Some(DatumKind::List(sig, _)) if !sig.is_empty() => match sig[0].as_symbol() {
            Some(s) => Ok(Some(s)),
            None => Err(RtError::syntax(
                sig[0].span,
                "function name must be a symbol",
            )),
        },
        _ => Err(RtError::syntax(
            f.span,
            "define needs a symbol or (name params...)",
        )),
    }
}

/// Parameter names and the optional rest parameter (`& rest` or dotted).
fn parse_params(d: &Datum) -> RtResult<(Vec<Sym>, Option<Sym>)> {
    let (items, tail): (&[Datum], Option<&Datum>) = match &d.kind {
        DatumKind::Nil => (&[], None),
        DatumKind::List(items, tail) => (items, tail.as_deref()),
        DatumKind::Symbol(s) => return Ok((Vec::new(), Some(*s))),
        _ => {
            return Err(RtError::syntax(
                d.span,
                "parameters must be a list of symbols",
            ));
        }
    };
    let mut names = Vec::new();
    let mut rest = None;
    let mut i = 0;
    while i < items.len() {
        let p = &items[i];
        let s = p
            .as_symbol()
            .ok_or_else(|| RtError::syntax(p.span, "parameter must be a symbol"))?;
        if s.name() == "&" {
            let r = items
                .get(i + 1)
                .and_then(|x| x.as_symbol())
                .ok_or_else(|| {
                    RtError::syntax(p.span, "& must be followed by one rest parameter")
                })?;
            if i + 2 != items.len() || tail.is_some() {
                return Err(RtError::syntax(
                    p.span,
                    "& must be followed by one rest parameter",
                ));
            }
            rest = Some(r);
            break;
        }
        if names.contains(&s) {
            return Err(RtError::syntax(
                p.span,
                format!("duplicate parameter `{s}`"),
            ));
        }
        names.push(s);
        i += 1;
    }
    if let Some(t) = tail {
        rest = Some(
            t.as_symbol()
                .ok_or_else(|| RtError::syntax(t.span, "rest parameter must be a symbol"))?,
        );
    }
    Ok((names, rest))
}

/// A cheap syntactic filter for loop compilation: `name` appears only at
/// the head of lists (never as a value) and not inside a nested lambda.
fn only_called(forms: &[Datum], name: Sym) -> bool {
    fn walk(d: &Datum, name: Sym, in_lambda: bool) -> bool {
        match &d.kind {
            DatumKind::Symbol(s) => *s != name,
            DatumKind::Vector(items) => items.iter().all(|x| walk(x, name, in_lambda)),
            DatumKind::List(items, tail) => {
                let head_is_lambda = items
                    .first()
                    .is_some_and(|h| sym_is(h, "fn") || sym_is(h, "lambda"));
                let in_lambda = in_lambda || head_is_lambda;
                let head_ok = match items.first() {
                    Some(h) if h.as_symbol() == Some(name) => !in_lambda,
                    Some(h) => walk(h, name, in_lambda),
                    None => true,
                };
                head_ok
                    && items.iter().skip(1).all(|x| walk(x, name, in_lambda))
                    && tail.as_ref().is_none_or(|t| walk(t, name, in_lambda))
            }
            _ => true,
        }
    }
    forms.iter().all(|f| walk(f, name, false))
}

/// Rewrites tail calls of `var` in `n` into `Recur`; false if `var` is used
/// anywhere else, or called with other than `arity` arguments (then `n`
/// must be discarded: the closure form raises the `arity-error` at run
/// time, where a jump would silently drop or lack arguments).
fn to_recur(n: &mut Node, var: VarId, id: LoopId, arity: usize) -> bool {
    let recur = |n: &mut Node| to_recur(n, var, id, arity);
    match &mut n.expr {
        Expr::Call(f, args) if matches!(f.expr, Expr::Local(v) if v == var) => {
            if args.len() != arity || args.iter().any(|a| mentions(a, var)) {
                return false;
            }
            let args = std::mem::take(args);
            n.expr = Expr::Recur { id, args };
            true
        }
        Expr::If(c, t, e) => !mentions(c, var) && recur(t) && recur(e),
        Expr::Seq(nodes) | Expr::And(nodes) | Expr::Or(nodes) => match nodes.split_last_mut() {
            Some((last, init)) => init.iter().all(|x| !mentions(x, var)) && recur(last),
            None => true,
        },
        Expr::Let(binds, body) => binds.iter().all(|(_, x)| !mentions(x, var)) && recur(body),
        Expr::Declare(_, body) => recur(body),
        _ => !mentions(n, var),
    }
}

/// Whether `var` occurs anywhere in `n`, lambda bodies included.
fn mentions(n: &Node, var: VarId) -> bool {
    n.contains(&|e: &Expr| match e {
        Expr::Local(v) | Expr::SetLocal(v, _) => *v == var,
        Expr::Lambda(l) => mentions(&l.body, var),
        _ => false,
    })
}
