//! The condition system: condition types, signalling, handlers, restarts
//! and unwinding (LANGUAGE.md §6).
//!
//! # The dynamic stack
//!
//! `Vm::handlers` lives beside the frames. `try`, `handler-case`,
//! `handler-bind`, `restart-case` and `finally` push entries on it when
//! their body starts (`Op::PushHandler`) and pop them when it ends
//! (`Op::PopHandler`); each entry names the frame that established it and
//! its static description in that frame's prototype
//! ([`HandlerInfo`]). Establishing and leaving a handler that catches
//! nothing is therefore one push and one pop.
//!
//! # Signalling
//!
//! A condition is signalled by an error (raised by the runtime, `error`,
//! `throw`), by `signal` or by `warn`. [`Vm::signal`] walks the dynamic
//! stack from the top without unwinding anything:
//!
//! - a `handler-bind` clause of a matching type calls its function at the
//!   signal point, on top of the current frames. While it runs, the entries
//!   at its own level and above are disabled, so a condition signalled
//!   inside the handler is seen only by handlers further out (or by new
//!   ones the handler establishes). If the function returns, it declines,
//!   and the search goes on outwards; to take over it invokes a restart or
//!   raises, which leaves the search with that transfer or condition;
//! - a catch clause of `try`/`handler-case` whose type matches is the
//!   target: the search ends and the stack unwinds to it;
//! - `finally` and `restart-case` entries are passed over (each entry
//!   links to the nearest catch or `handler-bind` entry at or below it, so
//!   the search does not even visit them).
//!
//! If nothing takes the condition, `signal` and `warn` return (`warn`
//! first prints `warning: msg`), and an error unwinds out of the program.
//!
//! # Unwinding
//!
//! A transfer of control ([`UnwindTarget`]: to a catch clause with the condition,
//! to a restart with its arguments, or out of the program) pops entries
//! from the top. Popping a `finally` entry runs its cleanup code in the
//! frame that established it, with the transfer saved in
//! `Vm::pending_unwinds`; the cleanup ends with `Op::EndFinally`, which
//! resumes the transfer. So every `finally` between the signal point and
//! the target runs once, innermost first. If a cleanup raises, the new
//! condition wins: a transfer to a point below the cleanup abandons the
//! pending one. Reaching the target drops the frames above it, stores the
//! condition or the restart's arguments in its registers and continues at
//! the clause.
//!
//! # The host's debugger
//!
//! A host may install a [`Debugger`] ([`Vm::set_debugger`]; the REPL
//! does). When an error that Lisp code can catch goes unhandled (every
//! handler declined and no catch clause takes it), the debugger is called
//! at the signal point, before anything unwinds, like an outermost
//! `handler-bind` function: the frames and restarts of the computation are
//! live while it runs. It may evaluate code (in nested interpreter loops
//! above the suspended frames, with the suspended computation's handlers
//! disabled and the handler headroom of frames), invoke a restart of the
//! computation (it returns that transfer) or decline (`Ok`: the condition
//! leaves the program as without a debugger). The limits' conditions
//! (`fuel-exhausted`, `interrupted`, `memory-limit`) never reach it.
//!
//! Built-ins that call back into Elle (`call_value`) run a nested
//! interpreter loop. A transfer whose target lies outside it unwinds the
//! nested loop's own frames and entries, then leaves it as
//! `RtError::Unwind`, which the built-in passes on and the outer loop
//! continues; the search itself sees the whole dynamic stack, so handlers
//! established outside a `map` see errors raised inside its callback.

use crate::bytecode::HandlerInfo;
use crate::error::{ElleError, RtError, RtResult};
use crate::object::{Condition, Obj};
use crate::symbol::{Sym, sym};
use crate::value::Value;
use crate::vm::Vm;

/// Built-in condition types and their parents.
const BUILTIN_TYPES: &[(&str, &str)] = &[
    ("error", "condition"),
    ("warning", "condition"),
    ("style-warning", "warning"),
    ("type-error", "error"),
    ("arity-error", "error"),
    ("unbound-variable", "error"),
    ("division-by-zero", "error"),
    ("overflow-error", "error"),
    ("index-error", "error"),
    ("key-error", "error"),
    ("stack-overflow", "error"),
    ("read-error", "error"),
    ("syntax-error", "error"),
    ("io-error", "error"),
    ("ffi-error", "error"),
    ("user-error", "error"),
    ("capability-error", "error"),
    // Host limits: not under `error`, so no `try` catches them.
    ("fuel-exhausted", "condition"),
    ("memory-limit", "condition"),
    ("interrupted", "condition"),
];

/// Whether `name` is one of the built-in condition types (which
/// `define-condition` may not redefine).
pub fn is_builtin_type(name: Sym) -> bool {
    let name = name.name();
    name == "condition" || BUILTIN_TYPES.iter().any(|(t, _)| *t == name)
}

/// Extra frames a handler function may use beyond the depth limit, so that
/// a `stack-overflow` can be handled at the point where it happened.
const HANDLER_HEADROOM: usize = 1000;

pub fn install_builtin_types(vm: &mut Vm) {
    for (name, parent) in BUILTIN_TYPES {
        vm.condition_parents
            .insert(Sym::intern(name), Sym::intern(parent));
    }
}

/// An entry of the dynamic stack.
#[derive(Clone, Copy, Debug)]
pub struct Handler {
    /// The frame that established it.
    pub frame: usize,
    /// Index into that frame's `Proto::handlers`.
    pub info: u32,
    /// Nonzero while a handler function at this level or further out runs.
    pub disabled: u32,
    /// The nearest entry at or below this one that signalling looks at (a
    /// catch or `handler-bind` entry), as its index plus one; 0 for none.
    /// The search passes over `finally` and restart entries without
    /// visiting them: with a `finally` at every level of a deep recursion,
    /// each raise would otherwise walk them all, and raising at every level
    /// would take time quadratic in the depth.
    searched: usize,
}

/// Where a transfer of control goes. The values it carries (the caught
/// condition, the restart's arguments, or, leaving the program, the
/// uncaught condition) wait in `Vm::transfer_values`: only one transfer is
/// in flight at a time (others wait in `Vm::pending_unwinds`), so raising
/// allocates nothing for the transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnwindTarget {
    /// Clause `clause` of the dynamic stack entry `entry` (a catch clause
    /// or a restart).
    Clause { entry: usize, clause: usize },
    /// Out of the program: the condition went unhandled.
    Out,
}

impl UnwindTarget {
    /// Whether a transfer here leaves the dynamic stack level `floor`
    /// (entries below `floor` stay).
    fn leaves(self, floor: usize) -> bool {
        match self {
            UnwindTarget::Clause { entry, .. } => entry < floor,
            UnwindTarget::Out => true,
        }
    }
}

impl RtError {
    /// Whether this is a transfer of control to a catch clause or a
    /// restart (rather than a condition, an `exit`, or a condition leaving
    /// the program). Out of code the host's debugger evaluated, it goes to
    /// the suspended computation: an invoked restart.
    pub fn is_transfer_to_clause(&self) -> bool {
        matches!(self, RtError::Unwind(UnwindTarget::Clause { .. }))
    }
}

/// A transfer waiting for a `finally` cleanup to end.
pub struct PendingUnwind {
    target: UnwindTarget,
    pub values: Vec<Value>,
    /// The dynamic stack's length when the cleanup started.
    floor: usize,
}

/// The host's debugger: called with an unhandled condition at its signal
/// point (see the module documentation). `Ok` declines; `Err` is what
/// happens next instead (a restart's transfer, an `exit`).
pub type Debugger = std::rc::Rc<dyn Fn(&mut Vm, Value) -> RtResult<()>>;

/// An available restart, as the debugger lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartInfo {
    pub name: Sym,
    /// Required arguments.
    pub params: usize,
    /// Whether it takes any number of further arguments.
    pub rest: bool,
}

impl Vm {
    /// Installs (or, with `None`, removes) the host's debugger.
    pub fn set_debugger(&mut self, debugger: Option<Debugger>) {
        self.debugger = debugger;
    }

    /// Whether `ctype` is `ancestor` or one of its subtypes.
    pub fn condition_type_is(&self, ctype: Sym, ancestor: Sym) -> bool {
        let mut t = ctype;
        loop {
            if t == ancestor {
                return true;
            }
            match self.condition_parents.get(&t) {
                Some(&p) => t = p,
                None => return false,
            }
        }
    }

    pub fn is_condition_type(&self, t: Sym) -> bool {
        t.name() == "condition" || self.condition_parents.contains_key(&t)
    }

    /// Makes a condition object; `message` must be a string object.
    pub fn make_condition(&mut self, ctype: Sym, message: Value, data: Value) -> Value {
        self.heap.alloc(Obj::Condition(Box::new(Condition {
            ctype,
            message,
            data,
            trace: Default::default(),
            restarts: Vec::new(),
        })))
    }

    /// Makes a condition object with a message given as text.
    pub fn make_condition_text(&mut self, ctype: Sym, message: String, data: Value) -> Value {
        let message = self.heap.alloc_string(message);
        self.make_condition(ctype, message, data)
    }

    /// A condition's message as text.
    pub fn condition_message<'a>(&'a self, c: &'a Condition) -> &'a str {
        match c.message {
            Value::Obj(r) => match self.heap.get(r) {
                Obj::Str(s) => &s.text,
                _ => "",
            },
            _ => "",
        }
    }

    pub fn as_condition(&self, v: Value) -> Option<&Condition> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Obj::Condition(c) => Some(c),
                _ => None,
            },
            _ => None,
        }
    }

    fn as_condition_mut(&mut self, v: Value) -> Option<&mut Condition> {
        match v {
            Value::Obj(r) => match self.heap.get_mut(r) {
                Obj::Condition(c) => Some(c),
                _ => None,
            },
            _ => None,
        }
    }

    /// The condition object for an error, with the current stack trace
    /// recorded if it has none yet.
    pub fn condition_from_error(&mut self, e: RtError) -> Value {
        let cond = match e {
            RtError::New {
                ctype,
                message,
                data,
            } => self.make_condition_text(ctype, message, data),
            RtError::Raise(v) if self.as_condition(v).is_some() => v,
            RtError::Raise(v) => {
                self.make_condition_text(sym::USER_ERROR, "raised a non-condition".into(), v)
            }
            RtError::Unwind(UnwindTarget::Out) if !self.transfer_values.is_empty() => {
                self.transfer_values[0]
            }
            RtError::Unwind(_) | RtError::EndFinally => {
                self.make_condition_text(sym::ERROR, "control left its extent".into(), Value::Nil)
            }
            RtError::Exit(code) => self.make_condition_text(
                sym::ERROR,
                format!("exit {code}"),
                Value::Int(code as i64),
            ),
        };
        self.record_trace(cond);
        cond
    }

    /// The condition the transfer in flight to `target` carries: the one
    /// going to a catch clause or out of the program (`None` for a
    /// restart's arguments).
    pub(crate) fn unwind_condition(&self, target: UnwindTarget) -> Option<Value> {
        let carries = match target {
            UnwindTarget::Out => true,
            UnwindTarget::Clause { entry, .. } => {
                entry < self.handlers.len()
                    && matches!(self.handler_info(entry), HandlerInfo::Catch { .. })
            }
        };
        self.transfer_values
            .first()
            .copied()
            .filter(|&v| carries && self.as_condition(v).is_some())
    }

    /// Records the current stack trace in a condition that has none yet.
    fn record_trace(&mut self, cond: Value) {
        if self.as_condition(cond).is_some_and(|c| c.trace.is_empty()) {
            let trace = self.trace();
            // The condition was counted when it was made, without a trace:
            // what the trace holds must count towards the next collection.
            self.heap.note_growth(trace.heap_bytes());
            if let Some(c) = self.as_condition_mut(cond) {
                c.trace = trace;
            }
        }
    }

    /// Establishes entry `info` (described by `desc`) of the prototype
    /// running in frame `frame`.
    #[inline(always)]
    pub(crate) fn push_handler(&mut self, frame: usize, info: u32, desc: &HandlerInfo) {
        let searched = match desc {
            HandlerInfo::Catch { .. } | HandlerInfo::Bind { .. } => self.handlers.len() + 1,
            HandlerInfo::Finally { .. } | HandlerInfo::Restarts { .. } => {
                self.handlers.last().map_or(0, |h| h.searched)
            }
        };
        self.handlers.push(Handler {
            frame,
            info,
            disabled: 0,
            searched,
        });
    }

    /// The static description of dynamic stack entry `i`.
    fn handler_info(&self, i: usize) -> &HandlerInfo {
        let h = self.handlers[i];
        &self.frames[h.frame].proto().handlers[h.info as usize]
    }

    /// Signals `cond`: calls the applicable `handler-bind` handlers at the
    /// signal point, innermost first, until one transfers control, and
    /// returns the transfer to the innermost catch clause that takes it.
    /// `Ok(None)`: nothing took it. `Err`: a handler raised or invoked a
    /// restart; that is what happens next.
    pub fn signal(&mut self, cond: Value) -> RtResult<Option<UnwindTarget>> {
        self.record_trace(cond);
        let Some(ctype) = self.as_condition(cond).map(|c| c.ctype) else {
            return Ok(None);
        };
        // The host's limits reach the host: no handler sees them.
        if crate::limits::is_uncatchable(ctype) {
            return Ok(None);
        }
        let mut next = self.handlers.last().map_or(0, |h| h.searched);
        while next > 0 {
            let i = next - 1;
            // Handler functions called below leave the entries up to `i` as
            // they are.
            next = i.checked_sub(1).map_or(0, |j| self.handlers[j].searched);
            if self.handlers[i].disabled > 0 {
                continue;
            }
            match self.handler_info(i) {
                HandlerInfo::Catch { clauses, .. } => {
                    let hit = clauses
                        .iter()
                        .position(|c| c.types.iter().any(|&t| self.condition_type_is(ctype, t)));
                    if let Some(clause) = hit {
                        let target = UnwindTarget::Clause { entry: i, clause };
                        self.start_transfer(target, &[cond]);
                        return Ok(Some(target));
                    }
                }
                HandlerInfo::Bind { clauses } => {
                    let base = self.frames[self.handlers[i].frame].base;
                    let functions: Vec<Value> = clauses
                        .iter()
                        .filter(|c| self.condition_type_is(ctype, c.ctype))
                        .map(|c| self.stack[base + c.handler as usize])
                        .collect();
                    for f in functions {
                        self.call_handler(i, f, cond)?;
                    }
                }
                HandlerInfo::Finally { .. } | HandlerInfo::Restarts { .. } => {}
            }
        }
        Ok(None)
    }

    /// Calls a `handler-bind` function of dynamic stack level `level` with
    /// the condition, with that level and those above it disabled.
    fn call_handler(&mut self, level: usize, f: Value, cond: Value) -> RtResult<()> {
        let top = self.handlers.len();
        for h in &mut self.handlers[level..top] {
            h.disabled += 1;
        }
        let saved_headroom = self.depth_headroom;
        // Not cumulative: handlers that signal from inside handlers share
        // one headroom, so the frames stay bounded however deep they nest.
        self.depth_headroom = HANDLER_HEADROOM;
        let r = match self.call_value(f, &[cond]) {
            // The call failed before the handler ran (not a function, wrong
            // arity, no room): that error is signalled here, where the
            // handler's level is still disabled.
            Err(e @ (RtError::New { .. } | RtError::Raise(_))) => Err(self.raise(e)),
            r => r,
        };
        self.depth_headroom = saved_headroom;
        // The entries `level..top` belong to frames below the handler call,
        // so they are still there however the call ended.
        for h in &mut self.handlers[level..top] {
            h.disabled -= 1;
        }
        r.map(|_| ())
    }

    /// The transfer for an error that reached the interpreter loop: to the
    /// handler that takes it, or out of the program (noting the restarts
    /// that were available, for the report).
    pub(crate) fn raise(&mut self, e: RtError) -> RtError {
        // Raised by a cleanup while a limit's condition unwinds: the limit
        // wins, or a cleanup could raise a condition that the script
        // catches and so carry on past the limit.
        let e = self.limits.while_tripped(e);
        let cond = self.condition_from_error(e);
        match self.signal(cond) {
            Ok(Some(target)) => RtError::Unwind(target),
            Ok(None) => {
                // A limit's condition has no use for restarts, and while it
                // unwinds a cleanup at every level of a deep recursion may
                // raise: listing them each time would take quadratic time.
                if let Some(c) = self.as_condition(cond)
                    && !crate::limits::is_uncatchable(c.ctype)
                {
                    let restarts = self.compute_restarts();
                    if let Some(c) = self.as_condition_mut(cond) {
                        c.restarts = restarts;
                    }
                    if let Some(debugger) = self.debugger.clone()
                        && let Err(e) = self.enter_debugger(&debugger, cond)
                    {
                        return e;
                    }
                }
                self.start_transfer(UnwindTarget::Out, &[cond])
            }
            Err(e) => e,
        }
    }

    /// Runs the host's debugger on the unhandled condition `cond`, at the
    /// signal point, with every entry of the dynamic stack disabled (an
    /// error in code the debugger evaluates must not be caught by the
    /// suspended computation's handlers; its restarts stay available).
    fn enter_debugger(&mut self, debugger: &Debugger, cond: Value) -> RtResult<()> {
        if crate::native_stack::exhausted() {
            // No room to run it: unwind as without a debugger.
            return Ok(());
        }
        let top = self.handlers.len();
        for h in &mut self.handlers[..top] {
            h.disabled += 1;
        }
        let saved_headroom = std::mem::replace(&mut self.depth_headroom, HANDLER_HEADROOM);
        let saved_floor = std::mem::replace(&mut self.pending_floor, self.pending_unwinds.len());
        let saved_frames = std::mem::replace(&mut self.host_frames, self.frames.len());
        let r = self.with_roots(&[cond], |vm| debugger(vm, cond));
        self.host_frames = saved_frames;
        self.pending_floor = saved_floor;
        self.depth_headroom = saved_headroom;
        for h in &mut self.handlers[..top] {
            h.disabled -= 1;
        }
        if let Err(RtError::Unwind(target)) = &r {
            // A restart of the suspended computation abandons the
            // transfers parked below the debugger that it leaves.
            self.abandon_pending_left_by(*target);
        }
        r
    }

    /// Drops the parked transfers (above `pending_floor`) that a transfer
    /// to `target` leaves.
    fn abandon_pending_left_by(&mut self, target: UnwindTarget) {
        while self.pending_unwinds.len() > self.pending_floor
            && self
                .pending_unwinds
                .last()
                .is_some_and(|p| target.leaves(p.floor))
        {
            self.pending_unwinds.pop();
        }
    }

    /// Drops the transfers parked by cleanups of entries at or above
    /// `len` (which an `exit` left no way to resume).
    pub(crate) fn forget_pending_above(&mut self, len: usize) {
        while self.pending_unwinds.last().is_some_and(|p| p.floor >= len) {
            self.pending_unwinds.pop();
        }
    }

    /// Starts a transfer of control to `target` carrying `values`; returns
    /// the error that carries it out. It abandons the transfers waiting for
    /// cleanups that it leaves (the new condition wins).
    pub(crate) fn start_transfer(&mut self, target: UnwindTarget, values: &[Value]) -> RtError {
        self.abandon_pending_left_by(target);
        self.transfer_values.clear();
        self.transfer_values.extend_from_slice(values);
        RtError::Unwind(target)
    }

    /// Carries a transfer on within the execution whose first frame is
    /// `entry`: pops dynamic stack entries until it reaches the target
    /// (`Ok`: execution continues there) or a `finally` (`Ok`: its cleanup
    /// runs next), or until this execution has none left (`Err`: its frames
    /// are dropped and the transfer goes on outside it).
    pub(crate) fn unwind(&mut self, target: UnwindTarget, entry: usize) -> Result<(), RtError> {
        while let Some(&h) = self.handlers.last() {
            if h.frame < entry {
                break;
            }
            let i = self.handlers.len() - 1;
            if let UnwindTarget::Clause { entry: t, clause } = target
                && t == i
            {
                self.handlers.pop();
                return self.arrive(h, clause);
            }
            self.handlers.pop();
            let info = &self.frames[h.frame].proto().handlers[h.info as usize];
            if let HandlerInfo::Finally { target: cleanup } = *info {
                self.frames.truncate(h.frame + 1);
                self.frames[h.frame].pc = cleanup;
                self.pending_unwinds.push(PendingUnwind {
                    target,
                    values: std::mem::take(&mut self.transfer_values),
                    floor: self.handlers.len(),
                });
                return Ok(());
            }
        }
        self.frames.truncate(entry);
        Err(RtError::Unwind(target))
    }

    /// Resumes the transfer whose `finally` cleanup just ended.
    pub(crate) fn end_finally(&mut self, entry: usize) -> Result<(), RtError> {
        match self.pending_unwinds.pop() {
            Some(p) => {
                self.transfer_values = p.values;
                self.unwind(p.target, entry)
            }
            None => Err(RtError::new(
                "error",
                "internal error: finally without an unwinding",
            )),
        }
    }

    /// Arrives at clause `clause` of the entry `h` (already popped): drops
    /// the frames above its frame and continues at the clause with the
    /// condition or the restart's arguments in its registers.
    fn arrive(&mut self, h: Handler, clause: usize) -> Result<(), RtError> {
        self.frames.truncate(h.frame + 1);
        let values = std::mem::take(&mut self.transfer_values);
        // A copy of the frame record: the prototype it points to is not
        // borrowed from the VM, so registers can be written meanwhile.
        let frame = self.frames[h.frame];
        let target = match &frame.proto().handlers[h.info as usize] {
            HandlerInfo::Catch { clauses, cond_reg } => {
                self.stack[frame.base + *cond_reg as usize] = values[0];
                clauses[clause].target
            }
            HandlerInfo::Restarts { clauses } => {
                let c = &clauses[clause];
                for (&reg, &v) in c.params.iter().zip(&values) {
                    self.stack[frame.base + reg as usize] = v;
                }
                if let Some(rest) = c.rest {
                    let extra = &values[c.params.len().min(values.len())..];
                    self.stack[frame.base + rest as usize] = self.heap.list(extra);
                }
                c.target
            }
            HandlerInfo::Finally { .. } | HandlerInfo::Bind { .. } => {
                return Err(RtError::new(
                    "error",
                    "internal error: not an unwind target",
                ));
            }
        };
        self.frames[h.frame].pc = target;
        // Keep the buffer (emptied) for the next transfer.
        self.transfer_values = values;
        self.transfer_values.clear();
        Ok(())
    }

    // ----- restarts -----

    /// The innermost available restart named `name`: its dynamic stack
    /// entry, clause index and parameter count (and whether it has a rest
    /// list).
    fn find_restart_clause(&self, name: Sym) -> Option<(usize, usize, usize, bool)> {
        (0..self.handlers.len())
            .rev()
            .find_map(|i| match self.handler_info(i) {
                HandlerInfo::Restarts { clauses } => clauses
                    .iter()
                    .position(|c| c.name == name)
                    .map(|k| (i, k, clauses[k].params.len(), clauses[k].rest.is_some())),
                _ => None,
            })
    }

    /// Whether a restart of that name is available.
    pub fn restart_available(&self, name: Sym) -> bool {
        self.find_restart_clause(name).is_some()
    }

    /// The names of the available restarts, innermost first.
    pub fn compute_restarts(&self) -> Vec<Sym> {
        self.restart_clauses()
            .into_iter()
            .map(|(_, _, r)| r.name)
            .collect()
    }

    /// The available restarts, innermost first (the order of
    /// [`Vm::compute_restarts`]).
    pub fn restarts(&self) -> Vec<RestartInfo> {
        self.restart_clauses()
            .into_iter()
            .map(|(_, _, r)| r)
            .collect()
    }

    /// Every available restart with its dynamic stack entry and clause,
    /// innermost first.
    fn restart_clauses(&self) -> Vec<(usize, usize, RestartInfo)> {
        (0..self.handlers.len())
            .rev()
            .flat_map(|i| match self.handler_info(i) {
                HandlerInfo::Restarts { clauses } => clauses
                    .iter()
                    .enumerate()
                    .map(|(k, c)| {
                        let info = RestartInfo {
                            name: c.name,
                            params: c.params.len(),
                            rest: c.rest.is_some(),
                        };
                        (i, k, info)
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    /// Invokes restart number `index` (from 0) of [`Vm::restarts`] with
    /// `args`: the transfer, as the error that carries it out, or the
    /// error saying why not.
    pub fn invoke_restart_at(&mut self, index: usize, args: &[Value]) -> RtError {
        let Some((entry, clause, r)) = self.restart_clauses().into_iter().nth(index) else {
            return RtError::new("error", format!("there is no restart number {}", index + 1));
        };
        self.transfer_to_restart(entry, clause, r.name, r.params, r.rest, args)
    }

    /// `(invoke-restart name args...)`: the transfer to the restart, as the
    /// error that carries it out.
    pub fn invoke_restart(&mut self, name: Sym, args: &[Value]) -> RtError {
        let Some((entry, clause, nparams, rest)) = self.find_restart_clause(name) else {
            return RtError::with_data(
                "error",
                format!("invoke-restart: no restart named {name} is available"),
                Value::Symbol(name),
            );
        };
        self.transfer_to_restart(entry, clause, name, nparams, rest, args)
    }

    /// The transfer to clause `clause` (restart `name`) of entry `entry`,
    /// once its arguments are counted.
    fn transfer_to_restart(
        &mut self,
        entry: usize,
        clause: usize,
        name: Sym,
        nparams: usize,
        rest: bool,
        args: &[Value],
    ) -> RtError {
        if args.len() < nparams || (!rest && args.len() > nparams) {
            let max = (!rest).then_some(nparams);
            let who = format!("restart {name}");
            return RtError::wrong_arg_count(who, nparams, max, args.len());
        }
        self.start_transfer(UnwindTarget::Clause { entry, clause }, args)
    }

    /// Converts an error that reached the host into its Rust form.
    pub fn host_error(&mut self, e: RtError) -> ElleError {
        if let RtError::Exit(code) = e {
            return ElleError {
                ctype: "exit".into(),
                message: format!("exit {code}"),
                data: None,
                trace: Box::default(),
                frames_left_out: 0,
                restarts: Box::default(),
                exit_code: Some(code),
            };
        }
        let cond = self.condition_from_error(e);
        let c = self.as_condition(cond).cloned();
        match c {
            Some(c) => {
                let data = match c.data {
                    Value::Nil => None,
                    d => Some(crate::printer::write_string(self, d)),
                };
                ElleError {
                    ctype: c.ctype.name().to_string(),
                    message: self.condition_message(&c).to_string(),
                    data,
                    trace: c.trace.frames().iter().map(|t| t.to_string()).collect(),
                    frames_left_out: c.trace.frames_left_out(),
                    restarts: c.restarts.iter().map(|r| r.name().to_string()).collect(),
                    exit_code: None,
                }
            }
            None => ElleError {
                ctype: "error".into(),
                message: "unknown error".into(),
                data: None,
                trace: Box::default(),
                frames_left_out: 0,
                restarts: Box::default(),
                exit_code: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(vm: &mut Vm, src: &str) -> String {
        match vm.eval_source(src, "t") {
            Ok(v) => crate::printer::display_string(vm, v),
            Err(e) => panic!("{src}: {e}"),
        }
    }

    #[test]
    fn each_entry_links_to_the_nearest_entry_a_signal_looks_at() {
        let mut vm = Vm::bare();
        let finally = HandlerInfo::Finally { target: 0 };
        let restarts = HandlerInfo::Restarts {
            clauses: Vec::new(),
        };
        let catch = HandlerInfo::Catch {
            clauses: Vec::new(),
            cond_reg: 0,
        };
        let bind = HandlerInfo::Bind {
            clauses: Vec::new(),
        };
        for desc in [&finally, &catch, &finally, &restarts, &bind, &finally] {
            vm.push_handler(0, 0, desc);
        }
        let links: Vec<usize> = vm.handlers.iter().map(|h| h.searched).collect();
        // Index plus one of the catch (1) and the handler-bind (4); none
        // below the first entry.
        assert_eq!(links, [0, 2, 2, 2, 5, 5]);
    }

    #[test]
    fn exit_in_a_finally_leaves_nothing_parked() {
        let mut vm = Vm::new();
        let r = vm.eval_source("(try (error \"x\") (finally (exit 3)))", "t");
        assert_eq!(r.err().and_then(|e| e.exit_code), Some(3));
        assert!(vm.pending_unwinds.is_empty());
        assert!(vm.handlers.is_empty() && vm.frames.is_empty());
        let src = "(try (try (error \"y\") (finally 1)) (catch e (condition-message e)))";
        assert_eq!(message(&mut vm, src), "y");
    }

    #[test]
    fn an_uncaught_error_leaves_the_vm_ready_for_more() {
        let mut vm = Vm::new();
        let src = "(restart-case (handler-bind ((error (fn (c) nil))) (try (car 1) (finally 2))) (r () 0))";
        let e = vm
            .eval_source(src, "t")
            .err()
            .map(|e| (e.ctype, e.restarts.to_vec()));
        assert_eq!(e, Some(("type-error".to_string(), vec!["r".to_string()])));
        assert!(vm.handlers.is_empty() && vm.frames.is_empty() && vm.pending_unwinds.is_empty());
        assert_eq!(
            message(&mut vm, "(handler-case (/ 1 0) (error (c) :ok))"),
            ":ok"
        );
    }

    #[test]
    fn the_debugger_runs_at_the_signal_point_and_may_invoke_a_restart() {
        let mut vm = Vm::new();
        let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let log = seen.clone();
        vm.set_debugger(Some(std::rc::Rc::new(move |vm: &mut Vm, cond: Value| {
            let ctype = vm.as_condition(cond).map(|c| c.ctype.name().to_string());
            // The frames are live: no cleanup has run yet.
            let cleaned = vm.get_global("cleaned").is_some_and(|v| v.is_truthy());
            // The suspended computation's handlers do not catch errors of
            // code evaluated here.
            let inner = if ctype.as_deref() == Some("division-by-zero") {
                vm.eval_source_rt("(car 1)", "dbg")
                    .err()
                    .map(|e| vm.host_error(e).ctype)
            } else {
                None
            };
            let restarts = vm.restarts().len();
            let divide = ctype.as_deref() == Some("division-by-zero");
            log.borrow_mut().push((ctype, cleaned, inner, restarts));
            if divide {
                Err(vm.invoke_restart_at(0, &[Value::Int(5)]))
            } else {
                Ok(())
            }
        })));
        let src = "(define cleaned false)
            (+ 1 (restart-case
                   (handler-case (try (/ 1 0) (finally (set! cleaned true)))
                     (type-error (c) :wrong))
                   (use-value (v) v)))";
        assert_eq!(message(&mut vm, src), "6");
        assert_eq!(message(&mut vm, "cleaned"), "#t");
        // Declining: the error leaves the program as without a debugger.
        let e = vm
            .eval_source("(vector-ref [] 1)", "t")
            .err()
            .map(|e| e.ctype);
        assert_eq!(e.as_deref(), Some("index-error"));
        let log = seen.borrow();
        assert_eq!(log.len(), 3, "the inner (car 1) enters it too: {log:?}");
        // Entered for (/ 1 0), then for the (car 1) evaluated inside it
        // (which declines), then for the vector-ref.
        assert_eq!(log[0].0.as_deref(), Some("type-error"));
        assert_eq!(log[1].0.as_deref(), Some("division-by-zero"));
        assert!(!log[1].1, "nothing unwound before the debugger ran");
        assert_eq!(
            log[1].2.as_deref(),
            Some("type-error"),
            "not caught by :wrong"
        );
        assert_eq!(log[1].3, 1);
        assert_eq!(log[2].0.as_deref(), Some("index-error"));
        assert!(vm.handlers.is_empty() && vm.frames.is_empty() && vm.pending_unwinds.is_empty());
    }

    #[test]
    fn restarts_by_number_reach_a_shadowed_restart_of_the_same_name() {
        let mut vm = Vm::new();
        vm.set_debugger(Some(std::rc::Rc::new(|vm: &mut Vm, _: Value| {
            let names: Vec<String> = vm
                .restarts()
                .iter()
                .map(|r| format!("{}/{}{}", r.name, r.params, if r.rest { "+" } else { "" }))
                .collect();
            assert_eq!(names, ["retry/0", "retry/1", "many/0+"]);
            // No restart 4; restart 2 needs its argument.
            assert!(!vm.invoke_restart_at(3, &[]).is_transfer_to_clause());
            assert!(!vm.invoke_restart_at(1, &[]).is_transfer_to_clause());
            Err(vm.invoke_restart_at(1, &[Value::Int(2)]))
        })));
        let src = "(restart-case
                     (list :inner (restart-case (car 1) (retry () :inner-retry)))
                     (retry (x) (list :outer x))
                     (many (& xs) xs))";
        assert_eq!(message(&mut vm, src), "(:outer 2)");
    }
}
