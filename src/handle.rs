//! [`Handle`]: an Elle value the host keeps across calls and collections.

use elle_vm::Value;
use elle_vm::host::Root;

use crate::convert::{Context, FromElle, IntoArgs, IntoElle};
use crate::{Engine, Error};

/// An Elle value held by the host: it stays alive, whatever the script does
/// and however often the collector runs, for as long as the handle lives
/// (it is a root of its engine's heap), and is let go when the handle is
/// dropped. Get one by converting any value to it
/// ([`Engine::eval`], [`Engine::get`], [`Engine::call`], or as an argument
/// of a registered function); pass it back to Elle like any value.
///
/// A handle belongs to the engine that made it; using it with another is
/// an `error` condition.
///
/// ```
/// use elle::{Engine, Handle};
/// let mut engine = Engine::new();
/// let list: Handle = engine.eval("(list 1 2 3)")?;
/// engine.eval::<()>("(define junk (map (fn (i) (list i i)) (range 100000)))")?;
/// engine.collect_garbage();
/// assert_eq!(list.get::<Vec<i64>>(&mut engine)?, [1, 2, 3]);
/// engine.set("again", &list)?;
/// assert_eq!(engine.eval::<i64>("(length again)")?, 3);
/// # Ok::<(), elle::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Handle {
    root: Root,
}

impl Handle {
    /// The value converted to `T`.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let h: elle::Handle = engine.eval("\"text\"")?;
    /// assert_eq!(h.get::<String>(&mut engine)?, "text");
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn get<T: FromElle>(&self, engine: &mut Engine) -> Result<T, Error> {
        engine.with_context(|cx| {
            let v = self.value(cx)?;
            T::from_elle(v, cx)
        })
    }

    /// Calls the value (a function) with `args` and converts the result.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let square: elle::Handle = engine.eval("(fn (x) (* x x))")?;
    /// assert_eq!(square.call::<i64>(&mut engine, (7,))?, 49);
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn call<R: FromElle>(&self, engine: &mut Engine, args: impl IntoArgs) -> Result<R, Error> {
        let f = engine.with_context(|cx| self.value(cx))?;
        engine.call_value(f, args)
    }

    /// The raw value, once it is known to belong to `cx`'s engine.
    fn value(&self, cx: &Context<'_>) -> Result<Value, Error> {
        self.root.get(cx.vm).ok_or_else(|| {
            Error::new(
                "error",
                "a handle was used with another engine than its own",
            )
        })
    }
}

/// Roots the value.
impl FromElle for Handle {
    fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<Handle, Error> {
        Ok(Handle {
            root: cx.vm.root(v),
        })
    }
}

impl IntoElle for &Handle {
    fn into_elle(self, cx: &mut Context<'_>) -> Result<Value, Error> {
        self.value(cx)
    }
}

impl IntoElle for Handle {
    fn into_elle(self, cx: &mut Context<'_>) -> Result<Value, Error> {
        self.value(cx)
    }
}
