//! Type predicates, `type`, identity and equality, symbols and keywords.

use crate::error::{RtError, RtResult};
use crate::object::Obj;
use crate::primitives::{expected, str_arg, type_name};
use crate::symbol::Sym;
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    vm.define_native("type", 1, Some(1), |vm, a| {
        Ok(Value::kw(type_name(vm, a[0])))
    });
    vm.define_native("not", 1, Some(1), |_, a| Ok(Value::bool(!a[0].is_truthy())));
    vm.define_native("eq?", 2, Some(2), |_, a| {
        Ok(Value::bool(a[0].identical(a[1])))
    });
    vm.define_native("=", 2, None, |vm, a| {
        Ok(Value::bool(
            a.windows(2).all(|w| crate::equality::equal(vm, w[0], w[1])),
        ))
    });
    vm.define_native("and", 0, None, |_, a| {
        Ok(a.iter()
            .copied()
            .find(|v| !v.is_truthy())
            .unwrap_or(a.last().copied().unwrap_or(Value::TRUE)))
    });
    vm.define_native("or", 0, None, |_, a| {
        Ok(a.iter()
            .copied()
            .find(|v| v.is_truthy())
            .unwrap_or(a.last().copied().unwrap_or(Value::FALSE)))
    });
    vm.define_native("xor", 0, None, |_, a| {
        Ok(Value::bool(
            a.iter().filter(|v| v.is_truthy()).count() % 2 == 1,
        ))
    });
    vm.define_native("symbol?", 1, Some(1), |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Symbol(_))))
    });
    vm.define_native("keyword?", 1, Some(1), |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Keyword(_))))
    });
    vm.define_native("boolean?", 1, Some(1), |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Bool(_))))
    });
    vm.define_native("string?", 1, Some(1), |vm, a| {
        Ok(Value::bool(is_obj(vm, a[0], |o| matches!(o, Obj::Str(_)))))
    });
    vm.define_native("vector?", 1, Some(1), |vm, a| {
        Ok(Value::bool(is_obj(vm, a[0], |o| {
            matches!(o, Obj::Vector(_))
        })))
    });
    vm.define_native("table?", 1, Some(1), |vm, a| {
        Ok(Value::bool(is_obj(vm, a[0], |o| {
            matches!(o, Obj::Table(_))
        })))
    });
    vm.define_native("struct?", 1, Some(1), |vm, a| {
        Ok(Value::bool(is_obj(vm, a[0], |o| {
            matches!(o, Obj::Struct(_))
        })))
    });
    vm.define_native("condition?", 1, Some(1), |vm, a| {
        Ok(Value::bool(is_obj(vm, a[0], |o| {
            matches!(o, Obj::Condition(_))
        })))
    });
    vm.define_native("function?", 1, Some(1), |vm, a| {
        Ok(Value::bool(vm.is_callable(a[0])))
    });
    vm.define_native("keyword", 1, Some(1), keyword);
    // `(gensym)` is `G__N`; `(gensym prefix)` (a string or symbol) is
    // `prefix__N`, for expansions that are easier to read.
    vm.define_native("gensym", 0, Some(1), |vm, a| {
        let s = match a.first() {
            None => vm.gensym(),
            Some(&Value::Symbol(s)) => Sym::gensym_with(s.name()),
            Some(&v) => match str_arg(vm, "gensym", v) {
                Ok(prefix) => Sym::gensym_with(prefix),
                Err(_) => return Err(expected(vm, "gensym", "string or symbol", v)),
            },
        };
        vm.note_symbols();
        Ok(Value::Symbol(s))
    });
    vm.define_native("string->symbol", 1, Some(1), |vm, a| {
        let name = str_arg(vm, "string->symbol", a[0])?;
        // No text reads as the empty symbol, so it could not print in a
        // form that reads back; like `(keyword "")`, it is refused.
        if name.is_empty() {
            return Err(RtError::with_data(
                "type-error",
                "string->symbol: the name must not be empty",
                a[0],
            ));
        }
        let s = Sym::intern(name);
        vm.note_symbols();
        Ok(Value::Symbol(s))
    });
    vm.define_native("symbol->string", 1, Some(1), |vm, a| match a[0] {
        Value::Symbol(s) | Value::Keyword(s) => Ok(vm.heap.alloc_str(s.name())),
        v => Err(expected(vm, "symbol->string", "symbol", v)),
    });
}

fn is_obj(vm: &Vm, v: Value, f: impl Fn(&Obj) -> bool) -> bool {
    matches!(v, Value::Obj(r) if f(vm.heap.get(r)))
}

fn keyword(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    match a[0] {
        Value::Keyword(_) => Ok(a[0]),
        Value::Symbol(s) => Ok(Value::Keyword(s)),
        v => {
            let s = str_arg(vm, "keyword", v)
                .map_err(|_| expected(vm, "keyword", "string or symbol", v))?;
            let name = s.strip_prefix(':').unwrap_or(s);
            // `:` alone does not read back (it is a read error).
            if name.is_empty() {
                return Err(RtError::with_data(
                    "type-error",
                    "keyword: the name must not be empty",
                    v,
                ));
            }
            Ok(Value::Keyword(Sym::intern(name)))
        }
    }
}
