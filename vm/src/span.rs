//! Source positions: which file, which line, which column.

use std::sync::{Mutex, OnceLock};

/// A registered source name (a file path, `<repl>`, `<eval>`, `-e`...).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct FileId(pub u32);

fn files() -> &'static Mutex<Vec<String>> {
    static FILES: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    FILES.get_or_init(|| Mutex::new(vec!["<unknown>".to_string()]))
}

impl FileId {
    /// Registers a source name and returns its id.
    pub fn register(name: &str) -> FileId {
        let mut f = files().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = f.iter().position(|n| n == name) {
            return FileId(i as u32);
        }
        f.push(name.to_string());
        FileId((f.len() - 1) as u32)
    }

    /// The source name.
    pub fn name(self) -> String {
        let f = files().lock().unwrap_or_else(|e| e.into_inner());
        f.get(self.0 as usize).cloned().unwrap_or_default()
    }
}

/// A position in a source: 1-based line and column (columns count characters).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Span {
    pub file: FileId,
    pub line: u32,
    pub col: u32,
}

impl Span {
    pub fn new(file: FileId, line: u32, col: u32) -> Span {
        Span { file, line, col }
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.name(), self.line, self.col)
    }
}
