//! Conversions between Rust values and Elle values: [`IntoElle`] and
//! [`FromElle`], and [`IntoArgs`] for the arguments of a call.
//!
//! | Rust | Elle (into) | accepted from Elle |
//! |---|---|---|
//! | `i8` … `i64`, `u8` … `u64`, `isize`, `usize` | integer (range-checked) | integer in the type's range |
//! | `f64`, `f32` | float | float or integer |
//! | `bool` | boolean | boolean |
//! | `String`, `&str` | string | string (as `String`) |
//! | `Vec<T>` | vector | list or vector |
//! | `HashMap<String, T>` | table | table or struct with string, keyword or symbol keys |
//! | `Option<T>` | nil for `None` | nil as `None` |
//! | `(A, B, …)` up to 8 | list | list or vector of that length |
//! | `()` | nil | anything (ignored) |
//! | [`Value`] | itself | itself (the raw escape hatch) |
//! | [`Handle`](crate::Handle) | its value | any value, rooted |
//!
//! A value of the wrong kind or out of range is a `type-error`.

use std::collections::HashMap;
use std::rc::Rc;

use elle_vm::object::{Key, Obj, new_map};
use elle_vm::{Value, Vm};

use crate::Error;

/// Access to the engine's VM while values are converted: passed to
/// [`IntoElle::into_elle`] and [`FromElle::from_elle`], to hand on to the
/// conversions of the parts of a value. Values are built on its heap, and
/// no collection happens while a conversion runs.
pub struct Context<'a> {
    pub(crate) vm: &'a mut Vm,
}

impl<'a> Context<'a> {
    pub(crate) fn new(vm: &'a mut Vm) -> Context<'a> {
        Context { vm }
    }

    /// The `type-error` for a value that is not what a conversion expected:
    /// `expected WHAT, got TYPE VALUE`.
    ///
    /// ```
    /// use elle::{Engine, Value};
    /// let mut engine = Engine::new();
    /// let v: Value = engine.eval("'sym")?;
    /// let e = engine.with_context(|cx| cx.expected("a colour", v));
    /// assert_eq!(e.condition_type(), "type-error");
    /// assert_eq!(e.message(), "expected a colour, got symbol sym");
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn expected(&self, what: &str, got: Value) -> Error {
        Error::new(
            "type-error",
            format!("expected {what}, got {}", self.describe(got)),
        )
    }

    /// A value as error messages show it: its type and write form
    /// (`string "x"`), or `nil`.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let v: elle::Value = engine.eval("\"x\"")?;
    /// assert_eq!(engine.with_context(|cx| cx.describe(v)), "string \"x\"");
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn describe(&self, v: Value) -> String {
        match v {
            Value::Nil => "nil".to_string(),
            _ => format!("{} {}", self.vm.type_name(v), self.write_form(v)),
        }
    }

    /// The write form of a value, as `write` prints it.
    ///
    /// ```
    /// let mut engine = elle::Engine::new();
    /// let v: elle::Value = engine.eval("(list 1 \"two\" :three)")?;
    /// assert_eq!(engine.with_context(|cx| cx.write_form(v)), "(1 \"two\" :three)");
    /// # Ok::<(), elle::Error>(())
    /// ```
    pub fn write_form(&self, v: Value) -> String {
        elle_vm::printer::write_string(self.vm, v)
    }

    fn object(&self, v: Value) -> Option<&Obj> {
        match v {
            Value::Obj(r) => Some(self.vm.heap().get(r)),
            _ => None,
        }
    }

    /// The items of a list or vector, or `None` for anything else (an
    /// improper list included).
    fn sequence(&self, v: Value) -> Option<Vec<Value>> {
        if let Some(Obj::Vector(items)) = self.object(v) {
            return Some(items.clone());
        }
        self.list_items(v)
    }

    fn list_items(&self, mut v: Value) -> Option<Vec<Value>> {
        let mut items = Vec::new();
        loop {
            match v {
                Value::Nil => return Some(items),
                Value::Obj(r) => match self.vm.heap().get(r) {
                    Obj::Pair(car, cdr) => {
                        items.push(*car);
                        v = *cdr;
                    }
                    _ => return None,
                },
                _ => return None,
            }
        }
    }
}

/// A Rust value that can become an Elle value.
///
/// Implement it for a type of your own by converting to one of the types
/// that have it:
///
/// ```
/// use elle::{Context, Engine, Error, IntoElle, Value};
/// struct Point { x: i64, y: i64 }
/// impl IntoElle for Point {
///     fn into_elle(self, cx: &mut Context<'_>) -> Result<Value, Error> {
///         vec![self.x, self.y].into_elle(cx)
///     }
/// }
/// let mut engine = Engine::new();
/// engine.set("p", Point { x: 1, y: 2 })?;
/// assert_eq!(engine.eval::<i64>("(+ (vector-ref p 0) (vector-ref p 1))")?, 3);
/// # Ok::<(), Error>(())
/// ```
pub trait IntoElle {
    /// The Elle value; a `type-error` when the value has no Elle form (an
    /// integer beyond 64 signed bits).
    fn into_elle(self, cx: &mut Context<'_>) -> Result<Value, Error>;
}

/// A Rust value that can be made from an Elle value.
///
/// ```
/// use elle::{Context, Engine, Error, FromElle, Value};
/// struct Even(i64);
/// impl FromElle for Even {
///     fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<Even, Error> {
///         match i64::from_elle(v, cx)? {
///             n if n % 2 == 0 => Ok(Even(n)),
///             _ => Err(cx.expected("an even integer", v)),
///         }
///     }
/// }
/// let mut engine = Engine::new();
/// assert_eq!(engine.eval::<Even>("(* 2 21)")?.0, 42);
/// let e = engine.eval::<Even>("7").err().unwrap();
/// assert_eq!(e.message(), "expected an even integer, got integer 7");
/// # Ok::<(), Error>(())
/// ```
pub trait FromElle: Sized {
    /// The Rust value; a `type-error` when `v` is not of a kind the type
    /// accepts, or out of its range.
    fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<Self, Error>;
}

impl IntoElle for Value {
    fn into_elle(self, _: &mut Context<'_>) -> Result<Value, Error> {
        Ok(self)
    }
}

/// The raw value, unconverted. It is kept alive only until the engine next
/// runs Elle code (a collection may free it then); hold a
/// [`Handle`](crate::Handle) to keep a value longer.
impl FromElle for Value {
    fn from_elle(v: Value, _: &mut Context<'_>) -> Result<Value, Error> {
        Ok(v)
    }
}

/// An integer's range error: `N is out of range for TYPE`.
fn out_of_range(n: impl std::fmt::Display, ty: &str) -> Error {
    Error::new("type-error", format!("{n} is out of range for {ty}"))
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl IntoElle for $t {
            fn into_elle(self, _: &mut Context<'_>) -> Result<Value, Error> {
                i64::try_from(self)
                    .map(Value::Int)
                    .map_err(|_| out_of_range(self, "an Elle integer (i64)"))
            }
        }

        impl FromElle for $t {
            fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<$t, Error> {
                let Value::Int(n) = v else {
                    return Err(cx.expected(concat!("an integer (", stringify!($t), ")"), v));
                };
                <$t>::try_from(n).map_err(|_| out_of_range(n, stringify!($t)))
            }
        }
    )*};
}

integers!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl IntoElle for f64 {
    fn into_elle(self, _: &mut Context<'_>) -> Result<Value, Error> {
        Ok(Value::Float(self))
    }
}

/// A float, or an integer converted to the nearest float.
impl FromElle for f64 {
    fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<f64, Error> {
        match v {
            Value::Float(f) => Ok(f),
            Value::Int(n) => Ok(n as f64),
            _ => Err(cx.expected("a number", v)),
        }
    }
}

impl IntoElle for f32 {
    fn into_elle(self, _: &mut Context<'_>) -> Result<Value, Error> {
        Ok(Value::Float(f64::from(self)))
    }
}

/// As `f64`, then rounded to the nearest `f32`.
impl FromElle for f32 {
    fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<f32, Error> {
        f64::from_elle(v, cx).map(|f| f as f32)
    }
}

impl IntoElle for bool {
    fn into_elle(self, _: &mut Context<'_>) -> Result<Value, Error> {
        Ok(Value::bool(self))
    }
}

/// Only `true` and `false`: Elle's truthiness of other values is not a
/// conversion.
impl FromElle for bool {
    fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<bool, Error> {
        match v {
            Value::Bool(b) => Ok(b.get()),
            _ => Err(cx.expected("a boolean", v)),
        }
    }
}

impl IntoElle for &str {
    fn into_elle(self, cx: &mut Context<'_>) -> Result<Value, Error> {
        Ok(cx.vm.make_string(self))
    }
}

impl IntoElle for String {
    fn into_elle(self, cx: &mut Context<'_>) -> Result<Value, Error> {
        self.as_str().into_elle(cx)
    }
}

impl FromElle for String {
    fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<String, Error> {
        match cx.object(v) {
            Some(Obj::Str(s)) => Ok(s.text.to_string()),
            _ => Err(cx.expected("a string", v)),
        }
    }
}

impl IntoElle for () {
    fn into_elle(self, _: &mut Context<'_>) -> Result<Value, Error> {
        Ok(Value::Nil)
    }
}

/// Accepts any value and ignores it: for evaluating code for its effects.
impl FromElle for () {
    fn from_elle(_: Value, _: &mut Context<'_>) -> Result<(), Error> {
        Ok(())
    }
}

impl<T: IntoElle> IntoElle for Option<T> {
    fn into_elle(self, cx: &mut Context<'_>) -> Result<Value, Error> {
        match self {
            None => Ok(Value::Nil),
            Some(x) => x.into_elle(cx),
        }
    }
}

impl<T: FromElle> FromElle for Option<T> {
    fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<Option<T>, Error> {
        match v {
            Value::Nil => Ok(None),
            _ => T::from_elle(v, cx).map(Some),
        }
    }
}

/// Converts each item; all allocation happens before any Elle code runs,
/// so the items converted first stay valid while the others are.
fn convert_all<T: IntoElle>(
    items: impl IntoIterator<Item = T>,
    cx: &mut Context<'_>,
) -> Result<Vec<Value>, Error> {
    items.into_iter().map(|x| x.into_elle(cx)).collect()
}

impl<T: IntoElle> IntoElle for Vec<T> {
    fn into_elle(self, cx: &mut Context<'_>) -> Result<Value, Error> {
        let items = convert_all(self, cx)?;
        Ok(cx.vm.make_vector(items))
    }
}

/// The items of a list or a vector.
impl<T: FromElle> FromElle for Vec<T> {
    fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<Vec<T>, Error> {
        let Some(items) = cx.sequence(v) else {
            return Err(cx.expected("a list or vector", v));
        };
        items.into_iter().map(|x| T::from_elle(x, cx)).collect()
    }
}

impl<T: IntoElle> IntoElle for HashMap<String, T> {
    fn into_elle(self, cx: &mut Context<'_>) -> Result<Value, Error> {
        let mut map = new_map();
        for (k, v) in self {
            let v = v.into_elle(cx)?;
            map.insert(Key::Str(Rc::from(k)), v);
        }
        Ok(cx.vm.make_table(map))
    }
}

/// A table or struct whose keys are strings, keywords or symbols (a key
/// `:name` or `'name` becomes `"name"`).
impl<T: FromElle> FromElle for HashMap<String, T> {
    fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<HashMap<String, T>, Error> {
        let entries: Vec<(Key, Value)> = match cx.object(v) {
            Some(Obj::Table(m) | Obj::Struct(m)) => {
                m.iter().map(|(k, v)| (k.clone(), *v)).collect()
            }
            _ => return Err(cx.expected("a table or struct", v)),
        };
        let mut out = HashMap::with_capacity(entries.len());
        for (k, item) in entries {
            let name = match k {
                Key::Str(s) => s.to_string(),
                Key::Keyword(s) | Key::Symbol(s) => s.name().to_string(),
                _ => return Err(cx.expected("a table with string keys", v)),
            };
            out.insert(name, T::from_elle(item, cx)?);
        }
        Ok(out)
    }
}

/// The arguments of a call from Rust: a tuple of up to 8 values that have
/// [`IntoElle`] (`()` for none, `(x,)` for one), or a `Vec` of them.
///
/// ```
/// let mut engine = elle::Engine::new();
/// engine.eval::<()>("(define (sum . xs) (apply + xs))")?;
/// assert_eq!(engine.call::<i64>("sum", ())?, 0);
/// assert_eq!(engine.call::<i64>("sum", (1,))?, 1);
/// assert_eq!(engine.call::<i64>("sum", (1, 2u8, 3i16))?, 6);
/// assert_eq!(engine.call::<i64>("sum", vec![1, 2, 3, 4])?, 10);
/// # Ok::<(), elle::Error>(())
/// ```
pub trait IntoArgs {
    /// The converted arguments, in order.
    fn into_args(self, cx: &mut Context<'_>) -> Result<Vec<Value>, Error>;
}

impl<T: IntoElle> IntoArgs for Vec<T> {
    fn into_args(self, cx: &mut Context<'_>) -> Result<Vec<Value>, Error> {
        convert_all(self, cx)
    }
}

macro_rules! tuples {
    ($($n:literal: ($($t:ident $i:tt),*);)*) => {$(
        impl<$($t: IntoElle),*> IntoArgs for ($($t,)*) {
            fn into_args(self, cx: &mut Context<'_>) -> Result<Vec<Value>, Error> {
                Ok(vec![$(self.$i.into_elle(cx)?),*])
            }
        }

        /// A tuple is a list of its items.
        impl<$($t: IntoElle),*> IntoElle for ($($t,)*) {
            fn into_elle(self, cx: &mut Context<'_>) -> Result<Value, Error> {
                let items = self.into_args(cx)?;
                Ok(cx.vm.make_list(&items))
            }
        }

        /// A list or vector of exactly as many items as the tuple has.
        impl<$($t: FromElle),*> FromElle for ($($t,)*) {
            fn from_elle(v: Value, cx: &mut Context<'_>) -> Result<Self, Error> {
                match cx.sequence(v) {
                    Some(items) if items.len() == $n => {
                        Ok(($($t::from_elle(items[$i], cx)?,)*))
                    }
                    _ => Err(cx.expected(concat!("a list of ", $n, " items"), v)),
                }
            }
        }
    )*};
}

/// No arguments.
impl IntoArgs for () {
    fn into_args(self, _: &mut Context<'_>) -> Result<Vec<Value>, Error> {
        Ok(Vec::new())
    }
}

for_tuples!(tuples);
