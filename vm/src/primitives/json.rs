//! JSON: `json-parse` and `json-serialize`.
//!
//! Parsing maps objects to tables with string keys (in document order),
//! arrays to vectors, `null` to nil, numbers to integers when written
//! without a fraction or exponent and in i64 range (floats otherwise). The
//! parser is iterative with an explicit stack, and nesting is limited to
//! [`MAX_DEPTH`], so hostile input cannot overflow the native stack.

use std::borrow::Cow;
use std::fmt::Write;
use std::rc::Rc;

use crate::error::{RtError, RtResult};
use crate::object::{Key, Map, Obj, new_map};
use crate::primitives::{expected, str_arg};
use crate::printer::{format_float, write_string};
use crate::value::{Truth, Value};
use crate::vm::Vm;

/// Deepest nesting of arrays and objects accepted (parse) or produced
/// (serialize; deeper structures are almost certainly cyclic).
pub const MAX_DEPTH: usize = 1000;

pub fn install(vm: &mut Vm) {
    vm.define_native("json-parse", 1, Some(1), |vm, a| {
        let text = str_arg(vm, "json-parse", a[0])?.to_string();
        parse(vm, &text)
    });
    vm.define_native("json-serialize", 1, Some(1), |vm, a| {
        let mut out = String::new();
        serialize(vm, a[0], &mut out)?;
        Ok(vm.heap.alloc_string(out))
    });
}

// ---- parsing ----

enum Frame {
    Array(Vec<Value>),
    /// An object being built and the key whose value comes next.
    Object(Map, Option<Key>),
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
}

/// Parses a whole JSON document.
pub fn parse(vm: &mut Vm, src: &str) -> RtResult<Value> {
    let mut p = Parser {
        src,
        b: src.as_bytes(),
        pos: 0,
    };
    let mut stack: Vec<Frame> = Vec::new();
    'value: loop {
        p.skip_ws();
        let mut v = match p.peek() {
            Some(b'{') => {
                p.check_depth(stack.len())?;
                p.pos += 1;
                p.skip_ws();
                if p.peek() == Some(b'}') {
                    p.pos += 1;
                    vm.heap.alloc(Obj::Table(Box::new(new_map())))
                } else {
                    let key = p.object_key()?;
                    stack.push(Frame::Object(new_map(), Some(key)));
                    continue 'value;
                }
            }
            Some(b'[') => {
                p.check_depth(stack.len())?;
                p.pos += 1;
                p.skip_ws();
                if p.peek() == Some(b']') {
                    p.pos += 1;
                    vm.heap.alloc(Obj::Vector(Vec::new()))
                } else {
                    stack.push(Frame::Array(Vec::new()));
                    continue 'value;
                }
            }
            Some(b'"') => {
                let s = p.string()?;
                vm.heap.alloc_string(s)
            }
            Some(b't') => p.literal("true", Value::TRUE)?,
            Some(b'f') => p.literal("false", Value::FALSE)?,
            Some(b'n') => p.literal("null", Value::Nil)?,
            Some(b'-' | b'0'..=b'9') => p.number()?,
            _ => return Err(p.unexpected("a value")),
        };
        // Hand the finished value to the innermost open container, closing
        // containers as long as their closing bracket follows.
        loop {
            match stack.last_mut() {
                None => {
                    p.skip_ws();
                    if p.pos < p.b.len() {
                        return Err(p.unexpected("end of input"));
                    }
                    return Ok(v);
                }
                Some(Frame::Array(items)) => {
                    items.push(v);
                    p.skip_ws();
                    match p.peek() {
                        Some(b',') => {
                            p.pos += 1;
                            continue 'value;
                        }
                        Some(b']') => {
                            p.pos += 1;
                            let Some(Frame::Array(items)) = stack.pop() else {
                                unreachable!()
                            };
                            v = vm.heap.alloc(Obj::Vector(items));
                        }
                        _ => return Err(p.unexpected("',' or ']'")),
                    }
                }
                Some(Frame::Object(m, key)) => {
                    if let Some(k) = key.take() {
                        m.insert(k, v);
                    }
                    p.skip_ws();
                    match p.peek() {
                        Some(b',') => {
                            p.pos += 1;
                            p.skip_ws();
                            *key = Some(p.object_key()?);
                            continue 'value;
                        }
                        Some(b'}') => {
                            p.pos += 1;
                            let Some(Frame::Object(m, _)) = stack.pop() else {
                                unreachable!()
                            };
                            v = vm.heap.alloc(Obj::Table(Box::new(m)));
                        }
                        _ => return Err(p.unexpected("',' or '}'")),
                    }
                }
            }
        }
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// `json-parse: <what> at line L column C`, for the current position.
    fn error(&self, what: impl std::fmt::Display) -> RtError {
        self.error_at(self.pos, what)
    }

    fn error_at(&self, pos: usize, what: impl std::fmt::Display) -> RtError {
        let pos = pos.min(self.b.len());
        let before = &self.src[..floor_boundary(self.src, pos)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        RtError::new(
            "read-error",
            format!("json-parse: {what} at line {line} column {col}"),
        )
    }

    fn unexpected(&self, wanted: &str) -> RtError {
        match self.src[floor_boundary(self.src, self.pos)..]
            .chars()
            .next()
        {
            None => self.error(format!("unexpected end of input, expected {wanted}")),
            Some(c) => self.error(format!("unexpected character {c:?}, expected {wanted}")),
        }
    }

    fn check_depth(&self, depth: usize) -> RtResult<()> {
        if depth >= MAX_DEPTH {
            Err(self.error(format!("nesting deeper than {MAX_DEPTH}")))
        } else {
            Ok(())
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> RtResult<Value> {
        if self.b[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.unexpected("a value"))
        }
    }

    /// `"key" :` — the key of an object member and its colon.
    fn object_key(&mut self) -> RtResult<Key> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string key"));
        }
        let k = self.string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("':'"));
        }
        self.pos += 1;
        Ok(Key::Str(Rc::from(k)))
    }

    /// A string literal, the position at its opening quote.
    fn string(&mut self) -> RtResult<String> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The stops are all ASCII, so these are character boundaries.
            out.push_str(&self.src[start..self.pos]);
            match self.peek() {
                None => return Err(self.error_at(open, "unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let c = self.escape()?;
                    out.push(c);
                }
                Some(_) => return Err(self.error("control character in string")),
            }
        }
    }

    /// An escape sequence, the position at its backslash.
    fn escape(&mut self) -> RtResult<char> {
        let at = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let hi = self.hex4(at)?;
                return match hi {
                    0xD800..=0xDBFF => {
                        if !self.b[self.pos..].starts_with(b"\\u") {
                            return Err(self.error_at(at, "unpaired surrogate in \\u escape"));
                        }
                        self.pos += 2;
                        let lo = self.hex4(at)?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return Err(self.error_at(at, "unpaired surrogate in \\u escape"));
                        }
                        let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                        char::from_u32(cp).ok_or_else(|| self.error_at(at, "invalid \\u escape"))
                    }
                    0xDC00..=0xDFFF => Err(self.error_at(at, "unpaired surrogate in \\u escape")),
                    _ => char::from_u32(hi).ok_or_else(|| self.error_at(at, "invalid \\u escape")),
                };
            }
            None => return Err(self.error_at(at, "unterminated string")),
            Some(_) => return Err(self.error_at(at, "invalid escape")),
        };
        self.pos += 1;
        Ok(c)
    }

    fn hex4(&mut self, at: usize) -> RtResult<u32> {
        let digits = self
            .b
            .get(self.pos..self.pos + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.error_at(at, "invalid \\u escape (needs 4 hex digits)"))?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + (d as char).to_digit(16).unwrap_or(0);
        }
        self.pos += 4;
        Ok(n)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> RtResult<Value> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.unexpected("a digit")),
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            float = true;
            if digits(self) == 0 {
                return Err(self.unexpected("a digit after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            float = true;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        let text = &self.src[start..self.pos];
        if !float && let Ok(n) = text.parse::<i64>() {
            return Ok(Value::Int(n));
        }
        text.parse::<f64>()
            .map(Value::Float)
            .map_err(|_| self.error_at(start, "invalid number"))
    }
}

/// The largest character boundary at or before `pos`.
fn floor_boundary(s: &str, mut pos: usize) -> usize {
    pos = pos.min(s.len());
    while !s.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

// ---- serializing ----

/// An open array or object while serializing, and the index of its next
/// element.
enum Open<'a> {
    Array(Cow<'a, [Value]>, usize),
    Object(&'a Map, usize),
}

/// Appends the JSON text of `v` to `out`. Iterative, with nesting limited to
/// [`MAX_DEPTH`] (which also stops cyclic structures).
pub fn serialize(vm: &Vm, v: Value, out: &mut String) -> RtResult<()> {
    let mut stack: Vec<Open> = Vec::new();
    let mut next = Some(v);
    loop {
        if let Some(v) = next.take()
            && let Some(open) = serialize_one(vm, v, out, stack.len())?
        {
            stack.push(open);
        }
        let Some(top) = stack.last_mut() else {
            return Ok(());
        };
        match top {
            Open::Array(items, i) => {
                if let Some(&x) = items.get(*i) {
                    if *i > 0 {
                        out.push(',');
                    }
                    *i += 1;
                    next = Some(x);
                } else {
                    out.push(']');
                    stack.pop();
                }
            }
            Open::Object(m, i) => {
                if let Some((k, &x)) = m.get_index(*i) {
                    if *i > 0 {
                        out.push(',');
                    }
                    *i += 1;
                    match k {
                        Key::Str(s) => escape_json(s, out),
                        Key::Keyword(s) | Key::Symbol(s) => escape_json(s.name(), out),
                        _ => {
                            return Err(RtError::new(
                                "type-error",
                                format!(
                                    "json-serialize: object keys must be strings, keywords or symbols, got {}",
                                    key_text(k)
                                ),
                            ));
                        }
                    }
                    out.push(':');
                    next = Some(x);
                } else {
                    out.push('}');
                    stack.pop();
                }
            }
        }
    }
}

/// Writes a scalar, or the opening bracket of a container (returned to be
/// walked).
fn serialize_one<'a>(
    vm: &'a Vm,
    v: Value,
    out: &mut String,
    depth: usize,
) -> RtResult<Option<Open<'a>>> {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(Truth::True) => out.push_str("true"),
        Value::Bool(Truth::False) => out.push_str("false"),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Float(f) if f.is_finite() => out.push_str(&format_float(f)),
        Value::Float(_) => {
            return Err(RtError::with_data(
                "type-error",
                format!(
                    "json-serialize: cannot represent {} in JSON",
                    write_string(vm, v)
                ),
                v,
            ));
        }
        Value::Symbol(s) | Value::Keyword(s) => escape_json(s.name(), out),
        Value::Obj(r) => {
            let obj = vm.heap.get(r);
            if let Obj::Str(s) = obj {
                escape_json(&s.text, out);
                return Ok(None);
            }
            if depth >= MAX_DEPTH
                && matches!(
                    obj,
                    Obj::Vector(_) | Obj::Pair(..) | Obj::Table(_) | Obj::Struct(_)
                )
            {
                return Err(RtError::new(
                    "type-error",
                    format!(
                        "json-serialize: nesting deeper than {MAX_DEPTH} (is the value cyclic?)"
                    ),
                ));
            }
            let open = match obj {
                Obj::Vector(items) => Open::Array(Cow::Borrowed(items), 0),
                Obj::Pair(..) => Open::Array(
                    Cow::Owned(crate::primitives::list_arg(vm, "json-serialize", v)?),
                    0,
                ),
                Obj::Table(m) | Obj::Struct(m) => Open::Object(m, 0),
                _ => {
                    return Err(expected(
                        vm,
                        "json-serialize",
                        "JSON-representable value",
                        v,
                    ));
                }
            };
            out.push(if matches!(open, Open::Array(..)) {
                '['
            } else {
                '{'
            });
            return Ok(Some(open));
        }
        _ => {
            return Err(expected(
                vm,
                "json-serialize",
                "JSON-representable value",
                v,
            ));
        }
    }
    Ok(None)
}

fn key_text(k: &Key) -> String {
    match k {
        Key::Nil => "nil".into(),
        Key::Bool(b) => if *b { "#t" } else { "#f" }.into(),
        Key::Int(n) => n.to_string(),
        Key::Float(bits) => format_float(f64::from_bits(*bits)),
        Key::Symbol(s) => s.name().into(),
        Key::Keyword(s) => format!(":{s}"),
        Key::Str(s) => format!("{s:?}"),
    }
}

/// A JSON string literal: `"` `\` and control characters escaped; other
/// characters (including non-ASCII) as they are.
fn escape_json(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
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

    /// Parses `json` directly (no Elle string escaping needed).
    fn parsed(json: &str) -> String {
        let mut vm = Vm::new();
        match parse(&mut vm, json) {
            Ok(v) => write_string(&vm, v),
            Err(e) => panic!("{json}: {e:?}"),
        }
    }

    fn parse_fails(json: &str, msg: &str) {
        let mut vm = Vm::new();
        match parse(&mut vm, json) {
            Ok(v) => panic!("{json}: expected an error, got {}", write_string(&vm, v)),
            Err(RtError::New { ctype, message, .. }) => {
                assert_eq!(ctype.name(), "read-error");
                assert!(message.contains(msg), "{json}: {message:?} lacks {msg:?}");
                assert!(message.starts_with("json-parse: "), "{message}");
            }
            Err(e) => panic!("{e:?}"),
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
                    "{src}: {:?} lacks {msg:?}",
                    e.message
                );
            }
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn parse_values() {
        assert_eq!(parsed("null"), "nil");
        assert_eq!(parsed(" true "), "#t");
        assert_eq!(parsed("false"), "#f");
        assert_eq!(parsed("0"), "0");
        assert_eq!(parsed("-12"), "-12");
        assert_eq!(parsed("1.5"), "1.5");
        assert_eq!(parsed("1e3"), "1000.0");
        assert_eq!(parsed("-2.5E-1"), "-0.25");
        assert_eq!(parsed("10.0"), "10.0");
        assert_eq!(parsed("9223372036854775807"), "9223372036854775807");
        assert_eq!(parsed("9223372036854775808"), "9.223372036854776e18");
        assert_eq!(parsed("\"hi\""), "\"hi\"");
        assert_eq!(parsed("[]"), "[]");
        assert_eq!(parsed("{}"), "@{}");
        assert_eq!(
            parsed("[1, [2, []], {\"a\": null}]"),
            "[1 [2 []] @{\"a\" nil}]"
        );
        assert_eq!(
            parsed("{\"z\": 1, \"a\": [true, false], \"m\": {\"x\": \"y\"}}"),
            "@{\"z\" 1 \"a\" [#t #f] \"m\" @{\"x\" \"y\"}}"
        );
        assert_eq!(parsed("{\"a\": 1, \"a\": 2}"), "@{\"a\" 2}");
        assert_eq!(parsed("\n\t [ 1 ,\r\n 2 ] \n"), "[1 2]");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn parse_strings() {
        assert_eq!(
            parsed(r#""a\"b\\c\/d\b\f\n\r\t""#),
            "\"a\\\"b\\\\c/d\\x08\\x0c\\n\\r\\t\""
        );
        assert_eq!(parsed(r#""\u00e9\u2192""#), "\"é→\"");
        assert_eq!(parsed(r#""\ud83d\ude00""#), "\"😀\"");
        assert_eq!(parsed("\"raw é😀\""), "\"raw é😀\"");
        assert_eq!(parsed(r#""\u0000""#), "\"\\x00\"");
        let mut vm = Vm::new();
        let v = parse(&mut vm, r#"["\ud83d\ude00x"]"#).unwrap();
        assert_eq!(write_string(&vm, v), "[\"😀x\"]");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn parse_errors() {
        parse_fails(
            "",
            "unexpected end of input, expected a value at line 1 column 1",
        );
        parse_fails("   ", "unexpected end of input");
        parse_fails("[1, 2", "unexpected end of input, expected ',' or ']'");
        parse_fails(
            "[1 2]",
            "unexpected character '2', expected ',' or ']' at line 1 column 4",
        );
        parse_fails("[1,]", "unexpected character ']', expected a value");
        parse_fails("{\"a\" 1}", "expected ':'");
        parse_fails("{\"a\": 1,}", "expected a string key");
        parse_fails("{a: 1}", "expected a string key");
        parse_fails("{\"a\": 1 \"b\": 2}", "expected ',' or '}'");
        parse_fails("[1]]", "expected end of input at line 1 column 4");
        parse_fails("tru", "expected a value");
        parse_fails("nul", "expected a value");
        parse_fails("01", "expected end of input");
        parse_fails("1.", "a digit after '.'");
        parse_fails("1e", "a digit in the exponent");
        parse_fails("-", "expected a digit");
        parse_fails("+1", "unexpected character '+'");
        parse_fails(".5", "unexpected character '.'");
        parse_fails("NaN", "unexpected character 'N'");
        parse_fails("\"abc", "unterminated string at line 1 column 1");
        parse_fails(
            "[\n  \"a\nb\"]",
            "control character in string at line 2 column 5",
        );
        parse_fails("\"\\x\"", "invalid escape");
        parse_fails("\"\\u12\"", "needs 4 hex digits");
        parse_fails(r#""\ud83d""#, "unpaired surrogate");
        parse_fails(r#""\ud83dx""#, "unpaired surrogate");
        parse_fails(r#""\ud83d\u0041""#, "unpaired surrogate");
        parse_fails(r#""\ude00""#, "unpaired surrogate");
        parse_fails(
            "{\n  \"a\": [1,\n   é]}",
            "unexpected character 'é', expected a value at line 3 column 4",
        );
    }

    #[test]
    fn nesting_limit() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let mut vm = Vm::new();
        assert!(parse(&mut vm, &ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        parse_fails(&deep, "nesting deeper than 1000");
        // Far deeper input fails cleanly too, without using the stack.
        parse_fails(&"[{\"a\":".repeat(200_000), "nesting deeper");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn parse_from_elle() {
        assert_eq!(
            run(r#"(json-parse "{\"a\": [1, 2.5, null, \"x\"]}")"#),
            "@{\"a\" [1 2.5 nil \"x\"]}"
        );
        assert_eq!(run(r#"(get (json-parse "{\"k\": 3}") "k")"#), "3");
        fails(
            r#"(json-parse "[1,")"#,
            "read-error",
            "json-parse: unexpected end of input",
        );
        fails(
            "(json-parse 1)",
            "type-error",
            "json-parse: expected string",
        );
        assert_eq!(
            run(r#"(try (json-parse "{") (catch e (condition-type e)))"#),
            "read-error"
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn serialize_values() {
        assert_eq!(run("(json-serialize nil)"), r#""null""#);
        assert_eq!(run("(json-serialize #t)"), r#""true""#);
        assert_eq!(run("(json-serialize 42)"), r#""42""#);
        assert_eq!(run("(json-serialize 2.0)"), r#""2.0""#);
        assert_eq!(run("(json-serialize -0.5)"), r#""-0.5""#);
        assert_eq!(run("(json-serialize [1 \"a\" nil])"), r#""[1,\"a\",null]""#);
        assert_eq!(run("(json-serialize '(1 2))"), r#""[1,2]""#);
        assert_eq!(run("(json-serialize [])"), r#""[]""#);
        assert_eq!(run("(json-serialize @{})"), r#""{}""#);
        assert_eq!(
            run("(json-serialize @{:b 1 \"a\" [#f] 'c {:d nil}})"),
            r#""{\"b\":1,\"a\":[false],\"c\":{\"d\":null}}""#
        );
        assert_eq!(run("(json-serialize :kw)"), r#""\"kw\"""#);
        assert_eq!(
            run("(json-serialize \"q\\\"b\\\\n\\n\\t\\x01é\")"),
            r#""\"q\\\"b\\\\n\\n\\t\\u0001é\"""#
        );
    }

    #[test]
    fn round_trip() {
        let json = r#"{"name":"Elle","tags":["lisp","rust"],"n":3,"x":1.5,"none":null,"ok":true,"nested":{"a":[{"b":[]}]},"s":"\"\\\n\u0001😀"}"#;
        let mut vm = Vm::new();
        let v = parse(&mut vm, json).unwrap();
        let mut out = String::new();
        serialize(&vm, v, &mut out).unwrap();
        assert_eq!(out, json);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a fresh Vm (compiling the prelude, ~30 s under Miri) for each of its cases: over 2.5 min under Miri"
    )]
    fn serialize_errors() {
        fails(
            "(json-serialize (/ 1.0 0.0))",
            "type-error",
            "json-serialize: cannot represent +inf.0",
        );
        fails(
            "(json-serialize (sqrt -1.0))",
            "type-error",
            "json-serialize",
        );
        fails(
            "(json-serialize @{1 2})",
            "type-error",
            "object keys must be strings, keywords or symbols, got 1",
        );
        fails(
            "(json-serialize (cons 1 2))",
            "type-error",
            "json-serialize",
        );
        fails(
            "(json-serialize car)",
            "type-error",
            "json-serialize: expected JSON-representable value",
        );
        fails(
            "(json-serialize (lambda (x) x))",
            "type-error",
            "json-serialize",
        );
        fails(
            "(define v [1]) (vector-push! v v) (json-serialize v)",
            "type-error",
            "nesting deeper than 1000",
        );
    }
}
