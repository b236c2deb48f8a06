//! Files: `read-file write-file append-file file-exists? delete-file
//! read-lines list-directory`. Every failure raises `io-error` with the
//! operating system's message and the path (also the condition's data).

use std::io::Write;

use crate::capabilities::Capability;
use crate::error::{RtError, RtResult};
use crate::primitives::{expected, str_arg};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    vm.define_native("read-file", 1, Some(1), |vm, a| {
        let path = path_arg(vm, "read-file", a[0])?;
        reserve_file(vm, &path)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| io_error("read-file", "cannot read", &path, e, a[0]))?;
        Ok(vm.heap.alloc_string(text))
    });
    vm.define_native("write-file", 2, Some(2), |vm, a| {
        let path = path_arg(vm, "write-file", a[0])?;
        let content = str_arg(vm, "write-file", a[1])?;
        std::fs::write(&path, content)
            .map_err(|e| io_error("write-file", "cannot write", &path, e, a[0]))?;
        Ok(Value::Nil)
    });
    vm.define_native("append-file", 2, Some(2), |vm, a| {
        let path = path_arg(vm, "append-file", a[0])?;
        let content = str_arg(vm, "append-file", a[1])?;
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .and_then(|mut f| f.write_all(content.as_bytes()))
            .map_err(|e| io_error("append-file", "cannot append to", &path, e, a[0]))?;
        Ok(Value::Nil)
    });
    vm.define_native("file-exists?", 1, Some(1), |vm, a| {
        let path = path_arg(vm, "file-exists?", a[0])?;
        Ok(Value::bool(std::path::Path::new(&path).exists()))
    });
    vm.define_native("delete-file", 1, Some(1), |vm, a| {
        let path = path_arg(vm, "delete-file", a[0])?;
        std::fs::remove_file(&path)
            .map_err(|e| io_error("delete-file", "cannot delete", &path, e, a[0]))?;
        Ok(Value::Nil)
    });
    vm.define_native("read-lines", 1, Some(1), |vm, a| {
        let path = path_arg(vm, "read-lines", a[0])?;
        reserve_file(vm, &path)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| io_error("read-lines", "cannot read", &path, e, a[0]))?;
        // A string and a pair a line.
        vm.reserve(
            text.lines()
                .count()
                .saturating_mul(2 * crate::heap::SLOT_BYTES),
        )?;
        let lines: Vec<Value> = text.lines().map(|l| vm.heap.alloc_str(l)).collect();
        Ok(vm.heap.list(&lines))
    });
    vm.define_native("list-directory", 1, Some(1), list_directory);
}

/// Makes sure the file at `path` fits under the memory limit before it is
/// read (a file that cannot be looked at fails when it is read).
fn reserve_file(vm: &mut Vm, path: &str) -> RtResult<()> {
    let len = std::fs::metadata(path).map_or(0, |m| m.len());
    vm.reserve(usize::try_from(len).unwrap_or(usize::MAX))
}

/// The path argument, copied out of the heap; an `io-error` first if the
/// VM may not touch files (`capabilities.rs`).
fn path_arg(vm: &Vm, func: &str, v: Value) -> RtResult<String> {
    vm.require(Capability::Files, func)?;
    str_arg(vm, func, v)
        .map(str::to_string)
        .map_err(|_| expected(vm, func, "path string", v))
}

/// `func: cannot read "path": No such file or directory`.
fn io_error(func: &str, doing: &str, path: &str, e: std::io::Error, data: Value) -> RtError {
    RtError::with_data(
        "io-error",
        format!("{func}: {doing} {path:?}: {}", os_message(&e)),
        data,
    )
}

/// The error's text without Rust's ` (os error N)` suffix.
pub(crate) fn os_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => s[..i].to_string(),
        _ => s,
    }
}

/// `(list-directory path)`: the names of the entries, sorted.
fn list_directory(vm: &mut Vm, a: &[Value]) -> RtResult<Value> {
    let path = path_arg(vm, "list-directory", a[0])?;
    let fail = |e| io_error("list-directory", "cannot list", &path, e, a[0]);
    let entries = std::fs::read_dir(&path).map_err(fail)?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(fail)?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    let vals: Vec<Value> = names.into_iter().map(|n| vm.heap.alloc_string(n)).collect();
    Ok(vm.heap.list(&vals))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicU32, Ordering};

    use crate::printer::write_string;
    use crate::vm::Vm;

    /// A fresh empty directory under the system temp dir.
    fn temp_dir() -> PathBuf {
        static N: AtomicU32 = AtomicU32::new(0);
        let d = std::env::temp_dir().join(format!(
            "elle-files-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn run(vm: &mut Vm, src: &str) -> String {
        match vm.eval_source(src, "test") {
            Ok(v) => write_string(vm, v),
            Err(e) => panic!("{src}: {e}"),
        }
    }

    fn fails(vm: &mut Vm, src: &str, ctype: &str, msg: &str) {
        match vm.eval_source(src, "test") {
            Ok(v) => panic!("{src}: expected an error, got {}", write_string(vm, v)),
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
    #[cfg_attr(miri, ignore = "uses the file system, which Miri's isolation forbids")]
    fn write_read_append_delete() {
        let d = temp_dir();
        let f = d.join("a.txt");
        let mut vm = Vm::new();
        vm.eval_source(&format!("(define f {:?})", f.to_str().unwrap()), "test")
            .unwrap();
        assert_eq!(run(&mut vm, "(file-exists? f)"), "#f");
        assert_eq!(run(&mut vm, "(write-file f \"one\\ntwo→\\n\")"), "nil");
        assert_eq!(run(&mut vm, "(file-exists? f)"), "#t");
        assert_eq!(run(&mut vm, "(read-file f)"), "\"one\\ntwo→\\n\"");
        assert_eq!(run(&mut vm, "(append-file f \"three\\r\\n\")"), "nil");
        assert_eq!(
            run(&mut vm, "(read-lines f)"),
            "(\"one\" \"two→\" \"three\")"
        );
        assert_eq!(run(&mut vm, "(write-file f \"\")"), "nil");
        assert_eq!(run(&mut vm, "(read-lines f)"), "nil");
        assert_eq!(run(&mut vm, "(delete-file f)"), "nil");
        assert_eq!(run(&mut vm, "(file-exists? f)"), "#f");
        // append-file creates a missing file.
        assert_eq!(run(&mut vm, "(append-file f \"x\")"), "nil");
        assert_eq!(run(&mut vm, "(read-file f)"), "\"x\"");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    #[cfg_attr(miri, ignore = "uses the file system, which Miri's isolation forbids")]
    fn list_directory_sorted() {
        let d = temp_dir();
        for name in ["b", "a", "c.lisp"] {
            std::fs::write(d.join(name), "").unwrap();
        }
        std::fs::create_dir(d.join("sub")).unwrap();
        let mut vm = Vm::new();
        let src = format!("(list-directory {:?})", d.to_str().unwrap());
        assert_eq!(run(&mut vm, &src), "(\"a\" \"b\" \"c.lisp\" \"sub\")");
        assert_eq!(
            run(
                &mut vm,
                &format!("(file-exists? {:?})", d.to_str().unwrap())
            ),
            "#t"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    #[cfg_attr(miri, ignore = "uses the file system, which Miri's isolation forbids")]
    fn failures_are_io_errors() {
        let d = temp_dir();
        let missing = d.join("missing.txt");
        let m = missing.to_str().unwrap();
        let mut vm = Vm::new();
        fails(
            &mut vm,
            &format!("(read-file {m:?})"),
            "io-error",
            "read-file: cannot read",
        );
        fails(
            &mut vm,
            &format!("(read-file {m:?})"),
            "io-error",
            "missing.txt",
        );
        fails(
            &mut vm,
            &format!("(read-file {m:?})"),
            "io-error",
            "No such file",
        );
        fails(
            &mut vm,
            &format!("(read-lines {m:?})"),
            "io-error",
            "read-lines",
        );
        fails(
            &mut vm,
            &format!("(delete-file {m:?})"),
            "io-error",
            "delete-file: cannot delete",
        );
        fails(
            &mut vm,
            &format!("(list-directory {m:?})"),
            "io-error",
            "list-directory",
        );
        let nodir = d.join("no/such/dir/f.txt");
        let n = nodir.to_str().unwrap();
        fails(
            &mut vm,
            &format!("(write-file {n:?} \"x\")"),
            "io-error",
            "write-file: cannot write",
        );
        fails(
            &mut vm,
            &format!("(append-file {n:?} \"x\")"),
            "io-error",
            "append-file",
        );
        // A directory is not a readable file.
        let ds = d.to_str().unwrap();
        fails(
            &mut vm,
            &format!("(read-file {ds:?})"),
            "io-error",
            "read-file",
        );
        // The error can be caught like any other.
        assert_eq!(
            run(
                &mut vm,
                &format!("(try (read-file {m:?}) (catch e (condition-type e)))")
            ),
            "io-error"
        );
        fails(
            &mut vm,
            "(read-file 1)",
            "type-error",
            "read-file: expected path string",
        );
        fails(
            &mut vm,
            "(write-file \"x\" 1)",
            "type-error",
            "write-file: expected string",
        );
        fails(&mut vm, "(file-exists? nil)", "type-error", "file-exists?");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
