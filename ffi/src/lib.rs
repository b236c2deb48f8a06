//! elle-ffi: C libraries from Elle (LANGUAGE.md §8).
//!
//! libloading opens libraries and finds symbols; each C signature gets a
//! call stub that Cranelift generates once (`stub.rs`); arguments and
//! results are converted here with type and range checks. The `elle`
//! package plugs this crate in with [`install`]; `elle-vm` names nothing of
//! it: libraries are `Obj::Foreign` objects and functions are built-ins
//! made with `Vm::native_closure_value`.
//!
//! # Lifetimes
//!
//! A library value holds the open library in an `Rc`. Each function made
//! by `ffi/fn` holds a clone of that `Rc` (and of the stub cache's), so
//! the library stays open while the library value or any function from it
//! exists; the library is closed when the last of them is dropped. The
//! VM never frees built-ins, so once a function was made from a library,
//! the library stays open for the VM's life; `ffi/fn` returns the function
//! it made before for the same library, symbol and types (`FnKey`), so the
//! built-ins grow with the distinct functions, not with the calls.

mod memory;
mod stub;
pub mod types;

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char};
use std::rc::Rc;

use elle_vm::capabilities::Capability;
use elle_vm::foreign::ForeignObject;
use elle_vm::object::Obj;
use elle_vm::printer::{escape_string, write_string};
use elle_vm::{RtError, Value, Vm};

use stub::{StubCache, StubKey};
use types::{CType, TypeInfo};

type RtResult<T> = Result<T, RtError>;

/// An open shared library.
pub struct Library {
    /// The name it was opened by, as given.
    name: String,
    lib: libloading::Library,
}

/// The value `ffi/load` returns: `#<library "libm.so.6">`, type
/// `:library`.
struct LibraryHandle(Rc<Library>);

impl ForeignObject for LibraryHandle {
    fn type_name(&self) -> &'static str {
        "library"
    }

    fn write(&self, out: &mut String) {
        out.push_str("#<library ");
        escape_string(&self.0.name, out);
        out.push('>');
    }
}

/// Registers the FFI's functions in `vm`: `ffi/load` (alias
/// `load-library`), `ffi/fn`, early Elle's `call-c-function`, `ffi/null`,
/// `ffi/null?`, `ffi/sizeof` and the memory functions (`memory.rs`).
/// One call, so that a capability check can leave the FFI out.
pub fn install(vm: &mut Vm) {
    define(vm, "ffi/load", 1, Some(1), load);
    vm.alias("load-library", "ffi/load");
    let stubs: Rc<RefCell<Option<StubCache>>> = Rc::new(RefCell::new(None));
    let shared = stubs.clone();
    let made = RefCell::new(HashMap::new());
    vm.define_native_closure(
        "ffi/fn",
        2,
        None,
        guarded("ffi/fn", move |vm, args| {
            foreign_fn(vm, args, &shared, &made)
        }),
    );
    vm.define_native_closure(
        "call-c-function",
        5,
        Some(5),
        guarded("call-c-function", move |vm, args| {
            call_c_function(vm, args, &stubs)
        }),
    );
    define(vm, "ffi/null", 0, Some(0), |_, _| Ok(Value::Pointer(0)));
    define(vm, "ffi/null?", 1, Some(1), null_p);
    define(vm, "ffi/sizeof", 1, Some(1), sizeof);
    memory::install(vm);
}

/// `f` behind the FFI capability: without it (an engine whose host took
/// the capability away after the FFI was installed) every FFI function,
/// and every function `ffi/fn` made, raises `ffi-error`.
fn guarded(
    name: &'static str,
    f: impl Fn(&mut Vm, &[Value]) -> RtResult<Value> + 'static,
) -> elle_vm::vm::NativeClosure {
    Rc::new(move |vm: &mut Vm, args: &[Value]| {
        vm.require(Capability::Ffi, name)?;
        f(vm, args)
    })
}

/// Registers the built-in `f` behind the FFI capability ([`guarded`]).
fn define(vm: &mut Vm, name: &'static str, min: u32, max: Option<u32>, f: elle_vm::vm::NativeFn) {
    vm.define_native_closure(name, min, max, guarded(name, f));
}

fn ffi_error(message: String) -> RtError {
    RtError::new("ffi-error", message)
}

/// The type-error of `func` given `got` where it wanted `what`.
fn expected(vm: &Vm, func: &str, what: &str, got: Value) -> RtError {
    RtError::with_data(
        "type-error",
        format!(
            "{func}: expected {what}, got {} {}",
            vm.type_name(got),
            write_string(vm, got)
        ),
        got,
    )
}

fn string_of(vm: &Vm, v: Value) -> Option<&str> {
    match v {
        Value::Obj(r) => match vm.heap().get(r) {
            Obj::Str(s) => Some(&s.text),
            _ => None,
        },
        _ => None,
    }
}

/// `(ffi/load path)`.
fn load(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    let name = string_of(vm, args[0])
        .ok_or_else(|| expected(vm, "ffi/load", "a string", args[0]))?
        .to_string();
    // SAFETY: opening a library runs its initialisers, which can do
    // anything; that is what loading a C library means, and the FFI is a
    // capability the host grants knowing it.
    let lib = unsafe { libloading::Library::new(&name) }
        .map_err(|e| ffi_error(format!("ffi/load: cannot load {name:?}: {e}")))?;
    Ok(vm.alloc_foreign(Box::new(LibraryHandle(Rc::new(Library { name, lib })))))
}

/// A type keyword's row.
fn type_arg(vm: &Vm, func: &str, v: Value) -> RtResult<&'static TypeInfo> {
    match v {
        Value::Keyword(k) => types::lookup(k).ok_or_else(|| {
            RtError::with_data(
                "type-error",
                format!("{func}: unknown C type :{}", k.name()),
                v,
            )
        }),
        _ => Err(expected(vm, func, "a C type keyword", v)),
    }
}

/// `(ffi/sizeof type)`.
fn sizeof(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Int(type_arg(vm, "ffi/sizeof", args[0])?.size as i64))
}

/// `(ffi/null? p)`.
fn null_p(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    match args[0] {
        Value::Pointer(p) => Ok(Value::bool(p == 0)),
        v if vm.foreign::<memory::Block>(v).is_some() => Ok(Value::FALSE),
        v => Err(expected(vm, "ffi/null?", "a pointer", v)),
    }
}

/// `(ffi/fn lib "name" arg-types... ret-type)`.
fn foreign_fn(
    vm: &mut Vm,
    args: &[Value],
    stubs: &Rc<RefCell<Option<StubCache>>>,
    made: &RefCell<HashMap<FnKey, Value>>,
) -> RtResult<Value> {
    const F: &str = "ffi/fn";
    let Some((&ret, params)) = args[2..].split_last() else {
        return Err(RtError::new(
            "arity-error",
            format!("{F}: expected a result type after the name"),
        ));
    };
    let ret = type_arg(vm, F, ret)?;
    let params = params
        .iter()
        .map(|&t| type_arg(vm, F, t))
        .collect::<RtResult<Vec<_>>>()?;
    let f = make_foreign(vm, F, args[0], args[1], params, ret, stubs)?;
    let key = FnKey {
        lib: Rc::as_ptr(&f._lib) as usize,
        name: f.name.clone(),
        types: f.params.iter().chain([&f.ret]).map(|t| t.name).collect(),
    };
    if let Some(&v) = made.borrow().get(&key) {
        return Ok(v);
    }
    let n = f.params.len() as u32;
    let name = f.name.clone();
    let v = vm.native_closure_value(
        &name,
        n,
        Some(n),
        Rc::new(move |vm: &mut Vm, args: &[Value]| {
            vm.require(Capability::Ffi, &f.name)?;
            f.call(vm, args)
        }),
    );
    made.borrow_mut().insert(key, v);
    Ok(v)
}

/// What identifies a function `ffi/fn` made: the open library (its `Rc`'s
/// address, which the function's own `Rc` keeps from being reused), the
/// symbol and the type names. Built-ins are never freed, so `ffi/fn`
/// returns the one it made before for the same key instead of adding
/// another: a program calling `ffi/fn` in a loop does not grow the table.
#[derive(PartialEq, Eq, Hash)]
struct FnKey {
    lib: usize,
    name: String,
    types: Vec<&'static str>,
}

/// Early Elle's `(call-c-function lib "name" "ret" ("arg"...) (args...))`:
/// `ffi/fn` and a call in one, with the types as strings (or keywords).
fn call_c_function(
    vm: &mut Vm,
    args: &[Value],
    stubs: &Rc<RefCell<Option<StubCache>>>,
) -> RtResult<Value> {
    const F: &str = "call-c-function";
    let type_of = |vm: &Vm, v: Value| match string_of(vm, v) {
        Some(s) => types::lookup_name(s).ok_or_else(|| {
            RtError::with_data("type-error", format!("{F}: unknown C type {s:?}"), v)
        }),
        None => type_arg(vm, F, v),
    };
    let ret = type_of(vm, args[2])?;
    let params = list_of(vm, F, args[3])?
        .into_iter()
        .map(|t| type_of(vm, t))
        .collect::<RtResult<Vec<_>>>()?;
    let values = list_of(vm, F, args[4])?;
    let f = make_foreign(vm, F, args[0], args[1], params, ret, stubs)?;
    if values.len() != f.params.len() {
        return Err(RtError::new(
            "arity-error",
            format!(
                "{F} {}: expected {} argument{}, got {}",
                f.name,
                f.params.len(),
                if f.params.len() == 1 { "" } else { "s" },
                values.len()
            ),
        ));
    }
    f.call(vm, &values)
}

/// The elements of a proper list.
fn list_of(vm: &Vm, func: &str, v: Value) -> RtResult<Vec<Value>> {
    let mut out = Vec::new();
    let mut cur = v;
    loop {
        match cur {
            Value::Nil => return Ok(out),
            Value::Obj(r) => match vm.heap().get(r) {
                Obj::Pair(car, cdr) => {
                    out.push(*car);
                    cur = *cdr;
                }
                _ => return Err(expected(vm, func, "a list", v)),
            },
            _ => return Err(expected(vm, func, "a list", v)),
        }
    }
}

/// The C function `name_v` of the library `lib_v` with this signature,
/// its stub made or taken from the cache; `func` names the caller in
/// errors.
fn make_foreign(
    vm: &Vm,
    func: &str,
    lib_v: Value,
    name_v: Value,
    params: Vec<&'static TypeInfo>,
    ret: &'static TypeInfo,
    stubs: &Rc<RefCell<Option<StubCache>>>,
) -> RtResult<Foreign> {
    let lib = match vm.foreign::<LibraryHandle>(lib_v) {
        Some(h) => h.0.clone(),
        None => return Err(expected(vm, func, "a library", lib_v)),
    };
    let name = string_of(vm, name_v)
        .ok_or_else(|| expected(vm, func, "a string (the symbol's name)", name_v))?
        .to_string();
    if params.iter().any(|t| t.ctype == CType::Void) {
        return Err(RtError::new(
            "type-error",
            format!("{func} {name}: :void is a result type only"),
        ));
    }
    let symbol = CString::new(name.as_str()).map_err(|_| {
        ffi_error(format!(
            "{func}: a symbol name cannot contain NUL: {name:?}"
        ))
    })?;
    // SAFETY: the symbol is taken as an untyped address; it is called only
    // through a stub built for the signature the program declared (which
    // the program vouches for, as in C), while `lib` keeps it mapped.
    let target: *const u8 = unsafe {
        lib.lib
            .get::<*const u8>(symbol.as_bytes_with_nul())
            .map(|s| *s)
    }
    .map_err(|e| {
        ffi_error(format!(
            "{func}: symbol {name:?} not found in {:?}: {e}",
            lib.name
        ))
    })?;
    let key = StubKey {
        args: params.iter().map(|t| t.class).collect(),
        ret: ret.class,
    };
    let stub = {
        let mut cache = stubs.borrow_mut();
        if cache.is_none() {
            *cache = Some(StubCache::new().map_err(ffi_error)?);
        }
        match cache.as_mut() {
            Some(c) => c.get(&key).map_err(|e| ffi_error(format!("{func}: {e}")))?,
            None => return Err(ffi_error(format!("{func}: no stub cache"))),
        }
    };
    Ok(Foreign {
        name,
        target,
        stub,
        params,
        ret,
        _lib: lib,
        _stubs: stubs.clone(),
    })
}

/// A C function made callable by `ffi/fn`.
struct Foreign {
    name: String,
    target: *const u8,
    stub: stub::StubFn,
    params: Vec<&'static TypeInfo>,
    ret: &'static TypeInfo,
    /// Keeps `target`'s code mapped.
    _lib: Rc<Library>,
    /// Keeps `stub`'s code mapped.
    _stubs: Rc<RefCell<Option<StubCache>>>,
}

impl Foreign {
    fn call(&self, vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
        let mut words = vec![0u64; self.params.len()];
        // `:string` arguments' copies, alive until the call returns.
        let mut strings: Vec<CString> = Vec::new();
        for (i, (&t, &v)) in self.params.iter().zip(args).enumerate() {
            words[i] = self.argument(vm, i, t, v, &mut strings)?;
        }
        let mut ret = 0u64;
        // SAFETY: `stub` was built for these parameter and result classes
        // and reads `params.len()` words from `words`; `target` is the
        // library's symbol, kept mapped by `_lib`, and the program declared
        // its signature; the `:string` pointers in `words` point into
        // `strings`, which lives until after the call.
        unsafe { (self.stub)(self.target, words.as_ptr(), &mut ret) };
        // Converted while the argument copies live: a `:string` result may
        // point into one (`strchr`, or a function returning its argument).
        let result = self.result(vm, ret);
        drop(strings);
        result
    }

    fn argument(
        &self,
        vm: &Vm,
        i: usize,
        t: &TypeInfo,
        v: Value,
        strings: &mut Vec<CString>,
    ) -> RtResult<u64> {
        let who = format!("{}: argument {} (:{})", self.name, i + 1, t.name);
        to_word(vm, &who, t, v, Some(strings))
    }

    fn result(&self, vm: &mut Vm, word: u64) -> RtResult<Value> {
        // The stub extended the result to 64 bits as its type's sign says.
        from_word(vm, &self.name, self.ret, word)
    }
}

/// The word a stub passes for `v` as type `t`, or stored in memory. `who`
/// starts the error messages (`strlen: argument 1 (:string)`). A
/// `:string` needs `strings`, which keeps the copy until the call returns.
pub(crate) fn to_word(
    vm: &Vm,
    who: &str,
    t: &TypeInfo,
    v: Value,
    strings: Option<&mut Vec<CString>>,
) -> RtResult<u64> {
    let wrong = |vm: &Vm, kind: &str| expected(vm, who, kind, v);
    Ok(match t.ctype {
        CType::Void => return Err(wrong(vm, "nothing")),
        CType::Bool => match v.as_bool() {
            Some(b) => b as u64,
            None => return Err(wrong(vm, "a boolean")),
        },
        CType::Float => match v {
            Value::Float(f) => (f as f32).to_bits() as u64,
            Value::Int(n) => (n as f32).to_bits() as u64,
            _ => return Err(wrong(vm, "a number")),
        },
        CType::Double => match v {
            Value::Float(f) => f.to_bits(),
            Value::Int(n) => (n as f64).to_bits(),
            _ => return Err(wrong(vm, "a number")),
        },
        CType::Pointer => match v {
            Value::Pointer(p) => p,
            _ => match vm.foreign::<memory::Block>(v) {
                Some(b) => b.address(who)?,
                None => return Err(wrong(vm, "a pointer")),
            },
        },
        CType::String => {
            let Some(s) = string_of(vm, v) else {
                return Err(wrong(vm, "a string"));
            };
            let Some(strings) = strings else {
                return Err(RtError::with_data(
                    "type-error",
                    format!("{who}: a string cannot be stored in memory"),
                    v,
                ));
            };
            let c = CString::new(s).map_err(|_| {
                RtError::with_data(
                    "type-error",
                    format!("{who}: a string passed to C cannot contain NUL"),
                    v,
                )
            })?;
            let p = c.as_ptr() as u64;
            strings.push(c);
            p
        }
        _ => {
            let Value::Int(n) = v else {
                return Err(wrong(vm, "an integer"));
            };
            let (lo, hi) = t.range.unwrap_or((i64::MIN as i128, i64::MAX as i128));
            if (n as i128) < lo || (n as i128) > hi {
                return Err(RtError::with_data(
                    "type-error",
                    format!("{who}: {n} is out of range ({lo} to {hi})"),
                    v,
                ));
            }
            n as u64
        }
    })
}

/// `raw`'s low bytes as type `t` widened to a word: sign-extended for
/// signed integers, zero-extended for the others.
pub(crate) fn extend(t: &TypeInfo, raw: u64) -> u64 {
    match t.class {
        types::Class::Int { bits, signed } if bits < 64 => {
            let shift = 64 - u32::from(bits);
            if signed {
                (((raw << shift) as i64) >> shift) as u64
            } else {
                (raw << shift) >> shift
            }
        }
        types::Class::Float { bits: 32 } => raw & 0xffff_ffff,
        _ => raw,
    }
}

/// The Elle value of the word `word` (extended, see [`extend`]) of type
/// `t`; `who` names the function in errors.
pub(crate) fn from_word(vm: &mut Vm, who: &str, t: &TypeInfo, word: u64) -> RtResult<Value> {
    Ok(match t.ctype {
        CType::Void => Value::Nil,
        CType::Bool => Value::bool(word & 0xff != 0),
        CType::Float => Value::Float(f32::from_bits(word as u32) as f64),
        CType::Double => Value::Float(f64::from_bits(word)),
        CType::Pointer => Value::Pointer(word),
        CType::String => {
            if word == 0 {
                return Ok(Value::Nil);
            }
            // SAFETY: the program declared that the function returns a
            // NUL-terminated string; a raw foreign pointer cannot be
            // checked (docs/language.md, FFI).
            let s = unsafe { CStr::from_ptr(word as *const c_char) };
            vm.make_string(&s.to_string_lossy())
        }
        CType::U64 => match i64::try_from(word) {
            Ok(n) => Value::Int(n),
            Err(_) => {
                return Err(RtError::new(
                    "overflow-error",
                    format!("{who}: {word} (:{}) does not fit an Elle integer", t.name),
                ));
            }
        },
        _ => Value::Int(word as i64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm() -> Vm {
        let mut vm = Vm::new();
        install(&mut vm);
        vm.eval_source(
            r#"(define libm (ffi/load "libm.so.6"))
               (define libc (ffi/load "libc.so.6"))"#,
            "setup",
        )
        .unwrap();
        vm
    }

    /// The write form of what `src` evaluates to.
    fn eval(vm: &mut Vm, src: &str) -> String {
        match vm.eval_source(src, "t") {
            Ok(v) => write_string(vm, v),
            Err(e) => panic!("{src}: {} {}", e.ctype, e.message),
        }
    }

    /// The type and message of the condition `src` raises.
    fn error(vm: &mut Vm, src: &str) -> (String, String) {
        match vm.eval_source(src, "t") {
            Ok(v) => panic!("{src}: no error, got {}", write_string(vm, v)),
            Err(e) => (e.ctype, e.message),
        }
    }

    #[test]
    fn doubles_from_libm() {
        let mut vm = vm();
        assert_eq!(
            eval(&mut vm, "((ffi/fn libm \"cos\" :double :double) 0.0)"),
            "1.0"
        );
        assert_eq!(
            eval(
                &mut vm,
                "((ffi/fn libm \"pow\" :double :double :double) 2 10)"
            ),
            "1024.0"
        );
        assert_eq!(
            eval(&mut vm, "((ffi/fn libm \"cosf\" :float :float) 0.0)"),
            "1.0"
        );
        assert_eq!(
            eval(
                &mut vm,
                "(= ((ffi/fn libm \"sin\" :double :double) 0.5) (sin 0.5))"
            ),
            "#t"
        );
    }

    #[test]
    fn integers_and_strings_from_libc() {
        let mut vm = vm();
        assert_eq!(
            eval(
                &mut vm,
                "((ffi/fn libc \"strlen\" :string :size) \"héllo\")"
            ),
            "6"
        );
        assert_eq!(eval(&mut vm, "((ffi/fn libc \"abs\" :int :int) -42)"), "42");
        // A negative 32-bit result comes back sign-extended.
        assert_eq!(
            eval(&mut vm, "((ffi/fn libc \"atoi\" :string :int) \"-42\")"),
            "-42"
        );
        assert_eq!(
            eval(&mut vm, "((ffi/fn libc \"labs\" :long :long) -5000000000)"),
            "5000000000"
        );
        assert_eq!(
            eval(&mut vm, "((ffi/fn libc \"toupper\" :int :int) 97)"),
            "65"
        );
        let path = std::env::var("PATH").unwrap_or_default();
        let mut shown = String::new();
        escape_string(&path, &mut shown);
        assert_eq!(
            eval(
                &mut vm,
                "((ffi/fn libc \"getenv\" :string :string) \"PATH\")"
            ),
            shown
        );
        assert_eq!(
            eval(
                &mut vm,
                "((ffi/fn libc \"getenv\" :string :string) \"ELLE_FFI_SURELY_UNSET_VARIABLE\")"
            ),
            "nil"
        );
    }

    #[test]
    fn values_print_and_have_types() {
        let mut vm = vm();
        assert_eq!(
            eval(&mut vm, "(list libm (type libm) (type (ffi/null)))"),
            "(#<library \"libm.so.6\"> :library :pointer)"
        );
        assert_eq!(
            eval(&mut vm, "(ffi/fn libm \"cos\" :double :double)"),
            "#<function cos>"
        );
        assert_eq!(
            eval(&mut vm, "(list (ffi/null) (ffi/null? (ffi/null)))"),
            "(#<pointer 0x0> #t)"
        );
        assert_eq!(
            eval(
                &mut vm,
                "(map ffi/sizeof '(:i8 :u16 :int :long :double :pointer :void))"
            ),
            "(1 2 4 8 8 8 0)"
        );
        assert_eq!(
            eval(&mut vm, "(load-library \"libm.so.6\")"),
            "#<library \"libm.so.6\">"
        );
    }

    #[test]
    fn argument_errors_name_the_function_and_the_argument() {
        let mut vm = vm();
        eval(&mut vm, "(define abs* (ffi/fn libc \"abs\" :int :int))");
        eval(
            &mut vm,
            "(define strlen (ffi/fn libc \"strlen\" :string :size))",
        );
        assert_eq!(
            error(&mut vm, "(abs* 3000000000)"),
            (
                "type-error".into(),
                "abs: argument 1 (:int): 3000000000 is out of range (-2147483648 to 2147483647)"
                    .into()
            )
        );
        assert_eq!(
            error(&mut vm, "(strlen 5)"),
            (
                "type-error".into(),
                "strlen: argument 1 (:string): expected a string, got integer 5".into()
            )
        );
        assert_eq!(
            error(&mut vm, "(strlen \"a\\x00b\")").1,
            "strlen: argument 1 (:string): a string passed to C cannot contain NUL"
        );
        assert_eq!(error(&mut vm, "(strlen \"a\" \"b\")").0, "arity-error");
        assert_eq!(
            error(&mut vm, "(abs* 1.5)").1,
            "abs: argument 1 (:int): expected an integer, got float 1.5"
        );
    }

    #[test]
    fn loading_and_lookup_errors_are_ffi_errors() {
        let mut vm = vm();
        let (t, m) = error(&mut vm, "(ffi/load \"libelle-no-such-library.so\")");
        assert_eq!(t, "ffi-error");
        assert!(
            m.starts_with("ffi/load: cannot load \"libelle-no-such-library.so\": "),
            "{m}"
        );
        let (t, m) = error(&mut vm, "(ffi/fn libc \"elle_no_such_symbol\" :int)");
        assert_eq!(t, "ffi-error");
        assert!(
            m.starts_with("ffi/fn: symbol \"elle_no_such_symbol\" not found in \"libc.so.6\": "),
            "{m}"
        );
        assert_eq!(
            error(&mut vm, "(ffi/fn libc \"abs\" :int :nope)"),
            ("type-error".into(), "ffi/fn: unknown C type :nope".into())
        );
        assert_eq!(
            error(&mut vm, "(ffi/fn libc \"abs\" :void :int)"),
            (
                "type-error".into(),
                "ffi/fn abs: :void is a result type only".into()
            )
        );
        assert_eq!(error(&mut vm, "(ffi/fn 1 \"abs\" :int)").0, "type-error");
        assert_eq!(error(&mut vm, "(ffi/load 1)").0, "type-error");
    }

    #[test]
    fn a_function_keeps_its_library_open_after_the_library_value_is_gone() {
        let mut vm = vm();
        eval(
            &mut vm,
            "(define cos* (ffi/fn (ffi/load \"libm.so.6\") \"cos\" :double :double))",
        );
        vm.collect_garbage();
        assert_eq!(eval(&mut vm, "(cos* 0)"), "1.0");
    }

    #[test]
    fn extension_follows_the_sign_of_the_type() {
        let t = |n: &str| types::lookup(elle_vm::symbol::Sym::intern(n)).unwrap();
        assert_eq!(extend(t("i8"), 0xff), u64::MAX);
        assert_eq!(extend(t("u8"), 0x1ff), 0xff);
        assert_eq!(extend(t("i32"), 0xffff_fffe), (-2i64) as u64);
        assert_eq!(extend(t("u32"), 0x1_ffff_fffe), 0xffff_fffe);
        assert_eq!(extend(t("i64"), u64::MAX), u64::MAX);
        assert_eq!(extend(t("float"), 0xdead_0000_3f80_0000), 0x3f80_0000);
    }

    #[test]
    fn the_same_function_asked_for_again_is_the_same_built_in() {
        let mut vm = vm();
        assert_eq!(
            eval(
                &mut vm,
                "(list (eq? (ffi/fn libc \"abs\" :int :int) (ffi/fn libc \"abs\" :int :int))
                       (eq? (ffi/fn libc \"abs\" :int :int) (ffi/fn libc \"abs\" :i32 :i32))
                       (eq? (ffi/fn libc \"abs\" :int :int) (ffi/fn libc \"labs\" :int :int)))"
            ),
            "(#t #f #f)"
        );
        eval(&mut vm, "(define abs* (ffi/fn libc \"abs\" :int :int))");
        eval(
            &mut vm,
            "(let loop ((i 0)) (when (< i 1000) (ffi/fn libc \"abs\" :int :int) (loop (+ i 1))))",
        );
        assert_eq!(
            eval(&mut vm, "(eq? abs* (ffi/fn libc \"abs\" :int :int))"),
            "#t"
        );
    }

    #[test]
    fn stubs_are_shared_by_signatures_of_the_same_classes() {
        let mut cache = StubCache::new().unwrap();
        let key = |args: &[&str], ret: &str| StubKey {
            args: args
                .iter()
                .map(|a| {
                    types::lookup(elle_vm::symbol::Sym::intern(a))
                        .unwrap()
                        .class
                })
                .collect(),
            ret: types::lookup(elle_vm::symbol::Sym::intern(ret))
                .unwrap()
                .class,
        };
        let a = cache.get(&key(&["string"], "size")).unwrap();
        let b = cache.get(&key(&["pointer"], "u64")).unwrap();
        assert_eq!(a as usize, b as usize);
        cache.get(&key(&["int"], "int")).unwrap();
        cache.get(&key(&["i32"], "i32")).unwrap();
        assert_eq!(cache.len(), 2);
    }
}
