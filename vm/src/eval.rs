//! Running source: read, then compile and run each top-level form in turn,
//! so that a macro defined by one form is available to the next.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::compiler::desugar;
use crate::datum::{Datum, MAX_NESTING};
use crate::error::{ElleError, RtError, RtResult};
use crate::reader::{self, ReadError};
use crate::span::FileId;
use crate::value::Value;
use crate::vm::Vm;

/// The `read-error` condition for a reader failure.
pub fn read_error(e: &ReadError) -> RtError {
    RtError::at("read-error", e.span, &e.message)
}

impl Vm {
    /// Reads and runs a whole source text; the value is the last form's.
    pub fn eval_source(&mut self, src: &str, file: &str) -> Result<Value, ElleError> {
        let r = self.eval_source_rt(src, file);
        self.flush_output();
        r.map_err(|e| self.host_error(e))
    }

    pub fn eval_source_rt(&mut self, src: &str, file: &str) -> RtResult<Value> {
        let forms = Vm::read_forms(src, file)?;
        self.eval_forms(&forms)
    }

    /// Reads a whole source text named `file` into its forms, or the
    /// `read-error`.
    pub fn read_forms(src: &str, file: &str) -> RtResult<Vec<Datum>> {
        reader::read_all(src, FileId::register(file)).map_err(|e| read_error(&e))
    }

    pub fn eval_forms(&mut self, forms: &[Datum]) -> RtResult<Value> {
        let mut last = Value::Nil;
        for f in forms {
            last = self.eval_toplevel(f)?;
        }
        Ok(last)
    }

    /// Evaluates one top-level form. A top-level `begin` is taken apart so
    /// that macros defined inside it serve its later forms.
    pub fn eval_toplevel(&mut self, form: &Datum) -> RtResult<Value> {
        self.eval_toplevel_at(form, 0)
    }

    /// `eval_toplevel` inside `depth` enclosing top-level `begin`s. The
    /// depth is bounded so that a macro expanding into a `begin` that calls
    /// it again is a `syntax-error`, not a native stack overflow.
    fn eval_toplevel_at(&mut self, form: &Datum, depth: usize) -> RtResult<Value> {
        let form = self.expand_head(form)?;
        if form.head_symbol().is_some_and(|s| s.name() == "begin") {
            if depth >= MAX_NESTING {
                return Err(RtError::syntax(
                    form.span,
                    format!(
                        "top-level `begin` nests too deeply (more than {MAX_NESTING} levels; does a macro expand into itself?)"
                    ),
                ));
            }
            let items = form.as_list().unwrap_or(&[]);
            let mut last = Value::Nil;
            for f in &items[1..] {
                last = self.eval_toplevel_at(f, depth + 1)?;
            }
            return Ok(last);
        }
        let proto = crate::compiler::compile_toplevel(self, &form)?;
        self.run_proto(proto)
    }

    /// Expands a macro call at the head of a top-level form (the form
    /// itself, not a copy, when there is none).
    fn expand_head<'d>(&mut self, form: &'d Datum) -> RtResult<Cow<'d, Datum>> {
        let mut cur = Cow::Borrowed(form);
        for _ in 0..desugar::MAX_EXPANSIONS {
            let Some(head) = cur.head_symbol() else {
                return Ok(cur);
            };
            let Some(&m) = self.macros.get(&head) else {
                return Ok(cur);
            };
            if desugar::is_special(head) {
                return Ok(cur);
            }
            cur = Cow::Owned(desugar::expand_macro_call(self, m, &cur)?);
        }
        Err(desugar::endless_expansion(form.span))
    }

    /// Runs a file; relative imports inside it resolve against its folder.
    pub fn load_file(&mut self, path: &Path) -> RtResult<Value> {
        let src = self.read_source(path, "")?;
        self.run_file_source(path, &src)
    }

    fn run_file_source(&mut self, path: &Path, src: &str) -> RtResult<Value> {
        let saved = self.current_file.replace(path.to_path_buf());
        let r = self.eval_source_rt(src, &path.display().to_string());
        self.current_file = saved;
        r
    }

    /// `(import "path")` from the file `from`: runs the file once.
    pub fn import(&mut self, path: &str, from: &str) -> RtResult<Value> {
        self.require(crate::capabilities::Capability::Files, "import")?;
        let base = Path::new(from)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let full: PathBuf = if Path::new(path).is_absolute() {
            PathBuf::from(path)
        } else {
            base.join(path)
        };
        let key = full.canonicalize().unwrap_or_else(|_| full.clone());
        if self.imported.contains(&key) {
            return Ok(Value::TRUE);
        }
        if self.frames.len() > 200 && self.imported.len() > 1000 {
            return Err(RtError::io("import: too many nested imports"));
        }
        let src = self.read_source(&full, "import: ")?;
        self.imported.insert(key);
        self.run_file_source(&full, &src)?;
        Ok(Value::TRUE)
    }

    /// A program file's text; failing to read it is an `io-error`
    /// `PREFIXcannot read "PATH": REASON` whose data is the path, and text
    /// that is not UTF-8 a `read-error` at its first bad byte.
    fn read_source(&mut self, path: &Path, prefix: &str) -> RtResult<String> {
        let shown = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => {
                reader::decode_source(bytes, FileId::register(&shown)).map_err(|e| read_error(&e))
            }
            Err(e) => {
                let message = format!(
                    "{prefix}cannot read {shown:?}: {}",
                    crate::primitives::files::os_message(&e)
                );
                Err(RtError::with_data(
                    "io-error",
                    message,
                    self.heap.alloc_string(shown),
                ))
            }
        }
    }
}
