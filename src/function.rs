//! Rust functions and closures as Elle functions: [`HostFn`], the typed
//! calling convention behind [`Engine::register_fn`](crate::Engine::register_fn).

use elle_vm::Value;

use crate::Error;
use crate::convert::{Context, FromElle, IntoElle};

/// A Rust function or closure that Elle code can call, with typed
/// arguments and result. It is implemented for every `Fn(A1, ..., An) -> R`
/// (`n` up to 8) whose arguments have [`FromElle`] and whose result has
/// [`IntoResult`]; there is no need to implement it by hand.
///
/// The call is arity-checked (an `arity-error` naming the function); an
/// argument that does not convert raises a `type-error` naming the function
/// and the argument's position, such as `add: argument 2: expected an
/// integer (i64), got string "x"`.
///
/// ```
/// let mut engine = elle::Engine::new();
/// engine.register_fn("add", |a: i64, b: i64| a + b);
/// assert_eq!(engine.eval::<i64>("(add 2 3)")?, 5);
/// let e = engine.eval::<i64>("(add 2 \"x\")").unwrap_err();
/// assert_eq!(e.condition_type(), "type-error");
/// assert_eq!(e.message(), "add: argument 2: expected an integer (i64), got string \"x\"");
/// let e = engine.eval::<i64>("(add 2)").unwrap_err();
/// assert_eq!((e.condition_type(), e.message()), ("arity-error", "add: expected 2 arguments, got 1"));
/// # Ok::<(), elle::Error>(())
/// ```
pub trait HostFn<Args, R>: 'static {
    /// How many arguments it takes.
    const ARITY: u32;

    /// Converts the arguments, calls the function and converts its result;
    /// `name` is the function's Elle name, for error messages.
    fn call_with(&self, name: &str, cx: &mut Context<'_>, args: &[Value]) -> Result<Value, Error>;
}

/// What a registered function may return: any value with [`IntoElle`], or a
/// `Result` whose `Err` is raised in Elle as a condition of type `error`
/// whose message is the error's `Display` (Elle code can catch it with
/// `try`).
///
/// ```
/// let mut engine = elle::Engine::new();
/// engine.register_fn("parse", |s: String| s.parse::<i64>());
/// assert_eq!(engine.eval::<i64>("(parse \"42\")")?, 42);
/// let caught: String = engine.eval("(try (parse \"x\") (catch e (condition-message e)))")?;
/// assert_eq!(caught, "invalid digit found in string");
/// # Ok::<(), elle::Error>(())
/// ```
pub trait IntoResult {
    /// The Elle value, or the condition to raise.
    fn into_result(self, name: &str, cx: &mut Context<'_>) -> Result<Value, Error>;
}

impl<T: IntoElle> IntoResult for T {
    fn into_result(self, name: &str, cx: &mut Context<'_>) -> Result<Value, Error> {
        self.into_elle(cx)
            .map_err(|e| e.in_context(format_args!("{name}: result")))
    }
}

impl<T: IntoElle, E: std::fmt::Display> IntoResult for Result<T, E> {
    fn into_result(self, name: &str, cx: &mut Context<'_>) -> Result<Value, Error> {
        match self {
            Ok(v) => v.into_result(name, cx),
            Err(e) => Err(Error::new("error", e.to_string())),
        }
    }
}

/// Argument `i` (from 0) converted, or the error naming it (from 1).
fn argument<T: FromElle>(
    name: &str,
    cx: &mut Context<'_>,
    args: &[Value],
    i: usize,
) -> Result<T, Error> {
    T::from_elle(args[i], cx).map_err(|e| e.in_context(format_args!("{name}: argument {}", i + 1)))
}

macro_rules! host_fns {
    ($($n:literal: ($($t:ident $i:tt),*);)*) => {$(
        impl<Func, Res, $($t),*> HostFn<($($t,)*), Res> for Func
        where
            Func: Fn($($t),*) -> Res + 'static,
            Res: IntoResult,
            $($t: FromElle,)*
        {
            const ARITY: u32 = $n;

            #[allow(unused_variables)]
            fn call_with(
                &self,
                name: &str,
                cx: &mut Context<'_>,
                args: &[Value],
            ) -> Result<Value, Error> {
                // The VM checked the count against `ARITY` before the call.
                (self)($(argument::<$t>(name, cx, args, $i)?),*).into_result(name, cx)
            }
        }
    )*};
}

host_fns! { 0: (); }
for_tuples!(host_fns);
