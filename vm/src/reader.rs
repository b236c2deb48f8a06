//! The reader: source text → [`Datum`] trees that carry source positions.
//!
//! The parser is iterative: open lists, vectors, quote prefixes and datum
//! comments live on an explicit stack instead of the native one, so hostile
//! input such as 100,000 `(` is a "nesting too deep" read error rather than a
//! stack overflow. Nesting is capped at [`MAX_NESTING`] so that later,
//! recursive passes over the result are safe too.
//!
//! The scanner works on bytes: all punctuation is ASCII, so a non-ASCII
//! character is only ever decoded to ask whether it is Unicode whitespace.
//! Columns count characters, which `Reader::advance_to` gets by skipping
//! UTF-8 continuation bytes.

use std::fmt;
use std::rc::Rc;

use crate::datum::{Datum, DatumKind, MAX_NESTING};
use crate::span::{FileId, Span};
use crate::symbol::Sym;

/// A syntax error in source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// Where the problem was found. For input that ends too early this is the
    /// end of the input; the message names where the unfinished form began.
    pub span: Span,
    /// The description, without the position (the caller adds `file:line:col`).
    pub message: String,
    /// True when the only problem is that the input ended too early, so more
    /// input could complete it (the REPL then asks for another line).
    pub incomplete: bool,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}

/// The byte-order mark, skipped at the start of a source.
const BOM: char = '\u{FEFF}';

/// The text of a source read as bytes; invalid UTF-8 is an error at the
/// line and column of its first bad byte.
pub fn decode_source(bytes: Vec<u8>, file: FileId) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The valid prefix is text: walk it as the reader would.
        let prefix = std::str::from_utf8(&bytes[..bad]).unwrap_or_default();
        let mut reader = Reader::at_start(prefix, file);
        // A byte-order mark takes no column.
        if prefix.starts_with(BOM) {
            reader.pos = BOM.len_utf8();
        }
        reader.advance_to(bad);
        reader.error(
            reader.here(),
            format!("invalid UTF-8 (byte 0x{:02X})", bytes[bad]),
        )
    })
}

/// Reads every datum in `src`.
pub fn read_all(src: &str, file: FileId) -> Result<Vec<Datum>, ReadError> {
    let mut reader = Reader::new(src, file);
    let mut out = Vec::new();
    while let Some(datum) = reader.next_datum()? {
        out.push(datum);
    }
    Ok(out)
}

/// Reads the first datum in `src` and ignores whatever follows it.
/// `None` when `src` holds no datum (only whitespace and comments).
pub fn read_first(src: &str, file: FileId) -> Result<Option<Datum>, ReadError> {
    Reader::new(src, file).next_datum()
}

/// A bracketed form being read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SeqKind {
    List,
    Vector,
    Struct,
    Table,
}

impl SeqKind {
    fn opener(self) -> &'static str {
        match self {
            SeqKind::List => "(",
            SeqKind::Vector => "[",
            SeqKind::Struct => "{",
            SeqKind::Table => "@{",
        }
    }

    fn closer(self) -> u8 {
        match self {
            SeqKind::List => b')',
            SeqKind::Vector => b']',
            SeqKind::Struct | SeqKind::Table => b'}',
        }
    }

    fn describe(self) -> &'static str {
        match self {
            SeqKind::List => "list",
            SeqKind::Vector => "vector",
            SeqKind::Struct => "struct literal `{...}`",
            SeqKind::Table => "table literal `@{...}`",
        }
    }

    /// `{...}` and `@{...}` read as lists headed by this symbol.
    fn head(self) -> Option<&'static str> {
        match self {
            SeqKind::Struct => Some("struct"),
            SeqKind::Table => Some("table"),
            SeqKind::List | SeqKind::Vector => None,
        }
    }
}

/// The state of a list after a `.` dotted-pair marker.
enum Tail {
    None,
    /// Saw `.`; the next datum is the tail.
    Expecting,
    Got(Datum),
}

struct Seq {
    kind: SeqKind,
    open: Span,
    items: Vec<Datum>,
    tail: Tail,
}

/// Something that applies to the next datum read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Prefix {
    Quote,
    Quasiquote,
    Unquote,
    UnquoteSplicing,
    /// `#;` discards the next datum.
    DatumComment,
}

impl Prefix {
    /// The prefix as it appears in messages, quoted in backticks.
    fn shown(self) -> &'static str {
        match self {
            Prefix::Quote => "`'`",
            Prefix::Quasiquote => "`` ` ``",
            Prefix::Unquote => "`,`",
            Prefix::UnquoteSplicing => "`,@`",
            Prefix::DatumComment => "`#;`",
        }
    }

    fn head(self) -> Option<&'static str> {
        match self {
            Prefix::Quote => Some("quote"),
            Prefix::Quasiquote => Some("quasiquote"),
            Prefix::Unquote => Some("unquote"),
            Prefix::UnquoteSplicing => Some("unquote-splicing"),
            Prefix::DatumComment => None,
        }
    }
}

enum Frame {
    Seq(Seq),
    Prefix(Prefix, Span),
}

struct Reader<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    col: u32,
    file: FileId,
    stack: Vec<Frame>,
}

/// `line:col`, for messages that point at a second position.
fn at(span: Span) -> String {
    format!("{}:{}", span.line, span.col)
}

fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

fn is_ascii_delimiter(b: u8) -> bool {
    is_ascii_space(b)
        || matches!(
            b,
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b'\'' | b'`' | b',' | b';' | 0
        )
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

impl<'a> Reader<'a> {
    /// A reader at the first byte of `src`.
    fn at_start(src: &'a str, file: FileId) -> Reader<'a> {
        Reader {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            line: 1,
            col: 1,
            file,
            stack: Vec::new(),
        }
    }

    /// A reader at the first byte of the text proper: after a byte-order
    /// mark and a `#!` line.
    fn new(src: &'a str, file: FileId) -> Reader<'a> {
        let mut reader = Reader::at_start(src, file);
        // A byte-order mark is no part of the text (and takes no column).
        if src.starts_with(BOM) {
            reader.pos = BOM.len_utf8();
        }
        if src[reader.pos..].starts_with("#!") {
            reader.skip_line();
        }
        reader
    }

    // ---- positions and errors ----

    fn here(&self) -> Span {
        Span::new(self.file, self.line, self.col)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    /// Moves to byte offset `end` (a char boundary), keeping line and column.
    fn advance_to(&mut self, end: usize) {
        for &b in &self.bytes[self.pos..end] {
            if b == b'\n' {
                self.line = self.line.saturating_add(1);
                self.col = 1;
            } else if !is_continuation(b) {
                self.col = self.col.saturating_add(1);
            }
        }
        self.pos = end;
    }

    fn advance(&mut self, n: usize) {
        self.advance_to(self.pos + n);
    }

    fn error(&self, span: Span, message: impl Into<String>) -> ReadError {
        ReadError {
            span,
            message: message.into(),
            incomplete: false,
        }
    }

    /// An error at the end of the input that more input could fix.
    fn incomplete(&mut self, message: String) -> ReadError {
        self.advance_to(self.bytes.len());
        ReadError {
            span: self.here(),
            message,
            incomplete: true,
        }
    }

    // ---- whitespace and comments ----

    fn char_at(&self, pos: usize) -> Option<char> {
        self.src.get(pos..)?.chars().next()
    }

    fn is_delimiter_at(&self, pos: usize) -> bool {
        match self.bytes.get(pos) {
            None => true,
            Some(&b) if b < 0x80 => is_ascii_delimiter(b),
            Some(_) => self.char_at(pos).is_some_and(char::is_whitespace),
        }
    }

    /// The end of the run of whitespace (ASCII or Unicode) starting at `pos`.
    fn whitespace_end(&self, mut pos: usize) -> usize {
        while let Some(&b) = self.bytes.get(pos) {
            if b < 0x80 {
                if !is_ascii_space(b) {
                    break;
                }
                pos += 1;
            } else {
                match self.char_at(pos) {
                    Some(c) if c.is_whitespace() => pos += c.len_utf8(),
                    _ => break,
                }
            }
        }
        pos
    }

    /// The end of the symbol-like token starting at `pos`.
    fn token_end(&self, mut pos: usize) -> usize {
        while let Some(&b) = self.bytes.get(pos) {
            if b < 0x80 {
                if is_ascii_delimiter(b) {
                    break;
                }
                pos += 1;
            } else {
                match self.char_at(pos) {
                    Some(c) if !c.is_whitespace() => pos += c.len_utf8(),
                    _ => break,
                }
            }
        }
        pos
    }

    /// Skips to the next newline (which is left for the whitespace skipper).
    fn skip_line(&mut self) {
        let rest = &self.bytes[self.pos..];
        let len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        self.advance(len);
    }

    fn skip_block_comment(&mut self) -> Result<(), ReadError> {
        let open = self.here();
        let mut depth = 0usize;
        let mut i = self.pos;
        while i + 1 < self.bytes.len() {
            match (self.bytes[i], self.bytes[i + 1]) {
                (b'#', b'|') => {
                    depth += 1;
                    i += 2;
                }
                (b'|', b'#') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        self.advance_to(i);
                        return Ok(());
                    }
                }
                _ => i += 1,
            }
        }
        Err(self.incomplete(format!(
            "unterminated block comment (opened at {})",
            at(open)
        )))
    }

    /// Skips whitespace, `;` comments and `#|...|#` comments.
    fn skip_atmosphere(&mut self) -> Result<(), ReadError> {
        loop {
            let end = self.whitespace_end(self.pos);
            self.advance_to(end);
            match (self.peek(), self.peek_at(1)) {
                (Some(b';'), _) => self.skip_line(),
                (Some(b'#'), Some(b'|')) => self.skip_block_comment()?,
                _ => return Ok(()),
            }
        }
    }

    // ---- the parser loop ----

    /// The next complete top-level datum, or `None` at the end of the input.
    fn next_datum(&mut self) -> Result<Option<Datum>, ReadError> {
        loop {
            self.skip_atmosphere()?;
            let Some(b) = self.peek() else {
                return self.end_of_input();
            };
            if let Some(datum) = self.read_token(b)?
                && let Some(top) = self.deliver(datum)?
            {
                return Ok(Some(top));
            }
        }
    }

    /// Reads one token. Returns the datum it completes, if any; openers and
    /// prefixes only push a frame.
    fn read_token(&mut self, b: u8) -> Result<Option<Datum>, ReadError> {
        let start = self.here();
        match b {
            b'(' => self.open(SeqKind::List, start, 1),
            b'[' => self.open(SeqKind::Vector, start, 1),
            b'{' => self.open(SeqKind::Struct, start, 1),
            b'@' if self.peek_at(1) == Some(b'{') => self.open(SeqKind::Table, start, 2),
            b')' | b']' | b'}' => self.close(b, start).map(Some),
            b'\'' => self.prefix(Prefix::Quote, start, 1),
            b'`' => self.prefix(Prefix::Quasiquote, start, 1),
            b',' if self.peek_at(1) == Some(b'@') => self.prefix(Prefix::UnquoteSplicing, start, 2),
            b',' => self.prefix(Prefix::Unquote, start, 1),
            b'"' => {
                let text = self.read_string()?;
                Ok(Some(Datum::new(DatumKind::Str(text), start)))
            }
            b'#' => self.read_hash(start),
            0 => Err(self.error(start, "a NUL byte outside a string")),
            _ => self.read_atom(start),
        }
    }

    fn push_frame(&mut self, frame: Frame, start: Span) -> Result<(), ReadError> {
        if self.stack.len() >= MAX_NESTING {
            return Err(self.error(
                start,
                format!("nesting too deep (more than {MAX_NESTING} levels)"),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn open(&mut self, kind: SeqKind, start: Span, len: usize) -> Result<Option<Datum>, ReadError> {
        let items = match kind.head() {
            Some(head) => vec![Datum::sym(head, start)],
            None => Vec::new(),
        };
        let seq = Seq {
            kind,
            open: start,
            items,
            tail: Tail::None,
        };
        self.push_frame(Frame::Seq(seq), start)?;
        self.advance(len);
        Ok(None)
    }

    fn prefix(
        &mut self,
        prefix: Prefix,
        start: Span,
        len: usize,
    ) -> Result<Option<Datum>, ReadError> {
        self.push_frame(Frame::Prefix(prefix, start), start)?;
        self.advance(len);
        Ok(None)
    }

    /// Hands a finished datum to the innermost open form. Returns it back
    /// when it is a complete top-level datum.
    fn deliver(&mut self, mut datum: Datum) -> Result<Option<Datum>, ReadError> {
        loop {
            match self.stack.last_mut() {
                None => return Ok(Some(datum)),
                Some(Frame::Seq(seq)) => {
                    push_item(seq, datum)?;
                    return Ok(None);
                }
                Some(&mut Frame::Prefix(prefix, start)) => {
                    self.stack.pop();
                    let Some(head) = prefix.head() else {
                        return Ok(None); // `#;` swallows the datum
                    };
                    datum = Datum::list(vec![Datum::sym(head, start), datum], start);
                }
            }
        }
    }

    fn close(&mut self, b: u8, start: Span) -> Result<Datum, ReadError> {
        let closer = char::from(b);
        let seq = match self.stack.pop() {
            None => return Err(self.error(start, format!("unexpected `{closer}`"))),
            Some(Frame::Prefix(prefix, _)) => {
                return Err(self.error(
                    start,
                    format!(
                        "expected a datum after {}, found `{closer}`",
                        prefix.shown()
                    ),
                ));
            }
            Some(Frame::Seq(seq)) => seq,
        };
        if seq.kind.closer() != b {
            return Err(self.error(
                start,
                format!(
                    "mismatched `{closer}`: expected `{}` to close `{}` at {}",
                    char::from(seq.kind.closer()),
                    seq.kind.opener(),
                    at(seq.open)
                ),
            ));
        }
        self.advance(1);
        finish_seq(seq, start)
    }

    fn end_of_input(&mut self) -> Result<Option<Datum>, ReadError> {
        let message = match self.stack.last() {
            None => return Ok(None),
            Some(Frame::Seq(seq)) => format!(
                "unterminated {} (opened at {})",
                seq.kind.describe(),
                at(seq.open)
            ),
            Some(Frame::Prefix(prefix, start)) => format!(
                "expected a datum after {} (at {}), found end of input",
                prefix.shown(),
                at(*start)
            ),
        };
        Err(self.incomplete(message))
    }

    /// Handles the `.` of a dotted pair.
    fn mark_dot(&mut self, start: Span) -> Result<(), ReadError> {
        let message = match self.stack.last_mut() {
            None => "unexpected `.` outside a list".to_string(),
            Some(Frame::Prefix(prefix, _)) => {
                format!("expected a datum after {}, found `.`", prefix.shown())
            }
            Some(Frame::Seq(seq)) if seq.kind != SeqKind::List => format!(
                "unexpected `.` in a {} (dotted pairs are only allowed in lists)",
                seq.kind.describe()
            ),
            Some(Frame::Seq(seq)) => match seq.tail {
                Tail::None if seq.items.is_empty() => "expected a datum before `.`".to_string(),
                Tail::None => {
                    seq.tail = Tail::Expecting;
                    return Ok(());
                }
                Tail::Expecting | Tail::Got(_) => "unexpected second `.` in a list".to_string(),
            },
        };
        Err(self.error(start, message))
    }

    // ---- atoms ----

    fn read_atom(&mut self, start: Span) -> Result<Option<Datum>, ReadError> {
        let end = self.token_end(self.pos);
        let text = &self.src[self.pos..end];
        if text == "." {
            self.mark_dot(start)?;
            self.advance_to(end);
            return Ok(None);
        }
        let kind = atom_kind(text).map_err(|message| self.error(start, message))?;
        self.advance_to(end);
        Ok(Some(Datum::new(kind, start)))
    }

    /// `#t`, `#f`, `#;`; `#|` and a leading `#!` never get here.
    fn read_hash(&mut self, start: Span) -> Result<Option<Datum>, ReadError> {
        match self.peek_at(1) {
            Some(b';') => return self.prefix(Prefix::DatumComment, start, 2),
            Some(b @ (b't' | b'f')) if self.is_delimiter_at(self.pos + 2) => {
                self.advance(2);
                return Ok(Some(Datum::new(DatumKind::Bool(b == b't'), start)));
            }
            _ => {}
        }
        let end = self.token_end(self.pos + 1);
        let shown = if end > self.pos + 1 {
            &self.src[self.pos..end]
        } else {
            // Show the character after a bare `#`, as in `#(`.
            let next = self.char_at(self.pos + 1).filter(|c| !c.is_whitespace());
            &self.src[self.pos..self.pos + 1 + next.map_or(0, char::len_utf8)]
        };
        Err(self.error(start, format!("unknown # syntax: `{shown}`")))
    }

    // ---- strings ----

    fn read_string(&mut self) -> Result<Rc<str>, ReadError> {
        let open = self.here();
        self.advance(1);
        let mut out = String::new();
        loop {
            let rest = &self.bytes[self.pos..];
            let Some(offset) = rest.iter().position(|&b| b == b'"' || b == b'\\') else {
                return Err(self.unterminated_string(open));
            };
            let stop = self.pos + offset;
            out.push_str(&self.src[self.pos..stop]);
            self.advance_to(stop);
            if self.bytes[stop] == b'"' {
                self.advance(1);
                return Ok(Rc::from(out));
            }
            out.push(self.read_escape(open)?);
        }
    }

    fn unterminated_string(&mut self, open: Span) -> ReadError {
        self.incomplete(format!("unterminated string (opened at {})", at(open)))
    }

    /// Reads the escape sequence at the current `\`.
    fn read_escape(&mut self, open: Span) -> Result<char, ReadError> {
        let start = self.here();
        let Some(c) = self.char_at(self.pos + 1) else {
            return Err(self.unterminated_string(open));
        };
        let simple = match c {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            '0' => Some('\0'),
            '\\' => Some('\\'),
            '"' => Some('"'),
            _ => None,
        };
        if let Some(ch) = simple {
            self.advance(2);
            return Ok(ch);
        }
        match c {
            'x' => self.read_hex_escape(start, open),
            'u' => self.read_unicode_escape(start, open),
            _ => Err(self.error(
                start,
                format!("unknown escape `\\{}` in string", c.escape_debug()),
            )),
        }
    }

    /// `\xHH`: exactly two hex digits, the code point U+00HH.
    fn read_hex_escape(&mut self, start: Span, open: Span) -> Result<char, ReadError> {
        let digits = self.pos + 2..self.pos + 4;
        let Some(hex) = self.bytes.get(digits.clone()) else {
            // Ran out of input: the string cannot be finished either.
            if self.bytes[self.pos + 2..].iter().all(u8::is_ascii_hexdigit) {
                return Err(self.unterminated_string(open));
            }
            return Err(self.error(start, "`\\x` escape needs exactly two hex digits"));
        };
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return Err(self.error(start, "`\\x` escape needs exactly two hex digits"));
        }
        let value = u32::from_str_radix(&self.src[digits], 16)
            .map_err(|_| self.error(start, "`\\x` escape needs exactly two hex digits"))?;
        self.advance(4);
        char::from_u32(value).ok_or_else(|| self.error(start, "invalid `\\x` escape"))
    }

    /// `\u{H...}`: 1 to 6 hex digits naming a Unicode scalar value.
    fn read_unicode_escape(&mut self, start: Span, open: Span) -> Result<char, ReadError> {
        let malformed = "`\\u` escape must be `\\u{` then 1 to 6 hex digits then `}`";
        match self.peek_at(2) {
            None => return Err(self.unterminated_string(open)),
            Some(b'{') => {}
            Some(_) => return Err(self.error(start, malformed)),
        }
        let first = self.pos + 3;
        let rest = &self.bytes[first..];
        let count = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        match rest.get(count) {
            None => return Err(self.unterminated_string(open)),
            Some(b'}') if (1..=6).contains(&count) => {}
            Some(_) => return Err(self.error(start, malformed)),
        }
        let digits = &self.src[first..first + count];
        let value = u32::from_str_radix(digits, 16).map_err(|_| self.error(start, malformed))?;
        let Some(ch) = char::from_u32(value) else {
            return Err(self.error(
                start,
                format!("`\\u{{{digits}}}` is not a Unicode scalar value"),
            ));
        };
        self.advance(count + 4);
        Ok(ch)
    }
}

/// Adds `datum` to an open bracketed form, honouring a pending `.`.
fn push_item(seq: &mut Seq, datum: Datum) -> Result<(), ReadError> {
    match seq.tail {
        Tail::None => seq.items.push(datum),
        Tail::Expecting => seq.tail = Tail::Got(datum),
        Tail::Got(_) => {
            return Err(ReadError {
                span: datum.span,
                message: "expected `)` after the datum following `.`".to_string(),
                incomplete: false,
            });
        }
    }
    Ok(())
}

/// Builds the datum for a form whose closing bracket (at `close`) was just read.
fn finish_seq(seq: Seq, close: Span) -> Result<Datum, ReadError> {
    let Seq {
        kind,
        open,
        mut items,
        tail,
    } = seq;
    let kind = match (kind, tail) {
        (SeqKind::Vector, _) => DatumKind::Vector(items),
        (_, Tail::Expecting) => {
            return Err(ReadError {
                span: close,
                message: "expected a datum after `.`, found `)`".to_string(),
                incomplete: false,
            });
        }
        (_, Tail::None) if items.is_empty() => DatumKind::Nil,
        (_, Tail::None) => DatumKind::List(items, None),
        // `(a . (b c))` is `(a b c)` and `(a . ())` is `(a)`: one shape per list.
        (_, Tail::Got(tail)) => {
            let span = tail.span;
            match tail.into_kind() {
                DatumKind::Nil => DatumKind::List(items, None),
                DatumKind::List(more, rest) => {
                    items.extend(more);
                    DatumKind::List(items, rest)
                }
                other => DatumKind::List(items, Some(Box::new(Datum::new(other, span)))),
            }
        }
    };
    Ok(Datum::new(kind, open))
}

/// What a symbol-like token means: a literal, a keyword, a number or a symbol.
fn atom_kind(text: &str) -> Result<DatumKind, String> {
    match text {
        "true" => return Ok(DatumKind::Bool(true)),
        "false" => return Ok(DatumKind::Bool(false)),
        "nil" => return Ok(DatumKind::Nil),
        _ => {}
    }
    if let Some(name) = text.strip_prefix(':') {
        if name.is_empty() {
            return Err("lone `:` (a keyword needs a name, as in `:name`)".to_string());
        }
        return Ok(DatumKind::Keyword(Sym::intern(name)));
    }
    if let Some(f) = non_finite(text) {
        return Ok(DatumKind::Float(f));
    }
    match number_shape(text.as_bytes()) {
        NumberShape::Int => text
            .parse::<i64>()
            .map(DatumKind::Int)
            .map_err(|_| "integer literal out of range".to_string()),
        // Validated by `number_shape`, so this only rejects what it accepts
        // by mistake; overflow gives an infinity, not an error.
        NumberShape::Float => text
            .parse::<f64>()
            .map(DatumKind::Float)
            .map_err(|_| format!("invalid float literal `{text}`")),
        NumberShape::NotNumber => Ok(DatumKind::Symbol(Sym::intern(text))),
    }
}

/// The non-finite floats, written as the printer writes them (`+inf.0`,
/// `-inf.0`, `+nan.0`; `-nan.0` is accepted too), so that every float's
/// write form reads back.
pub fn non_finite(text: &str) -> Option<f64> {
    match text {
        "+inf.0" => Some(f64::INFINITY),
        "-inf.0" => Some(f64::NEG_INFINITY),
        "+nan.0" | "-nan.0" => Some(f64::NAN),
        _ => None,
    }
}

#[derive(PartialEq, Eq, Debug)]
enum NumberShape {
    Int,
    Float,
    NotNumber,
}

/// `[+-]? digits* (. digits*)? ([eE] [+-]? digits+)?` with at least one
/// mantissa digit; a `.` or an exponent makes it a float. Checked by hand
/// because `f64::from_str` also accepts `inf` and `NaN`, which are symbols.
fn number_shape(text: &[u8]) -> NumberShape {
    let digits = |from: usize| {
        text[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut i = usize::from(matches!(text.first(), Some(b'+' | b'-')));
    let int_digits = digits(i);
    i += int_digits;
    let mut frac_digits = 0;
    let has_dot = text.get(i) == Some(&b'.');
    if has_dot {
        frac_digits = digits(i + 1);
        i += 1 + frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return NumberShape::NotNumber;
    }
    let has_exp = matches!(text.get(i), Some(b'e' | b'E'));
    if has_exp {
        i += 1;
        if matches!(text.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = digits(i);
        if exp_digits == 0 {
            return NumberShape::NotNumber;
        }
        i += exp_digits;
    }
    match (i == text.len(), has_dot || has_exp) {
        (false, _) => NumberShape::NotNumber,
        (true, true) => NumberShape::Float,
        (true, false) => NumberShape::Int,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> FileId {
        FileId::default()
    }

    /// A canonical printing of a datum, so expectations stay short.
    fn show(d: &Datum) -> String {
        match &d.kind {
            DatumKind::Nil => "nil".to_string(),
            DatumKind::Bool(b) => (if *b { "#t" } else { "#f" }).to_string(),
            DatumKind::Int(n) => n.to_string(),
            DatumKind::Float(x) => format!("{x:?}"),
            DatumKind::Str(s) => format!("{:?}", &**s),
            DatumKind::Symbol(s) => s.name().to_string(),
            DatumKind::Keyword(s) => format!(":{}", s.name()),
            DatumKind::List(items, tail) => {
                let mut parts: Vec<String> = items.iter().map(show).collect();
                if let Some(t) = tail {
                    parts.push(".".to_string());
                    parts.push(show(t));
                }
                format!("({})", parts.join(" "))
            }
            DatumKind::Vector(items) => {
                let parts: Vec<String> = items.iter().map(show).collect();
                format!("[{}]", parts.join(" "))
            }
        }
    }

    fn read(src: &str) -> Vec<Datum> {
        match read_all(src, file()) {
            Ok(v) => v,
            Err(e) => panic!("{src:?}: {}:{}: {}", e.span.line, e.span.col, e.message),
        }
    }

    /// Everything `src` reads as, printed canonically and space-separated.
    fn shows(src: &str) -> String {
        read(src).iter().map(show).collect::<Vec<_>>().join(" ")
    }

    fn one(src: &str) -> Datum {
        let mut v = read(src);
        assert_eq!(v.len(), 1, "{src:?} should read as one datum");
        v.remove(0)
    }

    fn kind(src: &str) -> &'static str {
        match one(src).kind {
            DatumKind::Nil => "nil",
            DatumKind::Bool(_) => "bool",
            DatumKind::Int(_) => "int",
            DatumKind::Float(_) => "float",
            DatumKind::Str(_) => "str",
            DatumKind::Symbol(_) => "symbol",
            DatumKind::Keyword(_) => "keyword",
            DatumKind::List(..) => "list",
            DatumKind::Vector(_) => "vector",
        }
    }

    fn err(src: &str) -> ReadError {
        match read_all(src, file()) {
            Ok(v) => panic!("{src:?} should not read, got {} datums", v.len()),
            Err(e) => e,
        }
    }

    /// Asserts that `src` fails at `line:col` with exactly `message`.
    fn check_err(src: &str, line: u32, col: u32, message: &str, incomplete: bool) {
        let e = err(src);
        assert_eq!(e.message, message, "message for {src:?}");
        assert_eq!(
            (e.span.line, e.span.col),
            (line, col),
            "position for {src:?}"
        );
        assert_eq!(e.incomplete, incomplete, "incomplete flag for {src:?}");
        assert_eq!(e.span.file, file());
        assert_eq!(e.to_string(), message);
    }

    fn pos(d: &Datum) -> (u32, u32) {
        (d.span.line, d.span.col)
    }

    // ---- byte-order mark, NUL, invalid UTF-8 ----

    #[test]
    fn a_byte_order_mark_is_skipped_and_takes_no_column() {
        assert_eq!(shows("\u{feff}(a b)"), "(a b)");
        assert_eq!(shows("\u{feff}#!/usr/bin/env elle\n1"), "1");
        assert_eq!(pos(&one("\u{feff} x")), (1, 2));
        // Elsewhere it is an ordinary character.
        assert_eq!(shows("a\u{feff}"), "a\u{feff}");
    }

    #[test]
    fn a_nul_byte_outside_a_string_is_an_error_at_its_position() {
        let msg = "a NUL byte outside a string";
        check_err("\0", 1, 1, msg, false);
        check_err("(a\0b)", 1, 3, msg, false);
        check_err("x\n  \0", 2, 3, msg, false);
        check_err("#t\0", 1, 3, msg, false);
        assert_eq!(shows("\"a\0b\" ; \0"), "\"a\\0b\"");
    }

    #[test]
    fn invalid_utf8_is_an_error_at_its_first_bad_byte() {
        let bad = |bytes: &[u8]| match decode_source(bytes.to_vec(), file()) {
            Ok(s) => panic!("{s:?} should not decode"),
            Err(e) => (e.span.line, e.span.col, e.message),
        };
        assert_eq!(
            bad(b"\xff"),
            (1, 1, "invalid UTF-8 (byte 0xFF)".to_string())
        );
        assert_eq!(
            bad("λ\nab"
                .as_bytes()
                .iter()
                .chain(b"\xe9")
                .copied()
                .collect::<Vec<_>>()
                .as_slice())
            .0,
            2
        );
        assert_eq!(
            bad("\u{feff}λ"
                .as_bytes()
                .iter()
                .chain(b"\xc3")
                .copied()
                .collect::<Vec<_>>()
                .as_slice()),
            (1, 2, "invalid UTF-8 (byte 0xC3)".to_string())
        );
        assert_eq!(
            bad(b"#!x\xff\n"),
            (1, 4, "invalid UTF-8 (byte 0xFF)".to_string())
        );
        assert_eq!(decode_source(b"ok".to_vec(), file()), Ok("ok".to_string()));
    }

    // ---- shebang ----

    #[test]
    fn shebang_line_is_ignored_at_start_only() {
        assert_eq!(shows("#!/usr/bin/env elle\n(a b)"), "(a b)");
        assert_eq!(shows("#!/usr/bin/env elle"), "");
        assert_eq!(pos(&one("#!x\n  foo")), (2, 3));
        check_err("foo\n#!bar", 2, 1, "unknown # syntax: `#!bar`", false);
        check_err(" #!x", 1, 2, "unknown # syntax: `#!x`", false);
    }

    // ---- numbers ----

    #[test]
    fn integers() {
        assert_eq!(shows("42 -7 +3 0 -0 007"), "42 -7 3 0 0 7");
        assert_eq!(kind("42"), "int");
        assert_eq!(
            shows("9223372036854775807 -9223372036854775808"),
            "9223372036854775807 -9223372036854775808"
        );
    }

    #[test]
    fn integer_out_of_range() {
        check_err(
            "9223372036854775808",
            1,
            1,
            "integer literal out of range",
            false,
        );
        check_err(
            "(a\n  -9223372036854775809)",
            2,
            3,
            "integer literal out of range",
            false,
        );
        check_err(
            "99999999999999999999999",
            1,
            1,
            "integer literal out of range",
            false,
        );
    }

    #[test]
    fn floats() {
        assert_eq!(
            shows("3.14 -0.5 1. .5 1e3 2.5e-3 -1.5E+2 +.5 -1.e2 0.0"),
            "3.14 -0.5 1.0 0.5 1000.0 0.0025 -150.0 0.5 -100.0 0.0"
        );
        for src in ["3.14", "1.", ".5", "1e3", "1E3", "-1.5E+2", "1e-0"] {
            assert_eq!(kind(src), "float", "{src}");
        }
        // An overflowing float is an infinity, like `f64::from_str`.
        assert_eq!(shows("1e999 -1e999"), "inf -inf");
    }

    #[test]
    fn number_like_symbols() {
        for src in [
            "+", "-", "...", "..", "1+", "-x", "->", "a.b", "1e", "1e+", "e5", ".e5", "+.", "-.",
            "1.2.3", "1x", "inf", "nan", "NaN", "infinity", "-inf", "0x10", "1_000", "+-1",
        ] {
            assert_eq!(kind(src), "symbol", "{src}");
            assert_eq!(shows(src), src);
        }
    }

    // ---- strings ----

    #[test]
    fn strings_and_escapes() {
        assert_eq!(kind(r#""hi""#), "str");
        assert_eq!(shows(r#""""#), r#""""#);
        let d = one(r#""a\nb\tc\rd\0e\\f\"g""#);
        let DatumKind::Str(s) = &d.kind else {
            panic!("not a string")
        };
        assert_eq!(&**s, "a\nb\tc\rd\0e\\f\"g");
        let d = one(r#""\x41\x7a\xFF\u{41}\u{3bb}\u{1F600}\u{10FFFF}\u{0}""#);
        let DatumKind::Str(s) = &d.kind else {
            panic!("not a string")
        };
        assert_eq!(&**s, "Azÿ\u{41}λ😀\u{10FFFF}\0");
        // Exactly two digits: a third is an ordinary character.
        assert_eq!(shows(r#""\x414""#), r#""A4""#);
    }

    #[test]
    fn strings_keep_literal_newlines_and_unicode() {
        assert_eq!(shows("\"a\nb\" x"), "\"a\\nb\" x");
        assert_eq!(shows("\"λ😀\""), "\"λ😀\"");
        let v = read("\"one\ntwo\" x");
        assert_eq!(pos(&v[1]), (2, 6));
        // Delimiters inside strings are plain characters.
        assert_eq!(shows(r#""(]; #| '""#), r#""(]; #| '""#);
    }

    #[test]
    fn string_escape_errors() {
        check_err(r#""ab\q""#, 1, 4, "unknown escape `\\q` in string", false);
        check_err(
            "\"a\n  \\e\"",
            2,
            3,
            "unknown escape `\\e` in string",
            false,
        );
        check_err("\"\\\n\"", 1, 2, "unknown escape `\\\\n` in string", false);
        check_err(
            r#""\x4""#,
            1,
            2,
            "`\\x` escape needs exactly two hex digits",
            false,
        );
        check_err(
            r#""\xg1""#,
            1,
            2,
            "`\\x` escape needs exactly two hex digits",
            false,
        );
        check_err(
            r#""\x""#,
            1,
            2,
            "`\\x` escape needs exactly two hex digits",
            false,
        );
        let malformed = "`\\u` escape must be `\\u{` then 1 to 6 hex digits then `}`";
        check_err(r#""\u41""#, 1, 2, malformed, false);
        check_err(r#""\u{}""#, 1, 2, malformed, false);
        check_err(r#""\u{1234567}""#, 1, 2, malformed, false);
        check_err(r#""\u{12g}""#, 1, 2, malformed, false);
        check_err(
            r#"  "\u{D800}""#,
            1,
            4,
            "`\\u{D800}` is not a Unicode scalar value",
            false,
        );
        check_err(
            r#""\u{110000}""#,
            1,
            2,
            "`\\u{110000}` is not a Unicode scalar value",
            false,
        );
        check_err("\"λ\\é\"", 1, 3, "unknown escape `\\é` in string", false);
    }

    #[test]
    fn unterminated_strings_are_incomplete() {
        check_err("\"abc", 1, 5, "unterminated string (opened at 1:1)", true);
        check_err(
            "(x \"ab\ncd",
            2,
            3,
            "unterminated string (opened at 1:4)",
            true,
        );
        check_err("\"abc\\", 1, 6, "unterminated string (opened at 1:1)", true);
        check_err("\"\\x4", 1, 5, "unterminated string (opened at 1:1)", true);
        check_err("\"\\u", 1, 4, "unterminated string (opened at 1:1)", true);
        check_err(
            "\"\\u{1F6",
            1,
            8,
            "unterminated string (opened at 1:1)",
            true,
        );
        check_err("\"λλ", 1, 4, "unterminated string (opened at 1:1)", true);
    }

    // ---- booleans, nil, keywords, symbols ----

    #[test]
    fn booleans_and_nil() {
        assert_eq!(shows("#t #f true false"), "#t #f #t #f");
        assert_eq!(kind("#t"), "bool");
        assert_eq!(shows("(#t)(#f)[#t]#t;c"), "(#t) (#f) [#t] #t");
        assert_eq!(shows("nil ()"), "nil nil");
        assert_eq!(kind("()"), "nil");
        assert_eq!(kind("( )"), "nil");
        assert_eq!(kind("nil"), "nil");
        assert_eq!(kind("Nil"), "symbol");
        assert_eq!(kind("truex"), "symbol");
    }

    #[test]
    fn bad_hash_syntax() {
        check_err("#true", 1, 1, "unknown # syntax: `#true`", false);
        check_err("#false", 1, 1, "unknown # syntax: `#false`", false);
        check_err("(a #tx)", 1, 4, "unknown # syntax: `#tx`", false);
        check_err("#", 1, 1, "unknown # syntax: `#`", false);
        check_err("# x", 1, 1, "unknown # syntax: `#`", false);
        check_err("#(1 2)", 1, 1, "unknown # syntax: `#(`", false);
        check_err("#\\a", 1, 1, "unknown # syntax: `#\\a`", false);
        check_err("\n  #:k", 2, 3, "unknown # syntax: `#:k`", false);
    }

    #[test]
    fn keywords() {
        assert_eq!(kind(":name"), "keyword");
        let d = one(":name");
        assert!(matches!(d.kind, DatumKind::Keyword(k) if k == Sym::intern("name")));
        assert_eq!(shows(":a :b-c ::d :λ"), ":a :b-c ::d :λ");
        check_err(
            ":",
            1,
            1,
            "lone `:` (a keyword needs a name, as in `:name`)",
            false,
        );
        check_err(
            "(a : b)",
            1,
            4,
            "lone `:` (a keyword needs a name, as in `:name`)",
            false,
        );
    }

    #[test]
    fn symbols() {
        for src in [
            "set!", "a/b", "a:b", "a:", "x->y", "<=", "λ", "a#b", "|x|", "@foo", "foo@", "a.b.c",
            "*x*", "?",
        ] {
            assert_eq!(kind(src), "symbol", "{src}");
            assert_eq!(shows(src), src);
        }
        assert_eq!(one("set!").as_symbol(), Some(Sym::intern("set!")));
    }

    #[test]
    fn symbols_stop_at_delimiters() {
        assert_eq!(
            shows("a(b)c[d]e{f}g\"s\"h'i`j,k;comment"),
            "a (b) c [d] e (struct f) g \"s\" h (quote i) (quasiquote j) (unquote k)"
        );
        assert_eq!(shows("a\u{a0}b\u{2003}c"), "a b c");
    }

    // ---- lists, vectors, structs, tables ----

    #[test]
    fn lists_and_vectors() {
        assert_eq!(shows("(a b c)"), "(a b c)");
        assert_eq!(kind("(a)"), "list");
        assert_eq!(shows("(a (b (c)) ())"), "(a (b (c)) nil)");
        assert_eq!(shows("[a b c] [] [[1] (2)]"), "[a b c] [] [[1] (2)]");
        assert_eq!(kind("[]"), "vector");
        assert_eq!(shows("(1 2)(3)"), "(1 2) (3)");
    }

    #[test]
    fn structs_and_tables() {
        assert_eq!(shows("{:a 1 :b 2}"), "(struct :a 1 :b 2)");
        assert_eq!(shows("{}"), "(struct)");
        assert_eq!(shows("@{:a 1}"), "(table :a 1)");
        assert_eq!(shows("@{}"), "(table)");
        assert_eq!(shows("{:t @{:x [1]}}"), "(struct :t (table :x [1]))");
        let d = one("  @{:a 1}");
        assert_eq!(pos(&d), (1, 3));
        assert_eq!(d.head_symbol(), Some(Sym::intern("table")));
        assert_eq!(pos(&d.as_list().expect("a list")[0]), (1, 3));
        let d = one("{:a 1}");
        assert_eq!(d.head_symbol(), Some(Sym::intern("struct")));
        assert_eq!(pos(&d.as_list().expect("a list")[1]), (1, 2));
    }

    #[test]
    fn dotted_pairs() {
        assert_eq!(shows("(a . b)"), "(a . b)");
        assert_eq!(shows("(a b . c)"), "(a b . c)");
        assert_eq!(shows("(a . [b])"), "(a . [b])");
        assert_eq!(shows("(a . \"s\")"), "(a . \"s\")");
        assert_eq!(shows("(a .b)"), "(a .b)");
        assert_eq!(shows("(a ... b)"), "(a ... b)");
        assert_eq!(shows("(1 . 2)"), "(1 . 2)");
        assert_eq!(shows("(1 .5)"), "(1 0.5)");
        assert_eq!(shows("(a .\n b)"), "(a . b)");
        let d = one("(a . b)");
        let DatumKind::List(items, Some(tail)) = &d.kind else {
            panic!("not a dotted list")
        };
        assert_eq!(items.len(), 1);
        assert_eq!(pos(tail), (1, 6));
    }

    #[test]
    fn dotted_tails_are_flattened() {
        assert_eq!(shows("(a . (b c))"), "(a b c)");
        assert_eq!(shows("(a . (b . c))"), "(a b . c)");
        assert_eq!(shows("(a . nil)"), "(a)");
        assert_eq!(shows("(a . ())"), "(a)");
        assert_eq!(shows("(a . 'b)"), "(a quote b)");
        assert!(matches!(one("(a . ())").kind, DatumKind::List(_, None)));
    }

    #[test]
    fn dotted_pair_errors() {
        check_err("( . b)", 1, 3, "expected a datum before `.`", false);
        check_err(
            "(a . )",
            1,
            6,
            "expected a datum after `.`, found `)`",
            false,
        );
        check_err(
            "(a . b c)",
            1,
            8,
            "expected `)` after the datum following `.`",
            false,
        );
        check_err(
            "(a . b . c)",
            1,
            8,
            "unexpected second `.` in a list",
            false,
        );
        check_err("(a . . b)", 1, 6, "unexpected second `.` in a list", false);
        check_err(".", 1, 1, "unexpected `.` outside a list", false);
        check_err("a . b", 1, 3, "unexpected `.` outside a list", false);
        check_err("['.]", 1, 3, "expected a datum after `'`, found `.`", false);
        check_err(
            "[a . b]",
            1,
            4,
            "unexpected `.` in a vector (dotted pairs are only allowed in lists)",
            false,
        );
        check_err(
            "{a . b}",
            1,
            4,
            "unexpected `.` in a struct literal `{...}` (dotted pairs are only allowed in lists)",
            false,
        );
        check_err(
            "@{a . b}",
            1,
            5,
            "unexpected `.` in a table literal `@{...}` (dotted pairs are only allowed in lists)",
            false,
        );
        check_err("(a .", 1, 5, "unterminated list (opened at 1:1)", true);
        check_err("(a . b", 1, 7, "unterminated list (opened at 1:1)", true);
        check_err(
            "(a . ]",
            1,
            6,
            "mismatched `]`: expected `)` to close `(` at 1:1",
            false,
        );
    }

    // ---- quote forms ----

    #[test]
    fn quote_forms() {
        assert_eq!(shows("'x"), "(quote x)");
        assert_eq!(shows("`x"), "(quasiquote x)");
        assert_eq!(shows(",x"), "(unquote x)");
        assert_eq!(shows(",@x"), "(unquote-splicing x)");
        assert_eq!(shows("''x"), "(quote (quote x))");
        assert_eq!(
            shows("`(a ,b ,@(c d))"),
            "(quasiquote (a (unquote b) (unquote-splicing (c d))))"
        );
        assert_eq!(shows("' x"), "(quote x)");
        assert_eq!(shows("'\n;c\nx"), "(quote x)");
        assert_eq!(shows("'()"), "(quote nil)");
        assert_eq!(shows("'[1 2]"), "(quote [1 2])");
        assert_eq!(shows(",@{:a 1}"), "(unquote-splicing (struct :a 1))");
        assert_eq!(shows(", @{:a 1}"), "(unquote (table :a 1))");
        assert_eq!(shows("'#;x y"), "(quote y)");
    }

    #[test]
    fn quote_spans_point_at_the_quote() {
        let d = one("  'foo");
        assert_eq!(pos(&d), (1, 3));
        let items = d.as_list().expect("a list");
        assert_eq!(pos(&items[0]), (1, 3));
        assert_eq!(pos(&items[1]), (1, 4));
        let d = one("\n ,@x");
        assert_eq!(pos(&d), (2, 2));
        assert_eq!(pos(&d.as_list().expect("a list")[1]), (2, 4));
    }

    #[test]
    fn quote_errors() {
        check_err(
            "'",
            1,
            2,
            "expected a datum after `'` (at 1:1), found end of input",
            true,
        );
        check_err(
            "(a `",
            1,
            5,
            "expected a datum after `` ` `` (at 1:4), found end of input",
            true,
        );
        check_err(
            "x ,@ ;c\n",
            2,
            1,
            "expected a datum after `,@` (at 1:3), found end of input",
            true,
        );
        check_err(
            "(a ')",
            1,
            5,
            "expected a datum after `'`, found `)`",
            false,
        );
        check_err("[,]", 1, 3, "expected a datum after `,`, found `]`", false);
        check_err("')", 1, 2, "expected a datum after `'`, found `)`", false);
    }

    // ---- comments ----

    #[test]
    fn line_comments() {
        assert_eq!(shows("; only a comment"), "");
        assert_eq!(shows("a ; comment ) ( \" \n b;c\n;d"), "a b");
        assert_eq!(shows("(a ;)\n b)"), "(a b)");
        assert_eq!(pos(&one(";λλλ\n   x")), (2, 4));
    }

    #[test]
    fn block_comments() {
        assert_eq!(shows("#| comment |# a"), "a");
        assert_eq!(shows("a #| outer #| inner |# still |# b"), "a b");
        assert_eq!(shows("#||# x"), "x");
        assert_eq!(shows("(a #| ) |# b)"), "(a b)");
        assert_eq!(shows("a#|b|#"), "a#|b|#");
        let v = read("#| λ\n λλ |# x");
        assert_eq!(pos(&v[0]), (2, 8));
        check_err(
            "#| abc",
            1,
            7,
            "unterminated block comment (opened at 1:1)",
            true,
        );
        check_err(
            "x\n #| #| a |#\n",
            3,
            1,
            "unterminated block comment (opened at 2:2)",
            true,
        );
        check_err(
            "(a #|",
            1,
            6,
            "unterminated block comment (opened at 1:4)",
            true,
        );
    }

    #[test]
    fn datum_comments() {
        assert_eq!(shows("#;a b"), "b");
        assert_eq!(shows("#; a b"), "b");
        assert_eq!(shows("#;(a (b c)) d"), "d");
        assert_eq!(shows("(a #;b c)"), "(a c)");
        assert_eq!(shows("(a #;b)"), "(a)");
        assert_eq!(shows("(#;a)"), "nil");
        assert_eq!(shows("#;#;a b c"), "c");
        assert_eq!(shows("#;'a b"), "b");
        assert_eq!(shows("#;\n;x\n#|y|# a b"), "b");
        assert_eq!(shows("[1 #;2 3]"), "[1 3]");
        assert_eq!(shows("(a . #;b c)"), "(a . c)");
        assert_eq!(shows("(a . b #;c)"), "(a . b)");
        assert_eq!(shows("#;a"), "");
        check_err(
            "#;",
            1,
            3,
            "expected a datum after `#;` (at 1:1), found end of input",
            true,
        );
        check_err(
            "a #;",
            1,
            5,
            "expected a datum after `#;` (at 1:3), found end of input",
            true,
        );
        check_err(
            "(a #;)",
            1,
            6,
            "expected a datum after `#;`, found `)`",
            false,
        );
        check_err("#;)", 1, 3, "expected a datum after `#;`, found `)`", false);
    }

    // ---- bracket errors ----

    #[test]
    fn stray_closers_are_not_incomplete() {
        check_err(")", 1, 1, "unexpected `)`", false);
        check_err("(a) ]", 1, 5, "unexpected `]`", false);
        check_err("a\n  }", 2, 3, "unexpected `}`", false);
        check_err("(a))", 1, 4, "unexpected `)`", false);
    }

    #[test]
    fn mismatched_brackets() {
        check_err(
            "(1 2]",
            1,
            5,
            "mismatched `]`: expected `)` to close `(` at 1:1",
            false,
        );
        check_err(
            "[1 2)",
            1,
            5,
            "mismatched `)`: expected `]` to close `[` at 1:1",
            false,
        );
        check_err(
            "(a\n  {b)",
            2,
            5,
            "mismatched `)`: expected `}` to close `{` at 2:3",
            false,
        );
        check_err(
            " @{a]",
            1,
            5,
            "mismatched `]`: expected `}` to close `@{` at 1:2",
            false,
        );
    }

    #[test]
    fn unterminated_brackets_are_incomplete() {
        check_err("(1 2", 1, 5, "unterminated list (opened at 1:1)", true);
        check_err(
            "(a\n (b)\n",
            3,
            1,
            "unterminated list (opened at 1:1)",
            true,
        );
        check_err("(a (b", 1, 6, "unterminated list (opened at 1:4)", true);
        check_err("[1", 1, 3, "unterminated vector (opened at 1:1)", true);
        check_err(
            "{:a",
            1,
            4,
            "unterminated struct literal `{...}` (opened at 1:1)",
            true,
        );
        check_err(
            "@{",
            1,
            3,
            "unterminated table literal `@{...}` (opened at 1:1)",
            true,
        );
        check_err(
            "(a ; comment",
            1,
            13,
            "unterminated list (opened at 1:1)",
            true,
        );
    }

    // ---- positions ----

    #[test]
    fn positions_across_lines() {
        let v = read("a\n  (b\n   c)\n\n\t[d]");
        assert_eq!(pos(&v[0]), (1, 1));
        assert_eq!(pos(&v[1]), (2, 3));
        let items = v[1].as_list().expect("a list");
        assert_eq!(pos(&items[0]), (2, 4));
        assert_eq!(pos(&items[1]), (3, 4));
        assert_eq!(pos(&v[2]), (5, 2));
        let DatumKind::Vector(items) = &v[2].kind else {
            panic!("not a vector")
        };
        assert_eq!(pos(&items[0]), (5, 3));
    }

    #[test]
    fn crlf_line_endings() {
        let v = read("a\r\nb\r\n  c");
        assert_eq!(pos(&v[1]), (2, 1));
        assert_eq!(pos(&v[2]), (3, 3));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let v = read("(λ x) \"日本語\" y 😀 z");
        assert_eq!(pos(&v[0].as_list().expect("a list")[1]), (1, 4));
        assert_eq!(pos(&v[1]), (1, 7));
        assert_eq!(pos(&v[2]), (1, 13));
        assert_eq!(pos(&v[3]), (1, 15));
        assert_eq!(pos(&v[4]), (1, 17));
        check_err("λλ )", 1, 4, "unexpected `)`", false);
        check_err("\"é\" (é", 1, 7, "unterminated list (opened at 1:5)", true);
    }

    #[test]
    fn file_id_is_recorded() {
        let f = FileId::register("reader-test.elle");
        let d = read_all("\n x", f).expect("reads");
        assert_eq!(d[0].span, Span::new(f, 2, 2));
        let e = read_all(")", f).expect_err("fails");
        assert_eq!(e.span, Span::new(f, 1, 1));
        assert!(!e.message.contains("reader-test"));
    }

    // ---- read_first ----

    #[test]
    fn read_first_reads_one_datum() {
        let d = read_first("(a b) c", file())
            .expect("reads")
            .expect("a datum");
        assert_eq!(show(&d), "(a b)");
        let d = read_first("  #;x ; c\n 'y )))", file())
            .expect("reads")
            .expect("a datum");
        assert_eq!(show(&d), "(quote y)");
        assert_eq!(pos(&d), (2, 2));
        assert!(read_first("", file()).expect("reads").is_none());
        assert!(
            read_first("  ; c\n #| x |# #;y", file())
                .expect("reads")
                .is_none()
        );
        let e = read_first(")", file()).expect_err("fails");
        assert_eq!(e.message, "unexpected `)`");
        let e = read_first("(a", file()).expect_err("fails");
        assert!(e.incomplete);
    }

    #[test]
    fn empty_input() {
        assert!(read("").is_empty());
        assert!(read(" \n\t ").is_empty());
    }

    // ---- nesting ----

    fn depth(d: &Datum) -> usize {
        let mut depth = 0;
        let mut cur = d;
        loop {
            let next = match &cur.kind {
                DatumKind::List(items, _) | DatumKind::Vector(items) => items.last(),
                _ => None,
            };
            match next {
                Some(n) => {
                    depth += 1;
                    cur = n;
                }
                None => {
                    return depth
                        + usize::from(matches!(
                            cur.kind,
                            DatumKind::List(..) | DatumKind::Vector(_)
                        ));
                }
            }
        }
    }

    /// Runs `f` on a thread with a 2 MB stack, the default for test and
    /// spawned threads, so the result does not depend on `RUST_MIN_STACK`.
    fn on_2mb_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(f)
            .expect("spawn")
            .join()
            .expect("no crash");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "reads and drops three 10,000-deep data: over 2.5 min under Miri"
    )]
    fn max_nesting_reads_and_drops() {
        on_2mb_stack(|| {
            // `(([(...x...)]))` at exactly MAX_NESTING levels, mixing brackets.
            let mut src = String::new();
            for i in 0..MAX_NESTING {
                src.push(if i % 2 == 0 { '(' } else { '[' });
            }
            src.push('x');
            for i in (0..MAX_NESTING).rev() {
                src.push(if i % 2 == 0 { ')' } else { ']' });
            }
            let d = one(&src);
            assert_eq!(depth(&d), MAX_NESTING);
            drop(d);
            let d = one(&format!("{}x", "'".repeat(MAX_NESTING)));
            assert_eq!(depth(&d), MAX_NESTING);
            drop(d);
            let d = one(&format!(
                "{}x{}",
                "{".repeat(MAX_NESTING),
                "}".repeat(MAX_NESTING)
            ));
            assert_eq!(depth(&d), MAX_NESTING);
        });
    }

    #[test]
    fn nesting_one_past_the_limit_is_an_error() {
        let src = format!(
            "{}{}",
            "(".repeat(MAX_NESTING + 1),
            ")".repeat(MAX_NESTING + 1)
        );
        let message = format!("nesting too deep (more than {MAX_NESTING} levels)");
        check_err(&src, 1, (MAX_NESTING + 1) as u32, &message, false);
        let src = format!("{}x", "'".repeat(MAX_NESTING + 1));
        check_err(&src, 1, (MAX_NESTING + 1) as u32, &message, false);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "reads six inputs of 100,000 openers: over 2.5 min under Miri"
    )]
    fn hostile_nesting_is_an_error_not_a_crash() {
        let run = || {
            for src in [
                "(".repeat(100_000),
                "[".repeat(100_000),
                "{".repeat(100_000),
                "@{".repeat(100_000),
                "'".repeat(100_000),
                "#;".repeat(100_000),
            ] {
                let e = read_all(&src, FileId::default()).expect_err("too deep");
                assert!(e.message.contains("nesting too deep"), "{}", e.message);
                assert!(!e.incomplete);
            }
        };
        // A small stack proves the reader does not recurse.
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(run)
            .expect("spawn")
            .join()
            .expect("no crash");
    }

    /// Random soup of tricky fragments: the reader may reject it, but must
    /// neither panic nor report a position outside the input.
    #[test]
    #[cfg_attr(miri, ignore = "20,000 random inputs: over 2.5 min under Miri")]
    fn random_input_never_panics() {
        #[rustfmt::skip]
        const PIECES: &[&str] = &[
            "(", ")", "[", "]", "{", "}", "@{", "@", "'", "`", ",", ",@", "\"", "\\", "\\x",
            "\\u{", "4", "1e", ".", "..", "-", "+", "#", "#t", "#f", "#;", "#|", "|#", ";",
            "\n", " ", ":", "λ", "😀", "\u{a0}", "a", "nil", "9999999999999999999", "#!",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = next() % 24;
            let src: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let lines = src.split('\n').count() as u32;
            if let Err(e) = read_all(&src, file()) {
                assert!(e.span.line >= 1 && e.span.line <= lines, "{src:?}: {e:?}");
                assert!(e.span.col >= 1, "{src:?}: {e:?}");
            }
            let _ = read_first(&src, file());
        }
    }

    #[test]
    fn number_shapes() {
        assert_eq!(number_shape(b"1"), NumberShape::Int);
        assert_eq!(number_shape(b"-1"), NumberShape::Int);
        assert_eq!(number_shape(b"1.5"), NumberShape::Float);
        assert_eq!(number_shape(b"1e5"), NumberShape::Float);
        assert_eq!(number_shape(b""), NumberShape::NotNumber);
        assert_eq!(number_shape(b"-"), NumberShape::NotNumber);
        assert_eq!(number_shape(b"."), NumberShape::NotNumber);
        assert_eq!(number_shape(b"1e"), NumberShape::NotNumber);
        assert_eq!(number_shape(b"1e5x"), NumberShape::NotNumber);
    }
}
