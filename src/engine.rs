//! [`Engine`] and its [`Builder`]: running Elle code from a Rust program.

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use elle_vm::capabilities::{Capabilities, Capability};
use elle_vm::tier::{DEFAULT_THRESHOLD, JitMode};
use elle_vm::{RtError, Value, Vm};

use crate::Error;
use crate::InterruptHandle;
use crate::convert::{Context, FromElle, IntoArgs, IntoElle};
use crate::function::{HostFn, IntoResult};

/// The source name of code run by [`Engine::eval`], as traces show it.
pub const EVAL_NAME: &str = "<eval>";

/// An Elle interpreter for a Rust program: evaluate source, call Elle
/// functions with Rust arguments, register Rust functions, read and set
/// globals, and collect the results as Rust values.
///
/// ```
/// let mut engine = elle::Engine::new();
/// engine.eval::<()>("(define (greet name) (string-append \"hello, \" name))")?;
/// let s: String = engine.call("greet", ("world",))?;
/// assert_eq!(s, "hello, world");
/// # Ok::<(), elle::Error>(())
/// ```
///
/// An engine is single-threaded (it is neither `Send` nor `Sync`); an
/// [`InterruptHandle`] stops its script from another thread. Fuel
/// ([`Engine::set_fuel`]) and a time limit ([`Engine::set_time_limit`])
/// bound how long a script runs, a memory limit
/// ([`Engine::set_memory_limit`]) how much it holds; capabilities
/// ([`Builder::capability`], [`Engine::sandboxed`]) say whether it may use
/// files, foreign functions, `exit`, the environment and output.
pub struct Engine {
    pub(crate) vm: Vm,
    /// How long each call into the engine may run.
    time_limit: Option<Duration>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

impl Engine {
    /// An engine with the default settings (see [`Builder`]).
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// assert_eq!(engine.eval::<i64>("(+ 1 2)")?, 3);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn new() -> Engine {
        Engine::builder().build()
    }

    /// An engine for untrusted scripts: no files, no foreign functions, no
    /// `exit` and no environment (output stays; see
    /// [`Capabilities::sandbox`]). File primitives raise `io-error`, `exit`
    /// raises `capability-error` and `getenv` is nil. Combine with limits
    /// through [`Builder::sandbox`].
    ///
    /// ```
    /// let mut engine = elle::Engine::sandboxed();
    /// let e = engine.eval::<()>(r#"(read-file "/etc/passwd")"#).unwrap_err();
    /// assert_eq!(e.condition_type(), "io-error");
    /// let e = engine.eval::<()>("(exit 3)").unwrap_err();
    /// assert_eq!(e.condition_type(), "capability-error");
    /// assert_eq!(engine.eval::<i64>("(+ 1 2)")?, 3);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn sandboxed() -> Engine {
        Engine::builder().sandbox().build()
    }

    /// A builder to choose the engine's settings.
    ///
    /// ```
    /// let mut engine = elle::Engine::builder().max_depth(100).build();
    /// let e = engine.eval::<()>("(define (f n) (+ 1 (f n))) (f 0)").unwrap_err();
    /// assert_eq!(e.condition_type(), "stack-overflow");
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Reads and runs `src`; the value of the last form, converted to `T`
    /// (`()` ignores it). Errors name the source `<eval>`.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let v: Vec<String> = engine.eval("(map string-upcase '(\"a\" \"b\"))")?;
    /// assert_eq!(v, ["A", "B"]);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn eval<T: FromElle>(&mut self, src: &str) -> Result<T, Error> {
        self.eval_named(EVAL_NAME, src)
    }

    /// [`Engine::eval`] with the source named `name` in error traces.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let e = engine.eval_named::<()>("config", "\n(car 1)").unwrap_err();
    /// assert_eq!(e.trace(), ["<top> (config:2:1)"]);
    /// ```
    pub fn eval_named<T: FromElle>(&mut self, name: &str, src: &str) -> Result<T, Error> {
        self.start_call();
        let v = self.vm.eval_source(src, name).map_err(Error::from_vm)?;
        self.convert(v)
    }

    /// Runs a file; `(import "x")` in it resolves against its folder.
    ///
    /// ```
    /// let path = std::env::temp_dir().join("elle-doc-eval-file.lisp");
    /// std::fs::write(&path, "(define answer 42)\n(* answer 2)")?;
    /// let mut engine = elle::Engine::new();
    /// assert_eq!(engine.eval_file::<i64>(&path)?, 84);
    /// assert_eq!(engine.get::<i64>("answer")?, 42);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn eval_file<T: FromElle>(&mut self, path: impl AsRef<Path>) -> Result<T, Error> {
        self.start_call();
        let r = self.vm.load_file(path.as_ref());
        self.vm.flush_output();
        let v = r.map_err(|e| self.host_error(e))?;
        self.convert(v)
    }

    /// Calls the global function `name` with `args` (a tuple, see
    /// [`IntoArgs`]) and converts its result.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// engine.eval::<()>("(define (avg a b) (/ (+ a b) 2.0))")?;
    /// assert_eq!(engine.call::<f64>("avg", (1, 2))?, 1.5);
    /// let e = engine.call::<f64>("nope", ()).unwrap_err();
    /// assert_eq!((e.condition_type(), e.message()), ("unbound-variable", "unbound variable: nope"));
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn call<R: FromElle>(&mut self, name: &str, args: impl IntoArgs) -> Result<R, Error> {
        let f = self.global(name)?;
        self.call_value(f, args)
    }

    /// Calls the function `f` (not yet rooted: nothing may run Elle code
    /// before the call roots it).
    pub(crate) fn call_value<R: FromElle>(
        &mut self,
        f: Value,
        args: impl IntoArgs,
    ) -> Result<R, Error> {
        let args = self.with_context(|cx| args.into_args(cx))?;
        self.start_call();
        let r = self.vm.call_value(f, &args);
        self.vm.flush_output();
        let v = r.map_err(|e| self.host_error(e))?;
        self.convert(v)
    }

    /// The value of the global `name`, converted to `T`; an
    /// `unbound-variable` error when it has none.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// engine.eval::<()>("(define limits {:low 1 :high 9})")?;
    /// let m: std::collections::HashMap<String, i64> = engine.get("limits")?;
    /// assert_eq!((m["low"], m["high"]), (1, 9));
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn get<T: FromElle>(&mut self, name: &str) -> Result<T, Error> {
        let v = self.global(name)?;
        self.convert(v)
    }

    /// Defines (or redefines) the global `name` as `value`.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// engine.set("scores", vec![3, 5, 8])?;
    /// engine.set("player", Some("ada"))?;
    /// assert_eq!(engine.eval::<i64>("(apply + scores)")?, 16);
    /// assert_eq!(engine.eval::<String>("player")?, "ada");
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn set(&mut self, name: &str, value: impl IntoElle) -> Result<(), Error> {
        let v = self.with_context(|cx| value.into_elle(cx))?;
        self.vm.define_global(name, v);
        Ok(())
    }

    /// Registers a Rust function or closure as the Elle function `name`
    /// (see [`HostFn`] for the conversions and errors). A closure may own
    /// state, or share it with the host through `Rc<RefCell<..>>`.
    /// Registering a name again replaces the function. A panic in the
    /// function unwinds through the engine to the host, which should not use
    /// the engine afterwards (it may be left in the middle of a call).
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// let mut engine = elle::Engine::new();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// let sink = log.clone();
    /// engine.register_fn("log!", move |line: String| sink.borrow_mut().push(line));
    /// engine.eval::<()>("(log! \"one\") (log! \"two\")")?;
    /// assert_eq!(*log.borrow(), ["one", "two"]);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn register_fn<Args, R, F>(&mut self, name: &str, f: F)
    where
        F: HostFn<Args, R>,
        R: IntoResult,
    {
        let shown = name.to_string();
        let native = move |vm: &mut Vm, args: &[Value]| {
            f.call_with(&shown, &mut Context::new(vm), args)
                .map_err(Error::into_rt)
        };
        self.vm
            .define_native_closure(name, F::ARITY, Some(F::ARITY), Rc::new(native));
    }

    /// Collects garbage now: everything not reachable from the globals or a
    /// live [`Handle`](crate::Handle) is freed (the engine also collects by
    /// itself while scripts run). Raw [`Value`]s the host kept are not
    /// roots and may be freed.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// engine.eval::<()>("(map (fn (i) (list i)) (range 1000))")?;
    /// engine.collect_garbage();
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn collect_garbage(&mut self) {
        self.vm.collect_garbage();
    }

    /// Approximately how many bytes the engine's heap holds: live objects,
    /// and garbage not collected yet.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let before = engine.heap_bytes();
    /// engine.eval::<()>("(define v (make-vector 1000 0))")?;
    /// assert!(engine.heap_bytes() >= before + 16_000);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn heap_bytes(&self) -> usize {
        self.vm.heap().bytes()
    }

    /// Runs `f` with a conversion [`Context`], to convert values outside a
    /// call: for example to build a raw [`Value`] or an [`Error`].
    ///
    /// ```
    /// use elle::IntoElle;
    /// let mut engine = elle::Engine::new();
    /// let v = engine.with_context(|cx| vec![1, 2].into_elle(cx))?;
    /// engine.set("pair", v)?;
    /// assert_eq!(engine.eval::<i64>("(length pair)")?, 2);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn with_context<R>(&mut self, f: impl FnOnce(&mut Context<'_>) -> R) -> R {
        f(&mut Context::new(&mut self.vm))
    }

    /// Sends what `print`, `println`, `display`, `write` and `newline`
    /// write to `out` from now on (the earlier output is flushed first).
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let out = elle::OutputBuffer::new();
    /// engine.set_output(out.clone());
    /// engine.eval::<()>("(println \"hi\" 42)")?;
    /// assert_eq!(out.contents(), "hi 42\n");
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn set_output(&mut self, out: impl Write + 'static) {
        self.vm.flush_output();
        let held = OutputBuffer::held_of(&out);
        self.vm.set_output(Box::new(out));
        self.vm.set_output_held(held);
    }

    /// Sets the fuel: how many check points (loop iterations and calls)
    /// scripts may pass from now on, all calls together; `None` removes the
    /// limit (the default). A script that runs out stops with the condition
    /// `fuel-exhausted`, which no handler in the script can catch (its
    /// `finally` cleanups run); the engine stays usable, and more fuel lets
    /// it run again. Code the JIT compiles while fuel is limited counts the
    /// same check points.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// engine.set_fuel(Some(10_000));
    /// let e = engine.eval::<()>("(try (let loop () (loop)) (catch e :caught))").unwrap_err();
    /// assert_eq!((e.condition_type(), e.message()), ("fuel-exhausted", "fuel exhausted"));
    /// assert_eq!(engine.fuel_remaining(), Some(0));
    /// engine.add_fuel(100);
    /// assert_eq!(engine.eval::<i64>("(+ 1 2)")?, 3);
    /// engine.set_fuel(None);
    /// assert_eq!(engine.fuel_remaining(), None);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.vm.limits_mut().set_fuel(fuel);
    }

    /// Adds fuel to what is left (with no limit set, sets one of `fuel`).
    ///
    /// ```
    /// let mut engine = elle::Engine::builder().fuel(5).build();
    /// engine.add_fuel(10);
    /// assert_eq!(engine.fuel_remaining(), Some(15));
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn add_fuel(&mut self, fuel: u64) {
        let left = self.fuel_remaining().unwrap_or(0);
        self.set_fuel(Some(left.saturating_add(fuel)));
    }

    /// The fuel left, or `None` when fuel is unlimited.
    ///
    /// ```
    /// let mut engine = elle::Engine::builder().fuel(1000).build();
    /// engine.eval::<()>("(define (f n) (if (= n 0) 0 (f (- n 1)))) (f 10)")?;
    /// let left = engine.fuel_remaining().unwrap();
    /// assert!(left < 1000 && left > 900, "{left}");
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn fuel_remaining(&self) -> Option<u64> {
        self.vm.limits().fuel()
    }

    /// Sets how long each call into the engine (`eval`, `eval_file`,
    /// `call`, a [`Handle`](crate::Handle)'s call) may run, measured from
    /// its start; `None` removes the limit (the default). Past it the
    /// script stops with the condition `interrupted` ("deadline passed"),
    /// which no handler in the script can catch. Replaces a deadline set
    /// with [`Engine::set_deadline`]. Code the JIT compiles while a time
    /// limit is set passes the same check points, where the clock is read.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut engine = elle::Engine::new();
    /// engine.set_time_limit(Some(Duration::from_millis(20)));
    /// let e = engine.eval::<()>("(let loop () (loop))").unwrap_err();
    /// assert_eq!((e.condition_type(), e.message()), ("interrupted", "deadline passed"));
    /// assert_eq!(engine.eval::<i64>("(* 6 7)")?, 42);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn set_time_limit(&mut self, limit: Option<Duration>) {
        self.time_limit = limit;
        if limit.is_none() {
            self.vm.limits_mut().set_deadline(None);
        }
    }

    /// Sets a wall-clock deadline for everything the engine runs from now
    /// on (`None` removes it); past it, scripts stop with the condition
    /// `interrupted` ("deadline passed"). Replaces a time limit set with
    /// [`Engine::set_time_limit`].
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let mut engine = elle::Engine::new();
    /// engine.set_deadline(Some(Instant::now() + Duration::from_millis(20)));
    /// let e = engine.eval::<()>("(define (f) (f)) (f)").unwrap_err();
    /// assert_eq!(e.condition_type(), "interrupted");
    /// engine.set_deadline(None);
    /// assert_eq!(engine.eval::<i64>("(+ 1 1)")?, 2);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.time_limit = None;
        self.vm.limits_mut().set_deadline(deadline);
    }

    /// A handle that stops the running script from another thread (see
    /// [`InterruptHandle`]).
    ///
    /// ```
    /// let engine = elle::Engine::new();
    /// let handle = engine.interrupt_handle();
    /// std::thread::spawn(move || handle.interrupt()).join().unwrap();
    /// ```
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            flag: self.vm.limits().interrupt_flag(),
        }
    }

    /// Caps the bytes the engine's heap and value stack hold (`None`: no
    /// cap, the default). Strings, vectors, tables, lists, closures, code
    /// made by `eval` and condition traces count, as estimates of what they
    /// take (payload capacity and a slot each); a built-in checks a large
    /// request before it is made. Past the cap, once a collection has freed
    /// what it can, the script stops with `memory-limit`, which no handler
    /// in the script can catch (its `finally` cleanups run); the engine
    /// stays usable. What a new engine holds (the prelude, about 1 MB)
    /// counts too.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// engine.set_memory_limit(Some(8 << 20));
    /// let bomb = "(define (grow s) (grow (string-append s s))) (grow \"ab\")";
    /// let e = engine.eval::<()>(bomb).unwrap_err();
    /// assert_eq!(e.condition_type(), "memory-limit");
    /// assert_eq!(engine.memory_limit(), Some(8 << 20));
    /// assert_eq!(engine.eval::<i64>("(length (range 100))")?, 100);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn set_memory_limit(&mut self, bytes: Option<usize>) {
        self.vm.set_memory_limit(bytes);
    }

    /// The memory limit in bytes, if one is set.
    ///
    /// ```
    /// let engine = elle::Engine::builder().memory_limit(64 << 20).build();
    /// assert_eq!(engine.memory_limit(), Some(64 << 20));
    /// ```
    pub fn memory_limit(&self) -> Option<usize> {
        self.vm.memory_limit()
    }

    /// The capabilities the engine's scripts have.
    ///
    /// ```
    /// use elle::Capability;
    /// assert!(elle::Engine::new().capabilities().has(Capability::Files));
    /// assert!(!elle::Engine::sandboxed().capabilities().has(Capability::Files));
    /// ```
    pub fn capabilities(&self) -> Capabilities {
        self.vm.capabilities()
    }

    /// Grants the engine's scripts exactly `caps` from now on.
    ///
    /// ```
    /// use elle::{Capabilities, Capability};
    /// let mut engine = elle::Engine::new();
    /// engine.set_capabilities(Capabilities::all().with(Capability::Output, false));
    /// let e = engine.eval::<()>("(print 1)").unwrap_err();
    /// assert_eq!(e.condition_type(), "io-error");
    /// ```
    pub fn set_capabilities(&mut self, caps: Capabilities) {
        self.vm.set_capabilities(caps);
    }

    /// Starts a call from the host: the time limit counts from now.
    fn start_call(&mut self) {
        if let Some(limit) = self.time_limit {
            // A limit too far to represent is no limit.
            let deadline = Instant::now().checked_add(limit);
            self.vm.limits_mut().set_deadline(deadline);
        }
    }

    /// The global's value, or `unbound-variable`.
    fn global(&mut self, name: &str) -> Result<Value, Error> {
        match self.vm.get_global(name) {
            Some(v) => Ok(v),
            None => Err(self.host_error(RtError::of(
                elle_vm::symbol::sym::UNBOUND_VARIABLE,
                format!("unbound variable: {name}"),
            ))),
        }
    }

    /// A value just returned by the VM, converted before anything else runs.
    fn convert<T: FromElle>(&mut self, v: Value) -> Result<T, Error> {
        self.with_context(|cx| T::from_elle(v, cx))
    }

    fn host_error(&mut self, e: RtError) -> Error {
        Error::from_vm(self.vm.host_error(e))
    }
}

/// Settings for an [`Engine`], from [`Engine::builder`]; every one has a
/// default, so `Engine::builder().build()` is `Engine::new()`.
///
/// ```
/// use elle::{Engine, JitMode, OutputBuffer};
/// let out = OutputBuffer::new();
/// let mut engine = Engine::builder()
///     .jit(JitMode::Off)
///     .max_depth(10_000)
///     .output(out.clone())
///     .build();
/// engine.eval::<()>("(display \"ok\")")?;
/// assert_eq!(out.contents(), "ok");
/// # Ok::<(), elle::Error>(())
/// ```
pub struct Builder {
    jit: JitMode,
    max_depth: usize,
    output: Option<Box<dyn Write>>,
    /// How much `output` keeps in memory, when it is an [`OutputBuffer`].
    output_held: Option<Rc<dyn Fn() -> usize>>,
    diagnostics: Option<Box<dyn Write>>,
    command_line: Vec<String>,
    gc_stress: bool,
    fuel: Option<u64>,
    time_limit: Option<Duration>,
    memory_limit: Option<usize>,
    capabilities: Capabilities,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder {
            jit: JitMode::Auto(DEFAULT_THRESHOLD),
            max_depth: elle_vm::vm::DEFAULT_MAX_DEPTH,
            output: None,
            output_held: None,
            diagnostics: None,
            command_line: Vec::new(),
            gc_stress: false,
            fuel: None,
            time_limit: None,
            memory_limit: None,
            capabilities: Capabilities::all(),
        }
    }
}

impl Builder {
    /// When functions are compiled to machine code: `JitMode::Auto(n)`
    /// after `n` calls or loop iterations (the default, `n` = 1000),
    /// `JitMode::Eager` at once, `JitMode::Off` never.
    ///
    /// ```
    /// let mut engine = elle::Engine::builder().jit(elle::JitMode::Eager).build();
    /// assert_eq!(engine.eval::<i64>("(define (sq x) (* x x)) (sq 12)")?, 144);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn jit(mut self, mode: JitMode) -> Builder {
        self.jit = mode;
        self
    }

    /// The limit on nested (non-tail) calls, 100,000 by default; deeper is
    /// a `stack-overflow` condition.
    ///
    /// ```
    /// let mut engine = elle::Engine::builder().max_depth(50).build();
    /// let e = engine.eval::<()>("(define (f n) (if (= n 0) 0 (+ 1 (f (- n 1))))) (f 60)");
    /// assert_eq!(e.unwrap_err().condition_type(), "stack-overflow");
    /// assert_eq!(engine.eval::<i64>("(f 40)")?, 40);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn max_depth(mut self, depth: usize) -> Builder {
        self.max_depth = depth;
        self
    }

    /// Where `print`, `println`, `display`, `write` and `newline` write
    /// (stdout, buffered and flushed after each call into the engine, by
    /// default). An [`OutputBuffer`] captures it.
    ///
    /// ```
    /// let out = elle::OutputBuffer::new();
    /// let mut engine = elle::Engine::builder().output(out.clone()).build();
    /// engine.eval::<()>("(write \"q\") (newline)")?;
    /// assert_eq!(out.take(), "\"q\"\n");
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn output(mut self, out: impl Write + 'static) -> Builder {
        self.output_held = OutputBuffer::held_of(&out);
        self.output = Some(Box::new(out));
        self
    }

    /// Where diagnostics go: `debug-print`, `trace` and unhandled `warn`
    /// lines (stderr by default).
    ///
    /// ```
    /// let diag = elle::OutputBuffer::new();
    /// let mut engine = elle::Engine::builder().diagnostics(diag.clone()).build();
    /// engine.eval::<()>("(warn \"careful\") (debug-print 7)")?;
    /// assert_eq!(diag.contents(), "warning: careful\n[DEBUG] 7\n");
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn diagnostics(mut self, out: impl Write + 'static) -> Builder {
        self.diagnostics = Some(Box::new(out));
        self
    }

    /// What `(command-line)` returns (empty by default).
    ///
    /// ```
    /// let args = vec!["-v".to_string()];
    /// let mut engine = elle::Engine::builder().command_line(args).build();
    /// assert_eq!(engine.eval::<Vec<String>>("(command-line)")?, ["-v"]);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn command_line(mut self, args: Vec<String>) -> Builder {
        self.command_line = args;
        self
    }

    /// Collects at nearly every safe point and keeps freed slots poisoned,
    /// so that a value held without a root fails loudly: for testing code
    /// that holds values (the `ELLE_GC_STRESS` mode). Slow.
    ///
    /// ```
    /// let mut engine = elle::Engine::builder().gc_stress(true).build();
    /// assert_eq!(engine.eval::<usize>("(length (map list (range 10)))")?, 10);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn gc_stress(mut self, on: bool) -> Builder {
        self.gc_stress = on;
        self
    }

    /// Limits the fuel of the engine's scripts (see [`Engine::set_fuel`]).
    ///
    /// ```
    /// let mut engine = elle::Engine::builder().fuel(1000).build();
    /// let e = engine.eval::<()>("(define (f n) (f (+ n 1))) (f 0)").unwrap_err();
    /// assert_eq!(e.condition_type(), "fuel-exhausted");
    /// ```
    pub fn fuel(mut self, fuel: u64) -> Builder {
        self.fuel = Some(fuel);
        self
    }

    /// Limits how long each call into the engine may run (see
    /// [`Engine::set_time_limit`]).
    ///
    /// ```
    /// let mut engine = elle::Engine::builder()
    ///     .time_limit(std::time::Duration::from_millis(10))
    ///     .build();
    /// let e = engine.eval::<()>("(while true nil)").unwrap_err();
    /// assert_eq!(e.condition_type(), "interrupted");
    /// ```
    pub fn time_limit(mut self, limit: Duration) -> Builder {
        self.time_limit = Some(limit);
        self
    }

    /// Caps the bytes the engine holds (see [`Engine::set_memory_limit`]).
    ///
    /// ```
    /// let mut engine = elle::Engine::builder().memory_limit(16 << 20).build();
    /// let e = engine
    ///     .eval::<()>("(try (make-vector 100000000 0) (catch e :caught))")
    ///     .unwrap_err();
    /// assert_eq!(e.condition_type(), "memory-limit");
    /// ```
    pub fn memory_limit(mut self, bytes: usize) -> Builder {
        self.memory_limit = Some(bytes);
        self
    }

    /// Takes away the files, foreign functions, `exit` and the environment
    /// (see [`Engine::sandboxed`]); [`Builder::capability`] after this
    /// grants one back.
    ///
    /// ```
    /// use elle::Capability;
    /// let mut engine = elle::Engine::builder()
    ///     .sandbox()
    ///     .capability(Capability::Env, true)
    ///     .build();
    /// assert!(engine.capabilities().has(Capability::Env));
    /// let e = engine.eval::<()>(r#"(write-file "x.txt" "x")"#).unwrap_err();
    /// assert_eq!(e.condition_type(), "io-error");
    /// ```
    pub fn sandbox(mut self) -> Builder {
        self.capabilities = Capabilities::sandbox();
        self
    }

    /// Grants (`on`) or takes away one capability; an engine has them all
    /// by default.
    ///
    /// ```
    /// use elle::Capability;
    /// let mut engine = elle::Engine::builder().capability(Capability::Exit, false).build();
    /// let e = engine.eval::<()>("(exit 0)").unwrap_err();
    /// assert_eq!(e.condition_type(), "capability-error");
    /// ```
    pub fn capability(mut self, cap: Capability, on: bool) -> Builder {
        self.capabilities = self.capabilities.with(cap, on);
        self
    }

    /// The engine, with the built-in functions and the prelude loaded.
    ///
    /// ```
    /// let engine = elle::Engine::builder().build();
    /// # let _ = engine;
    /// ```
    pub fn build(self) -> Engine {
        let mut vm = Vm::new();
        vm.set_max_depth(self.max_depth);
        vm.set_command_line(self.command_line);
        if self.gc_stress {
            vm.set_gc_stress(true);
        }
        if let Some(out) = self.output {
            vm.set_output(out);
            vm.set_output_held(self.output_held);
        }
        if let Some(out) = self.diagnostics {
            vm.set_diagnostics(out);
        }
        crate::tier::install(&mut vm, self.jit);
        // The FFI (LANGUAGE.md §8): in a sandbox its names are unbound.
        if self.capabilities.has(Capability::Ffi) {
            elle_ffi::install(&mut vm);
        }
        // Set last: loading the prelude uses no fuel.
        vm.limits_mut().set_fuel(self.fuel);
        vm.set_memory_limit(self.memory_limit);
        vm.set_capabilities(self.capabilities);
        Engine {
            vm,
            time_limit: self.time_limit,
        }
    }
}

/// A writer that keeps what is written in memory, to capture an engine's
/// output ([`Builder::output`], [`Engine::set_output`]). Clones share the
/// same buffer: give one to the engine and read through another.
///
/// ```
/// use std::io::Write;
/// let buf = elle::OutputBuffer::new();
/// write!(buf.clone(), "abc")?;
/// assert_eq!(buf.contents(), "abc");
/// assert_eq!(buf.take(), "abc");
/// assert_eq!(buf.contents(), "");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Default, Debug)]
pub struct OutputBuffer {
    bytes: Rc<RefCell<Vec<u8>>>,
}

impl OutputBuffer {
    /// An empty buffer.
    ///
    /// ```
    /// assert_eq!(elle::OutputBuffer::new().contents(), "");
    /// ```
    pub fn new() -> OutputBuffer {
        OutputBuffer::default()
    }

    /// What was written so far (invalid UTF-8 replaced by U+FFFD).
    ///
    /// ```
    /// let buf = elle::OutputBuffer::new();
    /// let mut engine = elle::Engine::builder().output(buf.clone()).build();
    /// engine.eval::<()>("(print 1 2)")?;
    /// assert_eq!(buf.contents(), "1 2");
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.bytes.borrow()).into_owned()
    }

    /// What was written so far, emptying the buffer.
    ///
    /// ```
    /// let buf = elle::OutputBuffer::new();
    /// let mut engine = elle::Engine::builder().output(buf.clone()).build();
    /// engine.eval::<()>("(print 1)")?;
    /// assert_eq!(buf.take(), "1");
    /// engine.eval::<()>("(print 2)")?;
    /// assert_eq!(buf.take(), "2");
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn take(&self) -> String {
        let bytes = std::mem::take(&mut *self.bytes.borrow_mut());
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// For an engine's output: when `out` is an `OutputBuffer`, how to learn
    /// how many bytes it holds (its capacity), which count against the
    /// engine's memory limit until the host takes them.
    fn held_of(out: &(impl Write + 'static)) -> Option<Rc<dyn Fn() -> usize>> {
        let buf = (out as &dyn std::any::Any).downcast_ref::<OutputBuffer>()?;
        let bytes = buf.bytes.clone();
        Some(Rc::new(move || bytes.borrow().capacity()))
    }
}

impl Write for OutputBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
