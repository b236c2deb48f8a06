//! Derived forms rewritten into core forms, and macro calls.
//!
//! Each rewrite produces new data with the span of the original form, so
//! errors and traces still point at the user's code. Rewrites refer to
//! built-ins through `%`-prefixed globals (`%car`, `%list-tail`...) that user
//! code has no reason to redefine.

use crate::bytecode::MAX_ARGS;
use crate::compiler::convert::{datum_to_value, made_value_to_datum};
use crate::compiler::over_limit;
use crate::datum::{Datum, DatumKind};
use crate::error::{RtError, RtResult};
use crate::object::{Obj, TraceEntry};
use crate::span::Span;
use crate::symbol::Sym;
use crate::value::Value;
use crate::vm::Vm;

/// Names that are special forms in head position.
pub const SPECIAL_FORMS: &[&str] = &[
    "quote",
    "quasiquote",
    "unquote",
    "unquote-splicing",
    "if",
    "cond",
    "case",
    "when",
    "unless",
    "and",
    "or",
    "begin",
    "block",
    "lambda",
    "fn",
    "define",
    "set!",
    "let",
    "let*",
    "letrec",
    "while",
    "break",
    "for",
    "match",
    "->",
    "->>",
    "defmacro",
    "define-macro",
    "try",
    "handler-case",
    "handler-bind",
    "restart-case",
    "define-condition",
    "import",
    "import-file",
];

pub fn is_special(s: Sym) -> bool {
    SPECIAL_FORMS.contains(&s.name())
}

/// Most expansions of one form, by the compiler or `macroexpand`, before
/// it is deemed to expand forever (a macro whose expansion is a call of
/// itself never stops on its own).
pub const MAX_EXPANSIONS: usize = 100_000;

/// The `syntax-error` for a form still a macro call after
/// [`MAX_EXPANSIONS`] expansions; `at` is where (a source position, or the
/// built-in that expanded it).
pub fn endless_expansion(at: impl std::fmt::Display) -> RtError {
    RtError::of(
        crate::symbol::sym::SYNTAX_ERROR,
        format!("{at}: macro expansion does not terminate (more than {MAX_EXPANSIONS} expansions)"),
    )
}

/// Calls a macro's function with the unevaluated argument forms and turns
/// its result back into source data.
pub fn expand_macro_call(vm: &mut Vm, m: Value, form: &Datum) -> RtResult<Datum> {
    let items = form.as_list().unwrap_or(&[]);
    let args: Vec<Value> = items
        .iter()
        .skip(1)
        .map(|d| datum_to_value(vm, d))
        .collect();
    let outer_frames = vm.frames.len();
    // `call_value` roots the arguments while the macro runs.
    let result = vm.call_value(m, &args);
    match result {
        Ok(v) => made_value_to_datum(vm, v, form.span),
        Err(e) => Err(expansion_failed(vm, e, form, outer_frames)),
    }
}

/// An error raised while a macro's body ran: the condition's trace gets a
/// line for the expansion, `<macro NAME> (FILE:LINE:COL)` at the macro
/// call, between the macro's own frames and the frames that were running
/// when the compiler met the call (none at top level). Without it, an
/// error in a macro (or a macro called with the wrong number of
/// arguments) would not say where in the program the failing call is.
///
/// An error already signalled inside the macro comes back as a transfer
/// (`RtError::Unwind`) to a handler outside the expansion, or out of the
/// program: it goes on unchanged, with the line added to the condition it
/// carries.
fn expansion_failed(vm: &mut Vm, e: RtError, form: &Datum, outer_frames: usize) -> RtError {
    match e {
        RtError::Unwind(target) => {
            if let Some(cond) = vm.unwind_condition(target) {
                note_expansion(vm, cond, form, outer_frames);
            }
            RtError::Unwind(target)
        }
        RtError::New { .. } | RtError::Raise(_) => {
            let cond = vm.condition_from_error(e);
            note_expansion(vm, cond, form, outer_frames);
            RtError::Raise(cond)
        }
        other => other,
    }
}

fn note_expansion(vm: &mut Vm, cond: Value, form: &Datum, outer_frames: usize) {
    let name = form
        .head_symbol()
        .map_or_else(|| "<macro>".to_string(), |s| format!("<macro {s}>"));
    if let Value::Obj(r) = cond
        && let Obj::Condition(c) = vm.heap.get_mut(r)
    {
        let entry = TraceEntry {
            function: Sym::intern(&name),
            span: form.span,
        };
        c.trace.insert_from_outer(outer_frames, entry);
    }
}

// ----- small constructors -----

fn sym(name: &str, span: Span) -> Datum {
    Datum::sym(name, span)
}

fn list(items: Vec<Datum>, span: Span) -> Datum {
    Datum::list(items, span)
}

fn call(f: &str, args: Vec<Datum>, span: Span) -> Datum {
    let mut items = vec![sym(f, span)];
    items.extend(args);
    list(items, span)
}

fn quote(d: Datum, span: Span) -> Datum {
    call("quote", vec![d], span)
}

/// A count or position (in a pattern) as an integer literal.
fn int(n: usize, span: Span) -> Datum {
    // The length of a slice fits an `isize`, hence an `i64`.
    Datum::new(DatumKind::Int(i64::try_from(n).unwrap_or(i64::MAX)), span)
}

fn nil(span: Span) -> Datum {
    Datum::new(DatumKind::Nil, span)
}

fn gensym(span: Span) -> Datum {
    Datum::new(DatumKind::Symbol(Sym::gensym()), span)
}

fn begin(body: &[Datum], span: Span) -> Datum {
    let mut items = vec![sym("begin", span)];
    items.extend_from_slice(body);
    list(items, span)
}

/// `(let ((name value)) body...)`
fn let1(name: Datum, value: Datum, body: Vec<Datum>, span: Span) -> Datum {
    let mut items = vec![
        sym("let", span),
        list(vec![list(vec![name, value], span)], span),
    ];
    items.extend(body);
    list(items, span)
}

/// Rewrites a derived special form into core forms.
pub fn rewrite(vm: &mut Vm, s: Sym, d: &Datum, items: &[Datum]) -> RtResult<Datum> {
    let span = d.span;
    let args = &items[1..];
    match s.name() {
        "cond" => cond(args, span),
        "case" => case(args, span),
        "when" | "unless" => {
            let Some((test, body)) = args.split_first() else {
                return Err(RtError::syntax(span, format!("{s} needs a test")));
            };
            let b = begin(body, span);
            let (then, els) = if s.name() == "when" {
                (b, nil(span))
            } else {
                (nil(span), b)
            };
            Ok(list(vec![sym("if", span), test.clone(), then, els], span))
        }
        "let*" => let_star(args, span),
        "match" => crate::compiler::desugar::match_form(args, span),
        "->" | "->>" => thread(args, s.name() == "->", span),
        "quasiquote" => {
            let [x] = args else {
                return Err(RtError::syntax(span, "quasiquote takes one template"));
            };
            quasi(x, 1)
        }
        "unquote" | "unquote-splicing" => {
            Err(RtError::syntax(span, format!("{s} outside quasiquote")))
        }
        "define-condition" => define_condition(vm, args, span),
        "handler-case" => handler_case(args, span),
        other => Err(RtError::syntax(
            span,
            format!("unknown special form {other}"),
        )),
    }
}

fn cond(clauses: &[Datum], span: Span) -> RtResult<Datum> {
    let Some((first, rest)) = clauses.split_first() else {
        return Ok(nil(span));
    };
    let parts = first
        .as_list()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| RtError::syntax(first.span, "cond clause must be (test body...)"))?;
    let test = &parts[0];
    if crate::compiler::desugar::sym_named(test, "else") {
        return Ok(begin(&parts[1..], first.span));
    }
    let next = cond(rest, span)?;
    if parts.len() == 1 {
        return Ok(call("or", vec![test.clone(), next], first.span));
    }
    Ok(list(
        vec![
            sym("if", first.span),
            test.clone(),
            begin(&parts[1..], first.span),
            next,
        ],
        first.span,
    ))
}

pub fn sym_named(d: &Datum, name: &str) -> bool {
    d.as_symbol().is_some_and(|s| s.name() == name)
}

fn case(args: &[Datum], span: Span) -> RtResult<Datum> {
    let Some((key, clauses)) = args.split_first() else {
        return Err(RtError::syntax(span, "case needs a key"));
    };
    let k = gensym(span);
    let mut cond_clauses = Vec::new();
    for c in clauses {
        let parts = c
            .as_list()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| RtError::syntax(c.span, "case clause must be ((datum...) body...)"))?;
        let test = if sym_named(&parts[0], "else") {
            sym("else", c.span)
        } else {
            let data: Vec<Datum> = match parts[0].as_list() {
                Some(ds) => ds.to_vec(),
                None => vec![parts[0].clone()],
            };
            let tests = data
                .into_iter()
                .map(|x| call("=", vec![k.clone(), quote(x, c.span)], c.span))
                .collect();
            call("or", tests, c.span)
        };
        let mut clause = vec![test];
        clause.extend_from_slice(&parts[1..]);
        cond_clauses.push(list(clause, c.span));
    }
    let body = cond(&cond_clauses, span)?;
    Ok(let1(k, key.clone(), vec![body], span))
}

fn let_star(args: &[Datum], span: Span) -> RtResult<Datum> {
    let Some((binds, body)) = args.split_first() else {
        return Err(RtError::syntax(span, "let* needs bindings"));
    };
    let binds = binds
        .as_list()
        .ok_or_else(|| RtError::syntax(binds.span, "bindings must be a list"))?;
    let mut inner = {
        let mut items = vec![sym("let", span), nil(span)];
        items.extend_from_slice(body);
        list(items, span)
    };
    for b in binds.iter().rev() {
        inner = list(
            vec![sym("let", span), list(vec![b.clone()], b.span), inner],
            span,
        );
    }
    Ok(inner)
}

/// `(let name ((v init)...) body...)` → `((letrec ((name (fn (v...) body...))) name) init...)`
pub fn named_let(args: &[Datum], span: Span) -> RtResult<Datum> {
    let name = args[0].clone();
    let binds = args
        .get(1)
        .and_then(|b| b.as_list())
        .ok_or_else(|| RtError::syntax(span, "named let needs bindings"))?;
    let mut vars = Vec::new();
    let mut inits = Vec::new();
    for b in binds {
        match b.as_list() {
            Some([v, init]) => {
                vars.push(v.clone());
                inits.push(init.clone());
            }
            _ => return Err(RtError::syntax(b.span, "a binding is (name value)")),
        }
    }
    let mut lambda = vec![sym("fn", span), list(vars, span)];
    lambda.extend_from_slice(&args[2..]);
    if args.len() == 2 {
        lambda.push(nil(span));
    }
    let letrec = list(
        vec![
            sym("letrec", span),
            list(
                vec![list(vec![name.clone(), list(lambda, span)], span)],
                span,
            ),
            name,
        ],
        span,
    );
    let mut app = vec![letrec];
    app.extend(inits);
    Ok(list(app, span))
}

fn begin_or_nil(body: &[Datum], span: Span) -> Datum {
    if body.is_empty() {
        nil(span)
    } else {
        begin(body, span)
    }
}

/// `(-> x (f a) g)` → `(g (f x a))`; `->>` puts x last.
fn thread(args: &[Datum], first: bool, span: Span) -> RtResult<Datum> {
    let Some((x, steps)) = args.split_first() else {
        return Err(RtError::syntax(span, "threading needs a value"));
    };
    let mut acc = x.clone();
    for step in steps {
        acc = match step.as_list() {
            Some(items) if !items.is_empty() => {
                let mut v = items.to_vec();
                if first {
                    v.insert(1, acc);
                } else {
                    v.push(acc);
                }
                list(v, step.span)
            }
            _ => list(vec![step.clone(), acc], step.span),
        };
    }
    Ok(acc)
}

/// Quasiquote at nesting `depth` (1 for the outermost).
fn quasi(x: &Datum, depth: usize) -> RtResult<Datum> {
    if crate::native_stack::exhausted() {
        return Err(crate::native_stack::overflow(
            "quasiquoted forms",
            Some(x.span),
        ));
    }
    let span = x.span;
    match &x.kind {
        DatumKind::List(items, tail) if !items.is_empty() => {
            if let Some(h) = items[0].as_symbol() {
                match (h.name(), items.len(), tail) {
                    ("unquote", 2, None) => {
                        if depth == 1 {
                            return Ok(items[1].clone());
                        }
                        let inner = quasi(&items[1], depth - 1)?;
                        return Ok(call(
                            "list",
                            vec![quote(sym("unquote", span), span), inner],
                            span,
                        ));
                    }
                    ("quasiquote", 2, None) => {
                        let inner = quasi(&items[1], depth + 1)?;
                        return Ok(call(
                            "list",
                            vec![quote(sym("quasiquote", span), span), inner],
                            span,
                        ));
                    }
                    ("unquote-splicing", 2, None) if depth == 1 => {
                        return Err(RtError::syntax(span, "unquote-splicing not inside a list"));
                    }
                    _ => {}
                }
            }
            // `(a . ,x)` reads as `(a unquote x)`: the last two items are
            // the unquoted tail.
            let (items, tail): (&[Datum], Option<Datum>) = match &items[..] {
                [init @ .., u, t]
                    if tail.is_none() && !init.is_empty() && sym_named(u, "unquote") =>
                {
                    let unquoted = list(vec![u.clone(), t.clone()], u.span);
                    (init, Some(unquoted))
                }
                _ => (items, tail.as_deref().cloned()),
            };
            // Build with %append over segments: (list e) for plain items,
            // the spliced list for ,@; the tail is one more.
            if items.len() >= MAX_ARGS {
                let what = format!("quasiquote template has {} elements", items.len());
                return Err(over_limit(span, what, MAX_ARGS - 1));
            }
            let mut segments = Vec::new();
            for it in items {
                if let Some(parts) = it.as_list()
                    && parts.len() == 2
                    && sym_named(&parts[0], "unquote-splicing")
                {
                    if depth == 1 {
                        segments.push(parts[1].clone());
                    } else {
                        let inner = quasi(&parts[1], depth - 1)?;
                        let q = call(
                            "list",
                            vec![quote(sym("unquote-splicing", span), span), inner],
                            span,
                        );
                        segments.push(call("list", vec![q], span));
                    }
                    continue;
                }
                segments.push(call("list", vec![quasi(it, depth)?], it.span));
            }
            let tail = match &tail {
                Some(t) => quasi(t, depth)?,
                None => nil(span),
            };
            segments.push(tail);
            Ok(call("%append", segments, span))
        }
        DatumKind::Vector(items) => {
            let as_list = Datum::new(DatumKind::List(items.clone(), None), span);
            let l = quasi(&as_list, depth)?;
            Ok(call("%list->vector", vec![l], span))
        }
        DatumKind::Symbol(_) | DatumKind::List(..) => Ok(quote(x.clone(), span)),
        _ => Ok(x.clone()),
    }
}

/// A clause of the shape `(name (list...) body...)` (a `handler-case` or
/// `restart-case` clause): its name, its list and its body; `usage` is the
/// `syntax-error` message for anything else.
pub(crate) fn named_clause<'d>(
    c: &'d Datum,
    usage: &str,
) -> RtResult<(Sym, &'d Datum, &'d [Datum])> {
    let parts = c.as_list().unwrap_or(&[]);
    match (parts.first().and_then(Datum::as_symbol), parts.get(1)) {
        (Some(name), Some(list)) => Ok((name, list, &parts[2..])),
        _ => Err(RtError::syntax(c.span, usage)),
    }
}

/// `(handler-case expr (type (var) body...) ...)` is a `try` with typed
/// catch clauses: `(try expr (catch (var type) body...) ...)`. A clause
/// written `(type () body...)` gets a fresh variable.
fn handler_case(args: &[Datum], span: Span) -> RtResult<Datum> {
    let Some((expr, clauses)) = args.split_first() else {
        return Err(RtError::syntax(span, "handler-case needs an expression"));
    };
    let mut items = vec![sym("try", span), expr.clone()];
    for c in clauses {
        let (ctype, var_list, body) =
            named_clause(c, "a handler-case clause is (type (var) body...)")?;
        let var = match &var_list.kind {
            DatumKind::Nil => gensym(c.span),
            DatumKind::List(vs, None) if vs.len() == 1 && vs[0].as_symbol().is_some() => {
                vs[0].clone()
            }
            _ => {
                return Err(RtError::syntax(
                    var_list.span,
                    "handler-case clause variable: (var) or ()",
                ));
            }
        };
        let spec = list(vec![var, sym(ctype.name(), c.span)], c.span);
        let mut catch = vec![sym("catch", c.span), spec];
        if body.is_empty() {
            catch.push(nil(c.span));
        } else {
            catch.extend_from_slice(body);
        }
        items.push(list(catch, c.span));
    }
    Ok(list(items, span))
}

fn define_condition(vm: &mut Vm, args: &[Datum], span: Span) -> RtResult<Datum> {
    let [name, parent] = args else {
        return Err(RtError::syntax(
            span,
            "define-condition takes a name and a parent type",
        ));
    };
    let (Some(n), Some(p)) = (name.as_symbol(), parent.as_symbol()) else {
        return Err(RtError::syntax(
            span,
            "define-condition names must be symbols",
        ));
    };
    let _ = vm;
    Ok(call(
        "%define-condition",
        vec![
            quote(sym(n.name(), span), span),
            quote(sym(p.name(), span), span),
        ],
        span,
    ))
}

// ----- match -----

/// `(match v clause...)`: a chain of `if`s, one per clause, so clause bodies
/// stay in tail position.
pub fn match_form(args: &[Datum], span: Span) -> RtResult<Datum> {
    let Some((value, clauses)) = args.split_first() else {
        return Err(RtError::syntax(span, "match needs a value"));
    };
    let subject = gensym(span);
    let mut default = nil(span);
    let mut arms = Vec::new();
    for c in clauses {
        let parts = c
            .as_list()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| RtError::syntax(c.span, "match clause must be (pattern body...)"))?;
        if parts.len() == 1 {
            default = parts[0].clone();
            continue;
        }
        arms.push(parts);
    }
    let mut chain = default;
    for parts in arms.into_iter().rev() {
        chain = match_clause(parts, &subject, chain)?;
    }
    Ok(let1(subject, value.clone(), vec![chain], span))
}

fn match_clause(parts: &[Datum], subject: &Datum, next: Datum) -> RtResult<Datum> {
    let span = parts[0].span;
    let mut tests = Vec::new();
    let mut binds = Vec::new();
    pattern(&parts[0], subject.clone(), &mut tests, &mut binds)?;
    let (guard, body) = if parts.len() >= 3
        && matches!(&parts[1].kind, DatumKind::Keyword(k) if k.name() == "when")
    {
        (Some(parts[2].clone()), &parts[3..])
    } else {
        (None, &parts[1..])
    };
    let bindings: Vec<Datum> = binds
        .iter()
        .map(|(n, e)| list(vec![n.clone(), e.clone()], span))
        .collect();
    let with_binds = |body: Datum| {
        list(
            vec![sym("let", span), list(bindings.clone(), span), body],
            span,
        )
    };
    if let Some(g) = guard {
        tests.push(with_binds(g));
    }
    let test = if tests.is_empty() {
        Datum::new(DatumKind::Bool(true), span)
    } else {
        call("and", tests, span)
    };
    Ok(list(
        vec![
            sym("if", span),
            test,
            with_binds(begin_or_nil(body, span)),
            next,
        ],
        span,
    ))
}

/// Appends to `tests` the checks that `subject` matches `p`, and to `binds`
/// the variables it binds (with the expressions that extract them).
fn pattern(
    p: &Datum,
    subject: Datum,
    tests: &mut Vec<Datum>,
    binds: &mut Vec<(Datum, Datum)>,
) -> RtResult<()> {
    let span = p.span;
    match &p.kind {
        DatumKind::Symbol(s) if s.name() == "_" => Ok(()),
        DatumKind::Symbol(_) => {
            binds.push((p.clone(), subject));
            Ok(())
        }
        DatumKind::Nil => {
            tests.push(call("%null?", vec![subject], span));
            Ok(())
        }
        DatumKind::Int(_)
        | DatumKind::Float(_)
        | DatumKind::Str(_)
        | DatumKind::Bool(_)
        | DatumKind::Keyword(_) => {
            tests.push(call("%equal?", vec![subject, p.clone()], span));
            Ok(())
        }
        DatumKind::Vector(items) => {
            tests.push(call(
                "%vector-of-length?",
                vec![subject.clone(), int(items.len(), span)],
                span,
            ));
            for (i, item) in items.iter().enumerate() {
                let elem = call("%vector-ref", vec![subject.clone(), int(i, span)], span);
                pattern(item, elem, tests, binds)?;
            }
            Ok(())
        }
        DatumKind::List(items, None) => {
            let head = items[0].as_symbol().map(|s| s.name());
            match head {
                Some("quote") if items.len() == 2 => {
                    tests.push(call("%equal?", vec![subject, p.clone()], span));
                    Ok(())
                }
                Some("list") => list_pattern(&items[1..], subject, tests, binds, span),
                Some("cons") if items.len() == 3 => {
                    tests.push(call("%pair?", vec![subject.clone()], span));
                    pattern(
                        &items[1],
                        call("%car", vec![subject.clone()], span),
                        tests,
                        binds,
                    )?;
                    pattern(&items[2], call("%cdr", vec![subject], span), tests, binds)
                }
                _ if items.len() == 1 => pattern(&items[0], subject, tests, binds),
                _ => Err(RtError::syntax(span, "invalid match pattern")),
            }
        }
        DatumKind::List(_, Some(_)) => Err(RtError::syntax(span, "invalid match pattern")),
    }
}

fn list_pattern(
    items: &[Datum],
    subject: Datum,
    tests: &mut Vec<Datum>,
    binds: &mut Vec<(Datum, Datum)>,
    span: Span,
) -> RtResult<()> {
    let amp = items.iter().position(|d| sym_named(d, "&"));
    let fixed = amp.unwrap_or(items.len());
    let check = if amp.is_some() {
        "%list-at-least?"
    } else {
        "%list-of-length?"
    };
    tests.push(call(check, vec![subject.clone(), int(fixed, span)], span));
    for (i, item) in items[..fixed].iter().enumerate() {
        let elem = call("%list-ref", vec![subject.clone(), int(i, span)], span);
        pattern(item, elem, tests, binds)?;
    }
    if let Some(a) = amp {
        let [rest] = &items[a + 1..] else {
            return Err(RtError::syntax(
                span,
                "& in a list pattern takes one pattern",
            ));
        };
        let tail = call("%list-tail", vec![subject, int(fixed, span)], span);
        pattern(rest, tail, tests, binds)?;
    }
    Ok(())
}
