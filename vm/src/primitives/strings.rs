//! String built-ins. Strings are immutable UTF-8; every index counts
//! characters. An ASCII string (the `ascii` flag of [`Str`]) indexes in O(1);
//! others walk their characters.

use std::fmt::Write;

use crate::error::{RtError, RtResult};
use crate::object::{Obj, Str};
use crate::primitives::{expected, index_arg, int_arg, seq_arg};
use crate::printer::{display_string, format_float, write_string};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    vm.define_native("string", 0, None, string);
    vm.alias("str", "string");
    vm.define_native("string-length", 1, Some(1), |vm, a| {
        let s = str_obj(vm, "string-length", a[0])?;
        Ok(Value::Int(s.char_len() as i64))
    });
    vm.define_native("string-append", 0, None, string_append);
    vm.define_native("string-upcase", 1, Some(1), |vm, a| {
        let s = str_obj(vm, "string-upcase", a[0])?;
        let out = if s.ascii {
            s.text.to_ascii_uppercase()
        } else {
            s.text.to_uppercase()
        };
        Ok(vm.heap.alloc_string(out))
    });
    vm.define_native("string-downcase", 1, Some(1), |vm, a| {
        let s = str_obj(vm, "string-downcase", a[0])?;
        let out = if s.ascii {
            s.text.to_ascii_lowercase()
        } else {
            s.text.to_lowercase()
        };
        Ok(vm.heap.alloc_string(out))
    });
    vm.define_native("substring", 2, Some(3), substring);
    vm.define_native("string-index", 2, Some(2), string_index);
    vm.define_native("char-at", 2, Some(2), char_at);
    vm.define_native("string-split", 2, Some(2), string_split);
    vm.define_native("string-join", 1, Some(2), string_join);
    vm.define_native("string-replace", 3, Some(3), string_replace);
    vm.define_native("string-trim", 1, Some(1), |vm, a| {
        let s = str_obj(vm, "string-trim", a[0])?;
        let t = s.text.trim();
        if t.len() == s.text.len() {
            return Ok(a[0]);
        }
        let t = t.to_string();
        Ok(vm.heap.alloc_string(t))
    });
    vm.define_native("string-contains?", 2, Some(2), |vm, a| {
        let (s, p) = two_strs(vm, "string-contains?", a)?;
        Ok(Value::bool(s.contains(p)))
    });
    vm.define_native("string-starts-with?", 2, Some(2), |vm, a| {
        let (s, p) = two_strs(vm, "string-starts-with?", a)?;
        Ok(Value::bool(s.starts_with(p)))
    });
    vm.define_native("string-ends-with?", 2, Some(2), |vm, a| {
        let (s, p) = two_strs(vm, "string-ends-with?", a)?;
        Ok(Value::bool(s.ends_with(p)))
    });
    vm.define_native("string->number", 1, Some(2), string_to_number);
    vm.define_native("number->string", 1, Some(2), number_to_string);
    vm.define_native("string->list", 1, Some(1), string_to_list);
    vm.define_native("repr", 1, Some(1), |vm, a| {
        let s = write_string(vm, a[0]);
        Ok(vm.heap.alloc_string(s))
    });
    vm.define_native("char->code", 1, Some(1), |vm, a| {
        let mut chars = str_obj(vm, "char->code", a[0])?.text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(Value::Int(i64::from(u32::from(c)))),
            _ => Err(expected(vm, "char->code", "one-character string", a[0])),
        }
    });
    vm.define_native("code->char", 1, Some(1), |vm, a| {
        let c = match a[0] {
            Value::Int(n) => u32::try_from(n).ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => Ok(vm.heap.alloc_string(c.to_string())),
            None => Err(expected(vm, "code->char", "Unicode scalar value", a[0])),
        }
    });
}

// ---- helpers ----

/// The string object behind `v`, or a `type-error` naming `func`.
pub fn str_obj<'a>(vm: &'a Vm, func: &str, v: Value) -> RtResult<&'a Str> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Str(s) => Ok(s),
            _ => Err(expected(vm, func, "string", v)),
        },
        _ => Err(expected(vm, func, "string", v)),
    }
}

/// The string object behind `v`, if it is one.
fn as_str(vm: &Vm, v: Value) -> Option<&Str> {
    match v {
        Value::Obj(r) => match vm.heap.get(r) {
            Obj::Str(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

fn two_strs<'a>(vm: &'a Vm, func: &str, a: &[Value]) -> RtResult<(&'a str, &'a str)> {
    Ok((
        &str_obj(vm, func, a[0])?.text,
        &str_obj(vm, func, a[1])?.text,
    ))
}

/// The byte offset of character index `i`, where `i` may equal the length
/// (the end); `None` past the end.
fn byte_offset(s: &Str, i: usize) -> Option<usize> {
    if s.ascii {
        return (i <= s.text.len()).then_some(i);
    }
    s.text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(s.text.len()))
        .nth(i)
}

/// The character index of a byte offset on a character boundary.
fn char_index(s: &Str, byte: usize) -> usize {
    if s.ascii {
        byte
    } else {
        s.text[..byte].chars().count()
    }
}

fn out_of_range(func: &str, what: &str, i: usize, s: &Str, idx: Value) -> RtError {
    RtError::with_data(
        "index-error",
        format!(
            "{func}: {what} {i} out of range for string of length {}",
            s.char_len()
        ),
        idx,
    )
}

/// Makes sure the text of the strings among `parts`, and `extra` bytes
/// more, fit under the memory limit, before a string of them is built
/// (other values are small or counted when printed).
fn reserve_text(vm: &mut Vm, parts: impl Iterator<Item = Value>, extra: usize) -> RtResult<()> {
    if !vm.heap.limited() {
        return Ok(());
    }
    let len = parts
        .filter_map(|v| as_str(vm, v).map(|s| s.text.len()))
        .fold(extra, usize::saturating_add);
    vm.reserve(len)
}

/// Makes sure a list of `pieces` strings, `len` bytes of text in all,
/// fits under the memory limit before it is made: a piece can take far
/// more than its text (a string object, its text's allocation, a pair, and
/// its place in the vectors that build the list).
fn reserve_pieces(vm: &mut Vm, pieces: usize, len: usize) -> RtResult<()> {
    vm.reserve(piece_bytes(pieces, len))
}

/// What a list of `pieces` strings with `len` bytes of text in all takes.
fn piece_bytes(pieces: usize, len: usize) -> usize {
    const PIECE_BYTES: usize = 2 * crate::heap::SLOT_BYTES + 32 + 32;
    pieces.saturating_mul(PIECE_BYTES).saturating_add(len)
}

// ---- the built-ins ----

/// `(string x...)`: the display forms of the arguments, concatenated.
fn string(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    if let [v] = a
        && as_str(vm, *v).is_some()
    {
        return Ok(*v);
    }
    reserve_text(vm, a.iter().copied(), 0)?;
    let mut out = String::new();
    for &v in a {
        match v {
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
            _ => match as_str(vm, v) {
                Some(s) => out.push_str(&s.text),
                None => out.push_str(&display_string(vm, v)),
            },
        }
    }
    Ok(vm.heap.alloc_string(out))
}

fn string_append(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    reserve_text(vm, a.iter().copied(), 0)?;
    let mut out = String::new();
    for &v in a {
        out.push_str(&str_obj(vm, "string-append", v)?.text);
    }
    Ok(vm.heap.alloc_string(out))
}

/// `(substring s start [end])`, character indices, end exclusive.
fn substring(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let s = str_obj(vm, "substring", a[0])?;
    let start = index_arg(vm, "substring", a[1])?;
    let from =
        byte_offset(s, start).ok_or_else(|| out_of_range("substring", "start", start, s, a[1]))?;
    let to = match a.get(2) {
        None => s.text.len(),
        Some(&e) => {
            let end = index_arg(vm, "substring", e)?;
            if end < start {
                return Err(RtError::with_data(
                    "index-error",
                    format!("substring: end {end} is before start {start}"),
                    e,
                ));
            }
            if s.ascii {
                byte_offset(s, end)
            } else {
                // Walk on from the start rather than from the beginning.
                s.text[from..]
                    .char_indices()
                    .map(|(b, _)| from + b)
                    .chain(std::iter::once(s.text.len()))
                    .nth(end - start)
            }
            .ok_or_else(|| out_of_range("substring", "end", end, s, e))?
        }
    };
    if from == 0 && to == s.text.len() {
        return Ok(a[0]);
    }
    let part = s.text[from..to].to_string();
    Ok(vm.heap.alloc_string(part))
}

/// `(string-index s ch)`: the character index of the first occurrence of
/// `ch` (a string of one or more characters) in `s`, or nil.
fn string_index(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let s = str_obj(vm, "string-index", a[0])?;
    let needle = &str_obj(vm, "string-index", a[1])?.text;
    Ok(match s.text.find(&**needle) {
        Some(b) => Value::Int(char_index(s, b) as i64),
        None => Value::Nil,
    })
}

/// `(char-at s i)`: a one-character string.
fn char_at(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let s = str_obj(vm, "char-at", a[0])?;
    let i = index_arg(vm, "char-at", a[1])?;
    let found = if s.ascii {
        s.text.get(i..i + 1).map(|c| c.to_string())
    } else {
        s.text.chars().nth(i).map(String::from)
    };
    match found {
        Some(c) => Ok(vm.heap.alloc_string(c)),
        None => Err(out_of_range("char-at", "index", i, s, a[1])),
    }
}

/// `(string-split s sep)`: the pieces between occurrences of `sep`, as a
/// list. An empty separator splits into characters.
fn string_split(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let s = &str_obj(vm, "string-split", a[0])?.text;
    let sep = &str_obj(vm, "string-split", a[1])?.text;
    if vm.heap.limited() {
        // At most one piece per separator's length of text: when even that
        // many fit, the pieces need not be counted (a second pass over the
        // text).
        let most = s.len() / sep.len().max(1) + 1;
        if !vm.heap.fits(piece_bytes(most, s.len())) {
            let pieces = if sep.is_empty() {
                s.chars().count()
            } else {
                s.matches(&**sep).count() + 1
            };
            reserve_pieces(vm, pieces, s.len())?;
        }
    }
    let s = &str_obj(vm, "string-split", a[0])?.text;
    let sep = &str_obj(vm, "string-split", a[1])?.text;
    let parts: Vec<Box<str>> = if sep.is_empty() {
        s.chars().map(|c| c.to_string().into_boxed_str()).collect()
    } else {
        s.split(&**sep).map(Box::from).collect()
    };
    let vals: Vec<Value> = parts
        .into_iter()
        .map(|p| vm.heap.alloc(Obj::Str(Str::new(p))))
        .collect();
    Ok(vm.heap.list(&vals))
}

/// `(string-join parts [sep])`: parts is a list or vector of strings.
fn string_join(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let parts = seq_arg(vm, "string-join", a[0])?;
    let sep_len = match a.get(1).and_then(|&v| as_str(vm, v)) {
        Some(sep) => sep.text.len(),
        None => 0,
    };
    let extra = sep_len.saturating_mul(parts.len());
    // The parts stay reachable from `a[0]` should this collect.
    reserve_text(vm, parts.iter().copied(), extra)?;
    let sep: &str = match a.get(1) {
        Some(&v) => &str_obj(vm, "string-join", v)?.text,
        None => "",
    };
    let mut out = String::new();
    for (i, &p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        let s = str_obj(vm, "string-join", p)
            .map_err(|_| expected(vm, "string-join", "string element", p))?;
        out.push_str(&s.text);
    }
    Ok(vm.heap.alloc_string(out))
}

/// `(string-replace s old new)`: every occurrence of `old` replaced.
fn string_replace(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let s = &str_obj(vm, "string-replace", a[0])?.text;
    let old = &str_obj(vm, "string-replace", a[1])?.text;
    let new = &str_obj(vm, "string-replace", a[2])?.text;
    if old.is_empty() || !s.contains(&**old) {
        // An empty pattern replaces nothing (rather than inserting `new`
        // between every character).
        return Ok(a[0]);
    }
    if vm.heap.limited() {
        let grown = s.matches(&**old).count().saturating_mul(new.len());
        vm.reserve(s.len().saturating_add(grown))?;
    }
    let s = &str_obj(vm, "string-replace", a[0])?.text;
    let old = &str_obj(vm, "string-replace", a[1])?.text;
    let new = &str_obj(vm, "string-replace", a[2])?.text;
    let out = s.replace(&**old, new);
    Ok(vm.heap.alloc_string(out))
}

/// `(string->number s [radix])`: the number the reader would read from `s`
/// (surrounding whitespace ignored), or nil. With a radix (2 to 36), an
/// integer in that base.
fn string_to_number(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let s = str_obj(vm, "string->number", a[0])?.text.trim();
    if let Some(&r) = a.get(1) {
        let radix = radix_arg(vm, "string->number", r)?;
        return Ok(i64::from_str_radix(s, radix)
            .map(Value::Int)
            .unwrap_or(Value::Nil));
    }
    Ok(parse_number(s).unwrap_or(Value::Nil))
}

/// A number in the reader's syntax: `[+-]? digits* (. digits*)? ([eE]
/// [+-]? digits+)?` with at least one mantissa digit; a `.` or an exponent
/// makes it a float; `+inf.0`, `-inf.0` and `+nan.0` are the non-finite
/// floats. An integer outside i64 is not a number.
pub fn parse_number(text: &str) -> Option<Value> {
    if let Some(f) = crate::reader::non_finite(text) {
        return Some(Value::Float(f));
    }
    let b = text.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_digits = digits(i);
    i += int_digits;
    let mut frac_digits = 0;
    let has_dot = b.get(i) == Some(&b'.');
    if has_dot {
        frac_digits = digits(i + 1);
        i += 1 + frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    let has_exp = matches!(b.get(i), Some(b'e' | b'E'));
    if has_exp {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = digits(i);
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    if i != b.len() {
        return None;
    }
    if has_dot || has_exp {
        text.parse::<f64>().ok().map(Value::Float)
    } else {
        text.parse::<i64>().ok().map(Value::Int)
    }
}

fn radix_arg(vm: &Vm, func: &str, v: Value) -> RtResult<u32> {
    let r = int_arg(vm, func, v)?;
    if (2..=36).contains(&r) {
        Ok(r as u32)
    } else {
        Err(RtError::with_data(
            "type-error",
            format!("{func}: radix must be between 2 and 36, got {r}"),
            v,
        ))
    }
}

/// `(number->string n [radix])`: the write form of a number; integers may
/// be written in another base (2 to 36, lower-case digits).
fn number_to_string(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let radix = match a.get(1) {
        Some(&r) => radix_arg(vm, "number->string", r)?,
        None => 10,
    };
    let s = match a[0] {
        Value::Int(n) if radix == 10 => {
            let text: Box<str> = itoa::Buffer::new().format(n).into();
            return Ok(vm.heap.alloc(Obj::Str(Str::new(text))));
        }
        Value::Int(n) => int_in_radix(n, radix),
        Value::Float(f) if radix == 10 => format_float(f),
        Value::Float(_) => {
            return Err(expected(
                vm,
                "number->string",
                "integer (with a radix)",
                a[0],
            ));
        }
        v => return Err(expected(vm, "number->string", "number", v)),
    };
    Ok(vm.heap.alloc_string(s))
}

/// An integer in base `radix` (2 to 36), lowercase, with a `-` sign.
pub fn int_in_radix(n: i64, radix: u32) -> String {
    let mut mag = n.unsigned_abs();
    if mag == 0 {
        return "0".to_string();
    }
    let mut digits = Vec::new();
    while mag > 0 {
        let d = (mag % radix as u64) as u32;
        digits.push(char::from_digit(d, radix).unwrap_or('?'));
        mag /= radix as u64;
    }
    if n < 0 {
        digits.push('-');
    }
    digits.iter().rev().collect()
}

/// `(string->list s)`: the characters as one-character strings.
fn string_to_list(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let s = str_obj(vm, "string->list", a[0])?;
    if vm.heap.limited() {
        let (pieces, len) = (s.char_len(), s.text.len());
        reserve_pieces(vm, pieces, len)?;
    }
    let s = str_obj(vm, "string->list", a[0])?;
    let chars: Vec<String> = if s.ascii {
        s.text
            .as_bytes()
            .iter()
            .map(|&b| (b as char).to_string())
            .collect()
    } else {
        s.text.chars().map(String::from).collect()
    };
    let vals: Vec<Value> = chars.into_iter().map(|c| vm.heap.alloc_string(c)).collect();
    Ok(vm.heap.list(&vals))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> String {
        let mut vm = Vm::new();
        match vm.eval_source(src, "test") {
            Ok(v) => write_string(&vm, v),
            Err(e) => panic!("{src}: {e}"),
        }
    }

    fn fails(src: &str, ctype: &str, msg: &str) {
        let mut vm = Vm::new();
        match vm.eval_source(src, "test") {
            Ok(v) => panic!("{src}: expected an error, got {}", write_string(&vm, v)),
            Err(e) => {
                assert_eq!(e.ctype, ctype, "{src}: {}", e.message);
                assert!(
                    e.message.contains(msg),
                    "{src}: message {:?} lacks {msg:?}",
                    e.message
                );
            }
        }
    }

    #[test]
    fn string_concatenates_display_forms() {
        assert_eq!(run("(string)"), "\"\"");
        assert_eq!(
            run("(string \"a\" 1 :b 'c 2.5 nil #t)"),
            "\"a1:bc2.5nil#t\""
        );
        assert_eq!(run("(str \"x\" [\"y\" 1])"), "\"x[\\\"y\\\" 1]\"");
        assert_eq!(run("(string \"k\" 123)"), "\"k123\"");
        assert_eq!(run("(string \"só\")"), "\"só\"");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn lengths_and_case() {
        assert_eq!(run("(string-length \"\")"), "0");
        assert_eq!(run("(string-length \"hello\")"), "5");
        assert_eq!(run("(string-length \"héllo→\")"), "6");
        assert_eq!(run("(string-append)"), "\"\"");
        assert_eq!(run("(string-append \"a\" \"bc\" \"\")"), "\"abc\"");
        assert_eq!(run("(string-upcase \"abc é\")"), "\"ABC É\"");
        assert_eq!(run("(string-downcase \"ABC É\")"), "\"abc é\"");
        fails(
            "(string-append \"a\" 1)",
            "type-error",
            "string-append: expected string, got integer 1",
        );
        fails(
            "(string-length 'a)",
            "type-error",
            "string-length: expected string",
        );
        fails("(string-upcase 1)", "type-error", "string-upcase");
        fails("(string-downcase nil)", "type-error", "string-downcase");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn substrings() {
        assert_eq!(run("(substring \"hello\" 1 3)"), "\"el\"");
        assert_eq!(run("(substring \"hello\" 2)"), "\"llo\"");
        assert_eq!(run("(substring \"hello\" 5)"), "\"\"");
        assert_eq!(run("(substring \"hello\" 0 5)"), "\"hello\"");
        assert_eq!(run("(substring \"hello\" 2 2)"), "\"\"");
        assert_eq!(run("(substring \"héllo→x\" 1 6)"), "\"éllo→\"");
        assert_eq!(run("(substring \"héllo→x\" 5)"), "\"→x\"");
        assert_eq!(run("(substring \"héllo→x\" 7 7)"), "\"\"");
        fails(
            "(substring \"hello\" 6)",
            "index-error",
            "substring: start 6 out of range for string of length 5",
        );
        fails(
            "(substring \"hello\" 1 6)",
            "index-error",
            "substring: end 6 out of range",
        );
        fails(
            "(substring \"héllo\" 1 9)",
            "index-error",
            "substring: end 9 out of range for string of length 5",
        );
        fails(
            "(substring \"hello\" 3 1)",
            "index-error",
            "substring: end 1 is before start 3",
        );
        fails("(substring \"hello\" -1)", "index-error", "substring");
        fails(
            "(substring 'x 0)",
            "type-error",
            "substring: expected string",
        );
        fails(
            "(substring \"x\" \"0\")",
            "type-error",
            "substring: expected integer",
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn indexing() {
        assert_eq!(run("(string-index \"hello\" \"l\")"), "2");
        assert_eq!(run("(string-index \"hello\" \"lo\")"), "3");
        assert_eq!(run("(string-index \"hello\" \"z\")"), "nil");
        assert_eq!(run("(string-index \"→é→x\" \"x\")"), "3");
        assert_eq!(run("(char-at \"hello\" 1)"), "\"e\"");
        assert_eq!(run("(char-at \"h→llo\" 1)"), "\"→\"");
        assert_eq!(run("(char-at \"h→llo\" 4)"), "\"o\"");
        fails(
            "(char-at \"hello\" 5)",
            "index-error",
            "char-at: index 5 out of range for string of length 5",
        );
        fails(
            "(char-at \"h→\" 2)",
            "index-error",
            "char-at: index 2 out of range for string of length 2",
        );
        fails("(char-at \"\" 0)", "index-error", "char-at");
        fails("(char-at \"abc\" -1)", "index-error", "char-at");
        fails("(char-at 1 0)", "type-error", "char-at: expected string");
        fails(
            "(string-index \"abc\" 1)",
            "type-error",
            "string-index: expected string",
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn split_join_replace_trim() {
        assert_eq!(
            run("(string-split \"a,b,,c\" \",\")"),
            "(\"a\" \"b\" \"\" \"c\")"
        );
        assert_eq!(run("(string-split \"a--b\" \"--\")"), "(\"a\" \"b\")");
        assert_eq!(run("(string-split \"abc\" \",\")"), "(\"abc\")");
        assert_eq!(run("(string-split \"\" \",\")"), "(\"\")");
        assert_eq!(run("(string-split \"a→b\" \"\")"), "(\"a\" \"→\" \"b\")");
        assert_eq!(
            run("(string-join '(\"a\" \"b\" \"c\") \", \")"),
            "\"a, b, c\""
        );
        assert_eq!(run("(string-join [\"a\" \"b\"] \"-\")"), "\"a-b\"");
        assert_eq!(run("(string-join '(\"a\" \"b\"))"), "\"ab\"");
        assert_eq!(run("(string-join nil \",\")"), "\"\"");
        assert_eq!(
            run("(string-replace \"a.b.c\" \".\" \"::\")"),
            "\"a::b::c\""
        );
        assert_eq!(run("(string-replace \"abc\" \"x\" \"y\")"), "\"abc\"");
        assert_eq!(run("(string-replace \"abc\" \"\" \"y\")"), "\"abc\"");
        assert_eq!(run("(string-trim \"  a b \\n\")"), "\"a b\"");
        assert_eq!(run("(string-trim \"ab\")"), "\"ab\"");
        fails(
            "(string-split \"a\" 1)",
            "type-error",
            "string-split: expected string",
        );
        fails(
            "(string-join '(\"a\" 1) \",\")",
            "type-error",
            "string-join",
        );
        fails("(string-join \"abc\" \",\")", "type-error", "string-join");
        fails("(string-join '(\"a\") 1)", "type-error", "string-join");
        fails(
            "(string-replace \"a\" \"a\" nil)",
            "type-error",
            "string-replace",
        );
        fails("(string-trim 1)", "type-error", "string-trim");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn predicates() {
        assert_eq!(run("(string-contains? \"hello\" \"ell\")"), "#t");
        assert_eq!(run("(string-contains? \"hello\" \"xyz\")"), "#f");
        assert_eq!(run("(string-contains? \"hello\" \"\")"), "#t");
        assert_eq!(run("(string-starts-with? \"hello\" \"he\")"), "#t");
        assert_eq!(run("(string-starts-with? \"hello\" \"lo\")"), "#f");
        assert_eq!(run("(string-ends-with? \"hello\" \"lo\")"), "#t");
        assert_eq!(run("(string-ends-with? \"hello\" \"he\")"), "#f");
        fails(
            "(string-contains? 1 \"a\")",
            "type-error",
            "string-contains?",
        );
        fails(
            "(string-starts-with? \"a\" :a)",
            "type-error",
            "string-starts-with?",
        );
        fails(
            "(string-ends-with? nil \"a\")",
            "type-error",
            "string-ends-with?",
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn numbers() {
        assert_eq!(run("(string->number \"42\")"), "42");
        assert_eq!(run("(string->number \"-7\")"), "-7");
        assert_eq!(run("(string->number \"+3\")"), "3");
        assert_eq!(run("(string->number \"1.5\")"), "1.5");
        assert_eq!(run("(string->number \"1e3\")"), "1000.0");
        assert_eq!(run("(string->number \".5\")"), "0.5");
        assert_eq!(run("(string->number \"1.\")"), "1.0");
        assert_eq!(run("(string->number \"2.5e-3\")"), "0.0025");
        assert_eq!(run("(string->number \" 12 \")"), "12");
        assert_eq!(run("(string->number \"abc\")"), "nil");
        assert_eq!(run("(string->number \"\")"), "nil");
        assert_eq!(run("(string->number \"1e\")"), "nil");
        assert_eq!(run("(string->number \"inf\")"), "nil");
        assert_eq!(run("(string->number \"NaN\")"), "nil");
        assert_eq!(run("(string->number \"12abc\")"), "nil");
        assert_eq!(run("(string->number \"-\")"), "nil");
        assert_eq!(run("(string->number \".\")"), "nil");
        assert_eq!(run("(string->number \"99999999999999999999\")"), "nil");
        assert_eq!(run("(string->number \"ff\" 16)"), "255");
        assert_eq!(run("(string->number \"-101\" 2)"), "-5");
        assert_eq!(run("(string->number \"12\" 2)"), "nil");
        assert_eq!(run("(number->string 42)"), "\"42\"");
        assert_eq!(run("(number->string -7)"), "\"-7\"");
        assert_eq!(run("(number->string 2.0)"), "\"2.0\"");
        assert_eq!(run("(number->string 1e20)"), "\"1e20\"");
        assert_eq!(run("(number->string (/ 1.0 0.0))"), "\"+inf.0\"");
        assert_eq!(run("(number->string 255 16)"), "\"ff\"");
        assert_eq!(run("(number->string -5 2)"), "\"-101\"");
        assert_eq!(run("(number->string 0 2)"), "\"0\"");
        assert_eq!(
            run("(number->string -9223372036854775807 16)"),
            "\"-7fffffffffffffff\""
        );
        fails(
            "(string->number 42)",
            "type-error",
            "string->number: expected string",
        );
        fails(
            "(string->number \"1\" 1)",
            "type-error",
            "radix must be between 2 and 36",
        );
        fails(
            "(number->string \"1\")",
            "type-error",
            "number->string: expected number",
        );
        fails("(number->string 1.5 2)", "type-error", "number->string");
        fails("(number->string 1 37)", "type-error", "radix");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn lists_and_repr() {
        assert_eq!(run("(string->list \"abc\")"), "(\"a\" \"b\" \"c\")");
        assert_eq!(run("(string->list \"é→\")"), "(\"é\" \"→\")");
        assert_eq!(run("(string->list \"\")"), "nil");
        assert_eq!(run("(repr \"a\\\"b\")"), "\"\\\"a\\\\\\\"b\\\"\"");
        assert_eq!(run("(repr '(1 \"x\" :k))"), "\"(1 \\\"x\\\" :k)\"");
        assert_eq!(run("(repr 1.0)"), "\"1.0\"");
        fails("(string->list 'abc)", "type-error", "string->list");
        fails("(repr)", "arity-error", "");
    }
}
