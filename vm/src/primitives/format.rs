//! Formatting: `(format fmt args...)` and `(printf fmt args...)`.
//!
//! Directives: `~a` display form, `~s` write form, `~d` an integer in
//! decimal, `~x` in lowercase hexadecimal, `~b` in binary, `~,Nf` a number
//! with N digits after the point (`~f`: the number as a float, in its write
//! form), `~%` a newline, `~~` a tilde. Directive letters may be upper
//! case (`~A`), as in Common Lisp.

use crate::error::{RtError, RtResult};
use crate::primitives::strings::int_in_radix;
use crate::primitives::{expected, str_arg};
use crate::printer::{display_string, format_float, write_string};
use crate::value::Value;
use crate::vm::Vm;

/// The most digits `~,Nf` prints after the point (enough for any f64).
const MAX_PLACES: usize = 1100;

pub fn install(vm: &mut Vm) {
    vm.define_native("format", 1, None, |vm, a| {
        let s = format(vm, "format", a)?;
        Ok(vm.heap.alloc_string(s))
    });
    vm.define_native("printf", 1, None, |vm, a| {
        let s = format(vm, "printf", a)?;
        vm.write_out(&s)?;
        Ok(Value::Nil)
    });
}

/// The text `a[0]` (the format string) makes of the arguments `a[1..]`.
fn format(vm: &Vm, func: &str, a: &[Value]) -> RtResult<String> {
    let fmt = str_arg(vm, func, a[0])?;
    let mut args = a[1..].iter().copied();
    let mut out = String::with_capacity(fmt.len());
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '~' {
            out.push(c);
            continue;
        }
        // `~,N` takes the digits of N before its letter.
        let mut digits = None;
        let mut letter = chars.next();
        if letter == Some(',') {
            let mut n = String::new();
            letter = chars.next();
            while let Some(d) = letter.filter(char::is_ascii_digit) {
                n.push(d);
                letter = chars.next();
            }
            digits = Some(n);
        }
        let directive = |letter: Option<char>| match (&digits, letter) {
            (Some(n), Some(l)) => format!("~,{n}{l}"),
            (Some(n), None) => format!("~,{n}"),
            (None, Some(l)) => format!("~{l}"),
            (None, None) => "~".to_string(),
        };
        let unknown = || {
            RtError::with_data(
                "type-error",
                format!("{func}: unknown format directive {}", directive(letter)),
                a[0],
            )
        };
        let places = match digits.as_deref().map(|n| (n, n.parse::<usize>())) {
            None => None,
            Some((_, Ok(p))) if p <= MAX_PLACES => Some(p),
            Some(("", _)) => return Err(unknown()),
            Some(_) => {
                return Err(RtError::with_data(
                    "type-error",
                    format!(
                        "{func}: {} asks for more than {MAX_PLACES} digits",
                        directive(letter)
                    ),
                    a[0],
                ));
            }
        };
        match (letter.map(|l| l.to_ascii_lowercase()), places) {
            (Some('%'), None) => out.push('\n'),
            (Some('~'), None) => out.push('~'),
            (Some(l @ ('a' | 's' | 'd' | 'x' | 'b' | 'f')), None) | (Some(l @ 'f'), Some(_)) => {
                let d = directive(letter);
                let Some(v) = args.next() else {
                    return Err(RtError::arity(format!(
                        "{func}: too few arguments for the format string (at {d})"
                    )));
                };
                out.push_str(&directive_text(vm, func, &d, l, places, v)?);
            }
            _ => return Err(unknown()),
        }
    }
    let extra = args.count();
    if extra > 0 {
        return Err(RtError::arity(format!(
            "{func}: {extra} argument{} more than the format string uses",
            if extra == 1 { "" } else { "s" }
        )));
    }
    Ok(out)
}

/// What directive `d` (letter `l`, with `places` after `~,`) makes of `v`.
fn directive_text(
    vm: &Vm,
    func: &str,
    d: &str,
    l: char,
    places: Option<usize>,
    v: Value,
) -> RtResult<String> {
    let int = |radix: u32| match v {
        Value::Int(n) => Ok(int_in_radix(n, radix)),
        _ => Err(expected(vm, func, &format!("integer for {d}"), v)),
    };
    Ok(match l {
        'a' => display_string(vm, v),
        's' => write_string(vm, v),
        'd' => int(10)?,
        'x' => int(16)?,
        'b' => int(2)?,
        _ => {
            let x = match v {
                Value::Int(n) => n as f64,
                Value::Float(f) => f,
                _ => return Err(expected(vm, func, &format!("number for {d}"), v)),
            };
            match places {
                Some(p) if x.is_finite() => format!("{x:.p$}"),
                _ => format_float(x),
            }
        }
    })
}
