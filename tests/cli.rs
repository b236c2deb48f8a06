//! The `elle` command as a user runs it (LANGUAGE.md §9): output, error
//! reports and exit statuses of the real binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ELLE: &str = env!("CARGO_BIN_EXE_elle");

/// A fresh folder for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-tests")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

/// Runs elle in `dir` with `input` on stdin (a pipe, never a terminal).
fn run_in(dir: Option<&Path>, args: &[&str], input: &str) -> Output {
    run_bytes(dir, args, input.as_bytes())
}

/// [`run_in`] with any bytes on stdin.
fn run_bytes(dir: Option<&Path>, args: &[&str], input: &[u8]) -> Output {
    let mut cmd = Command::new(ELLE);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let mut child = cmd.spawn().expect("start elle");
    if let Some(mut stdin) = child.stdin.take() {
        // A program that exits without reading stdin closes the pipe early.
        let _ = stdin.write_all(input);
    }
    child.wait_with_output().expect("wait for elle")
}

fn elle(args: &[&str]) -> Output {
    run_in(None, args, "")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn status(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

/// Asserts a successful run with exactly this stdout.
fn assert_ok(o: &Output, expected_stdout: &str) {
    assert_eq!(status(o), 0, "stderr: {}", stderr(o));
    assert_eq!(stdout(o), expected_stdout);
}

// ----- -e -----

#[test]
fn eval_prints_the_write_form_of_the_last_value() {
    assert_ok(&elle(&["-e", "(+ 1 2)"]), "3\n");
    assert_ok(&elle(&["-e", "1 2 \"three\""]), "\"three\"\n");
    assert_ok(
        &elle(&["-e", "(list 1 \"a\" #t nil)"]),
        "(1 \"a\" #t nil)\n",
    );
    assert_ok(&elle(&["--eval", "'sym"]), "sym\n");
    // An empty program's value is nil.
    assert_ok(&elle(&["-e", ""]), "nil\n");
    assert_ok(&elle(&["-e", "; only a comment"]), "nil\n");
}

#[test]
fn eval_code_may_start_with_a_hyphen() {
    assert_ok(&elle(&["-e", "-7"]), "-7\n");
    assert_ok(&elle(&["-e", "-0.5", "a"]), "-0.5\n");
    assert_ok(&elle(&["--eval", "-1"]), "-1\n");
}

#[test]
fn eval_output_comes_before_the_value() {
    assert_ok(&elle(&["-e", "(display \"x\") 5"]), "x5\n");
}

#[test]
fn eval_passes_positionals_to_the_program() {
    assert_ok(
        &elle(&["-e", "(command-line)", "a", "-b", "--c"]),
        "(\"a\" \"-b\" \"--c\")\n",
    );
    assert_ok(&elle(&["-e", "(command-line)"]), "nil\n");
}

#[test]
fn eval_errors_report_and_exit_1() {
    let o = elle(&["-e", "(car 1)"]);
    assert_eq!(status(&o), 1);
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).starts_with("error[type-error]: "),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("(-e:1:1)"), "{}", stderr(&o));
}

// ----- files -----

#[test]
fn file_gets_its_arguments_from_command_line() {
    let dir = scratch("file_args");
    let prog = write(&dir, "args.lisp", "(write (command-line))\n(newline)\n");
    let prog = prog.to_str().expect("utf-8 path");
    let o = elle(&[prog, "one", "two words", "--max-depth", "-e"]);
    assert_ok(&o, "(\"one\" \"two words\" \"--max-depth\" \"-e\")\n");
}

#[test]
fn file_value_is_not_printed() {
    let dir = scratch("file_quiet");
    let prog = write(&dir, "quiet.lisp", "(define x 1)\n(+ x 41)\n");
    assert_ok(&elle(&[prog.to_str().expect("utf-8 path")]), "");
}

#[test]
fn shebang_line_is_ignored() {
    let dir = scratch("shebang");
    let prog = write(&dir, "s.lisp", "#!/usr/bin/env elle\n(display \"ok\")\n");
    assert_ok(&elle(&[prog.to_str().expect("utf-8 path")]), "ok");
}

#[test]
fn imports_resolve_against_the_file_not_the_working_folder() {
    let dir = scratch("imports");
    std::fs::create_dir_all(dir.join("lib")).expect("mkdir");
    write(&dir, "lib/util.lisp", "(define (twice x) (* 2 x))\n");
    let prog = write(
        &dir,
        "lib/main.lisp",
        "(import \"util.lisp\")\n(display (twice 21))\n",
    );
    let o = run_in(
        Some(&scratch("imports_cwd")),
        &[prog.to_str().expect("utf-8")],
        "",
    );
    assert_ok(&o, "42");
}

/// The report of §9: headline, then the trace innermost first, each frame
/// at the position of the call that was running in it.
#[test]
fn uncaught_error_in_a_file_prints_the_report() {
    let dir = scratch("report");
    write(
        &dir,
        "stats.lisp",
        "; stats.lisp: the average of an empty list\n\
         \n\
         (define (average xs)\n\
         \x20 (/ (fold + 0 xs)\n\
         \x20    (length xs)))\n\
         \n\
         (define data (list))\n\
         (println \"before\")\n\
         (println (average data))\n\
         (println \"never\")\n",
    );
    let o = run_in(Some(&dir), &["stats.lisp"], "");
    assert_eq!(status(&o), 1);
    assert_eq!(stdout(&o), "before\n", "output before the error is flushed");
    assert_eq!(
        stderr(&o),
        "error[division-by-zero]: division by zero\n\
         \x20 at average (stats.lisp:4:3)\n\
         \x20 at <top> (stats.lisp:9:10)\n"
    );
}

#[test]
fn read_errors_exit_1_with_the_position() {
    let dir = scratch("read_error");
    write(&dir, "bad.lisp", "(define x 1)\n(list 1 2]\n");
    let o = run_in(Some(&dir), &["bad.lisp"], "");
    assert_eq!(status(&o), 1);
    assert!(
        stderr(&o).starts_with("error[read-error]: bad.lisp:2:10: "),
        "{}",
        stderr(&o)
    );

    write(&dir, "open.lisp", "(define (f x)\n  (+ x 1)\n");
    let o = run_in(Some(&dir), &["open.lisp"], "");
    assert_eq!(status(&o), 1);
    assert!(
        stderr(&o).starts_with("error[read-error]: open.lisp:"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn compile_errors_exit_1() {
    let o = elle(&["-e", "(lambda (x))"]);
    assert_eq!(status(&o), 1);
    assert!(
        stderr(&o).starts_with("error[syntax-error]: -e:1:1: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_file_names_it_and_exits_1() {
    let o = elle(&["no-such-file.lisp"]);
    assert_eq!(status(&o), 1);
    let err = stderr(&o);
    assert!(err.starts_with("error[io-error]: "), "{err}");
    assert!(err.contains("no-such-file.lisp"), "{err}");
}

// ----- stdin -----

#[test]
fn program_is_read_from_piped_stdin() {
    let o = run_in(None, &[], "(define (sq x) (* x x))\n(display (sq 7))\n");
    assert_ok(&o, "49");
}

#[test]
fn dash_reads_stdin_and_passes_arguments() {
    let o = run_in(None, &["-", "a", "b"], "(write (command-line))");
    assert_ok(&o, "(\"a\" \"b\")");
}

#[test]
fn stdin_errors_are_reported_as_stdin() {
    let o = run_in(None, &[], "(display 1)\n(car nil)\n");
    assert_eq!(status(&o), 1);
    assert_eq!(stdout(&o), "1");
    assert!(
        stderr(&o).starts_with("error[type-error]: "),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("(<stdin>:2:1)"), "{}", stderr(&o));
}

#[test]
fn read_line_reads_the_lines_of_stdin() {
    let prog = "(let loop ((l (read-line))) (when l (write l) (loop (read-line))))";
    let o = run_in(None, &["-e", prog], "one\ntwo words\r\n\nlast");
    assert_ok(&o, "\"one\"\"two words\"\"\"\"last\"nil\n");
}

#[test]
fn read_line_shows_a_prompt_first_and_rejects_invalid_utf8() {
    let o = run_in(None, &["-e", "(display \"name? \") (read-line)"], "Ann\n");
    assert_ok(&o, "name? \"Ann\"\n");
    let o = run_bytes(None, &["-e", "(read-line)"], b"caf\xe9\n");
    assert_eq!(status(&o), 1);
    assert!(
        stderr(&o).starts_with("error[io-error]: read-line: standard input is not valid UTF-8"),
        "{}",
        stderr(&o)
    );
}

// ----- exit statuses -----

#[test]
fn exit_sets_the_status() {
    let o = elle(&["-e", "(exit 3)"]);
    assert_eq!(status(&o), 3);
    assert_eq!(stdout(&o), "", "-e prints no value after exit");
    assert_eq!(stderr(&o), "");

    let o = run_in(
        None,
        &[],
        "(display \"partial\")\n(exit 4)\n(display \"never\")",
    );
    assert_eq!(status(&o), 4);
    assert_eq!(stdout(&o), "partial");

    assert_eq!(status(&elle(&["-e", "(exit)"])), 0);
}

#[test]
fn exit_status_keeps_the_low_8_bits() {
    assert_eq!(status(&elle(&["-e", "(exit 255)"])), 255);
    assert_eq!(status(&elle(&["-e", "(exit 256)"])), 0);
    assert_eq!(status(&elle(&["-e", "(exit -1)"])), 255);
    let o = elle(&["-e", "(exit 1.5)"]);
    assert_eq!(status(&o), 1);
    assert!(
        stderr(&o).starts_with("error[type-error]: exit: expected integer, got float 1.5"),
        "{}",
        stderr(&o)
    );
}

/// Runs the bytes `src` as a file in a scratch folder, then as stdin;
/// each run must fail with exactly this stderr (`FILE` stands for the
/// source's name).
fn assert_read_error(test: &str, src: &[u8], expected: &str) {
    let dir = scratch(test);
    std::fs::write(dir.join("prog.lisp"), src).expect("write");
    for (args, name) in [(&["prog.lisp"][..], "prog.lisp"), (&[][..], "<stdin>")] {
        let input: &[u8] = if args.is_empty() { src } else { b"" };
        let o = run_bytes(Some(&dir), args, input);
        assert_eq!(status(&o), 1, "{name}");
        assert_eq!(stdout(&o), "", "{name}");
        assert_eq!(stderr(&o), expected.replace("FILE", name), "{name}");
    }
}

#[test]
fn invalid_utf8_is_a_read_error_at_the_first_bad_byte() {
    assert_read_error(
        "latin1",
        b"(display 1)\n(display \"caf\xe9\")",
        "error[read-error]: FILE:2:14: invalid UTF-8 (byte 0xE9)\n",
    );
    // Columns count characters; a truncated sequence at the end counts too.
    assert_read_error(
        "truncated",
        "(display \"λλ\") ; é"
            .as_bytes()
            .split_last()
            .expect("bytes")
            .1,
        "error[read-error]: FILE:1:18: invalid UTF-8 (byte 0xC3)\n",
    );
    // An imported file is read the same way.
    let dir = scratch("import_latin1");
    std::fs::write(dir.join("lib.lisp"), b"\n  \xff").expect("write");
    write(&dir, "main.lisp", "(import \"lib.lisp\")");
    let o = run_in(Some(&dir), &["main.lisp"], "");
    assert_eq!(status(&o), 1);
    assert!(
        stderr(&o).starts_with("error[read-error]: ")
            && stderr(&o).contains("lib.lisp:2:3: invalid UTF-8 (byte 0xFF)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_nul_byte_outside_a_string_is_a_read_error() {
    assert_read_error(
        "nul",
        b"(display 1)\n(display 'a\0b)",
        "error[read-error]: FILE:2:12: a NUL byte outside a string\n",
    );
    assert_read_error(
        "nul_alone",
        b"\0",
        "error[read-error]: FILE:1:1: a NUL byte outside a string\n",
    );
    // Inside a string it is a character like any other.
    let dir = scratch("nul_in_string");
    std::fs::write(dir.join("s.lisp"), b"(write (string-length \"a\0b\"))").expect("write");
    let o = run_in(Some(&dir), &["s.lisp"], "");
    assert_ok(&o, "3");
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let dir = scratch("bom");
    let bom = "\u{feff}";
    write(&dir, "bom.lisp", &format!("{bom}(display \"ok\")\n(car 1)"));
    let o = run_in(Some(&dir), &["bom.lisp"], "");
    assert_eq!(stdout(&o), "ok");
    // The mark takes no column.
    assert!(stderr(&o).contains("(bom.lisp:2:1)"), "{}", stderr(&o));
    write(
        &dir,
        "shebang.lisp",
        &format!("{bom}#!/usr/bin/env elle\n(display 2)"),
    );
    assert_ok(&run_in(Some(&dir), &["shebang.lisp"], ""), "2");
    assert_ok(&run_in(None, &[], &format!("{bom}(display 3)")), "3");
    assert_ok(&run_in(None, &["-e", &format!("{bom}(+ 1 3)")], ""), "4\n");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--bogus"][..],
        &["--max-depth"],
        &["--max-depth", "many", "-e", "1"],
        &["-e"],
    ] {
        let o = elle(args);
        assert_eq!(status(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("--help"), "{}", stderr(&o));
    }
}

#[test]
fn every_jit_mode_runs_and_an_unknown_one_is_a_usage_error() {
    for mode in ["off", "auto", "eager"] {
        assert_ok(&elle(&["--jit", mode, "-e", "(+ 1 2)"]), "3\n");
    }
    let o = elle(&["--jit", "fast", "-e", "(+ 1 2)"]);
    assert_eq!(status(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("invalid value 'fast' for '--jit <MODE>'"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("[possible values: off, auto, eager]"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn jit_stats_report_what_was_compiled_and_what_was_not() {
    let program = "(define (sq x) (* x x)) (define (hello) (println \"hi\")) (hello) (sq 3)";
    let o = elle(&["--jit", "eager", "--jit-stats", "-e", program]);
    assert_eq!(status(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "hi\n9\n");
    let err = stderr(&o);
    assert!(err.contains("jit: eager"), "{err}");
    assert!(
        err.contains("jit: compiled 1 entries, 2 machine functions"),
        "{err}"
    );
    let o = elle(&[
        "--jit",
        "auto",
        "--jit-threshold",
        "5",
        "--jit-stats",
        "-e",
        "(+ 1 2)",
    ]);
    assert!(
        stderr(&o).contains("jit: auto (threshold 5)"),
        "{}",
        stderr(&o)
    );
    let o = elle(&["--jit", "off", "--jit-stats", "-e", "(+ 1 2)"]);
    assert!(stderr(&o).contains("jit: off"), "{}", stderr(&o));
}

#[test]
fn help_and_version_exit_0() {
    let o = elle(&["--help"]);
    assert_eq!(status(&o), 0);
    assert!(stdout(&o).contains("Usage: elle [OPTIONS] [FILE] [ARGS]..."));
    assert!(stdout(&o).contains("--max-depth"));

    let o = elle(&["--version"]);
    assert_ok(&o, &format!("elle {}\n", env!("CARGO_PKG_VERSION")));
}

// ----- closed output streams -----

/// The writing end of a pipe whose reading end is already closed: every
/// write to it fails with EPIPE, as when the output goes to `head`.
#[cfg(unix)]
fn closed_pipe() -> Stdio {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe` writes; the
    // reading end is closed at once and the writing end is owned by the
    // returned `File` alone.
    unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0, "pipe");
        libc::close(fds[0]);
        Stdio::from(std::fs::File::from_raw_fd(fds[1]))
    }
}

/// `elle ... 2>&1 | head -1`: a closed stdout or stderr ends the program
/// with status 0 or 1 as usual, never with a Rust panic (status 101).
#[cfg(unix)]
#[test]
fn closed_output_streams_are_not_a_crash() {
    let run = |args: &[&str], closed_stdout: bool| {
        let mut cmd = Command::new(ELLE);
        cmd.args(args).stdin(Stdio::null());
        if closed_stdout {
            cmd.stdout(closed_pipe()).stderr(Stdio::piped());
        } else {
            cmd.stdout(Stdio::piped()).stderr(closed_pipe());
        }
        cmd.output().expect("run elle")
    };
    // The error report and debug-print go to a closed stderr.
    let o = run(&["-e", "(debug-print 1) (trace :x 2) (car nil)"], false);
    assert_eq!(status(&o), 1);
    let o = run(&["-e", "(debug-print 1) :done"], false);
    assert_ok(&o, ":done\n");
    // Program output to a closed stdout is an io-error once the buffer is
    // written out; the report still reaches stderr.
    let o = run(
        &["-e", "(let loop ((i 0)) (println i) (loop (+ i 1)))"],
        true,
    );
    assert_eq!(status(&o), 1, "stderr: {}", stderr(&o));
    assert!(
        stderr(&o).starts_with("error[io-error]: cannot write output"),
        "{}",
        stderr(&o)
    );
    let o = run(&["-e", "(println 1) 5"], true);
    assert_eq!(status(&o), 0, "stderr: {}", stderr(&o));
}

// ----- limits -----

const DEEP: &str = "(define (depth n) (if (= n 0) 0 (+ 1 (depth (- n 1)))))";

#[test]
fn max_depth_limits_non_tail_recursion() {
    let over = format!("{DEEP} (depth 1000)");
    let o = elle(&["--max-depth", "100", "-e", &over]);
    assert_eq!(status(&o), 1);
    let err = stderr(&o);
    assert!(err.starts_with("error[stack-overflow]: "), "{err}");
    assert!(
        err.lines().count() < 50,
        "repeated frames are collapsed: {err}"
    );

    let under = format!("{DEEP} (depth 50)");
    assert_ok(&elle(&["--max-depth", "100", "-e", &under]), "50\n");
}

#[test]
fn fuel_stops_a_program_after_all_its_output_is_written() {
    // More lines than one buffer holds, so some are still buffered when
    // the fuel runs out, in every way of giving the program.
    let program =
        "(let loop ((i 0)) (when (< i 3000) (println \"line\" i) (loop (+ i 1)))) (while true nil)";
    let dir = scratch("fuel_output");
    let file = write(&dir, "spin.lisp", program);
    let file = file.to_string_lossy().into_owned();
    let runs = [
        run_in(None, &["--fuel", "100000", &file], ""),
        run_in(None, &["--fuel", "100000", "-e", program], ""),
        run_in(None, &["--fuel", "100000", "-"], program),
    ];
    let expected: String = (0..3000).map(|i| format!("line {i}\n")).collect();
    for o in &runs {
        assert_eq!(status(o), 1);
        assert!(
            stdout(o) == expected,
            "lost output: {} bytes",
            o.stdout.len()
        );
        assert!(
            stderr(o).starts_with("error[fuel-exhausted]: fuel exhausted\n"),
            "{}",
            stderr(o)
        );
    }
    // Enough fuel: the same loop finishes.
    let o = elle(&[
        "--fuel",
        "100000",
        "-e",
        "(let loop ((i 0)) (if (< i 1000) (loop (+ i 1)) i))",
    ]);
    assert_ok(&o, "1000\n");
}

#[test]
fn default_depth_allows_deep_recursion() {
    let code = format!("{DEEP} (depth 50000)");
    assert_ok(&elle(&["-e", &code]), "50000\n");
}

#[test]
fn deeply_nested_source_compiles() {
    // The compiler recurses on nesting: this needs the big evaluation stack.
    let n = 5000;
    let code = format!("{}1{}", "(list ".repeat(n), ")".repeat(n));
    let o = elle(&["-e", &format!("(length {code})")]);
    assert_ok(&o, "1\n");
}

// ----- the REPL, through a pseudo-terminal -----

#[cfg(unix)]
mod repl {
    use std::fs::File;
    use std::io::{Read, Write};
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc::{Receiver, channel};
    use std::time::{Duration, Instant};

    use super::{ELLE, scratch};

    const TIMEOUT: Duration = Duration::from_secs(20);

    /// Opens a pseudo-terminal: (master, slave).
    fn open_pty() -> (File, File) {
        // SAFETY: plain libc calls on a descriptor this function owns; every
        // result is checked before it is used.
        unsafe {
            let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
            assert!(master >= 0, "posix_openpt failed");
            let master = OwnedFd::from_raw_fd(master);
            assert_eq!(libc::grantpt(master.as_raw_fd()), 0);
            assert_eq!(libc::unlockpt(master.as_raw_fd()), 0);
            let name = libc::ptsname(master.as_raw_fd());
            assert!(!name.is_null(), "ptsname failed");
            let name = std::ffi::CStr::from_ptr(name).to_owned();
            let slave = libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY);
            assert!(slave >= 0, "cannot open the pty slave");
            let size = libc::winsize {
                ws_row: 24,
                ws_col: 100,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            libc::ioctl(slave, libc::TIOCSWINSZ, &size);
            (File::from(master), File::from_raw_fd(slave))
        }
    }

    /// An elle REPL on a pseudo-terminal, and everything it has printed.
    struct Session {
        child: Child,
        master: File,
        output: Receiver<Vec<u8>>,
        seen: String,
    }

    impl Session {
        fn start(home: &std::path::Path) -> Session {
            Session::start_with(home, &[])
        }

        /// A REPL started with options such as `--jit eager`.
        fn start_with(home: &std::path::Path, args: &[&str]) -> Session {
            let (master, slave) = open_pty();
            let child = Command::new(ELLE)
                .args(args)
                .env("HOME", home)
                .current_dir(home)
                .stdin(Stdio::from(slave.try_clone().expect("dup")))
                .stdout(Stdio::from(slave.try_clone().expect("dup")))
                .stderr(Stdio::from(slave))
                .spawn()
                .expect("start elle");
            let (tx, output) = channel();
            let mut reader = master.try_clone().expect("dup");
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                // Reading fails with EIO once the REPL has exited.
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            });
            Session {
                child,
                master,
                output,
                seen: String::new(),
            }
        }

        /// Waits until the output, from the last match on, contains `text`,
        /// and consumes it.
        fn expect(&mut self, text: &str) {
            self.expect_without(text, None);
        }

        /// `expect`, checking that `absent` does not come before `text`.
        fn expect_without(&mut self, text: &str, absent: Option<&str>) {
            let deadline = Instant::now() + TIMEOUT;
            loop {
                if let Some(i) = self.seen.find(text) {
                    if let Some(a) = absent {
                        assert!(
                            !self.seen[..i].contains(a),
                            "{a:?} came before {text:?}: {:?}",
                            self.seen
                        );
                    }
                    self.seen.drain(..i + text.len());
                    return;
                }
                let left = deadline.saturating_duration_since(Instant::now());
                match self.output.recv_timeout(left) {
                    Ok(bytes) => self.seen.push_str(&plain(&bytes)),
                    Err(_) => panic!("timed out waiting for {text:?}; got {:?}", self.seen),
                }
            }
        }

        /// Types a line, once the REPL is waiting for one.
        fn line(&mut self, prompt: &str, text: &str) {
            self.expect(prompt);
            self.type_raw(&format!("{text}\r"));
        }

        fn type_raw(&mut self, text: &str) {
            self.master.write_all(text.as_bytes()).expect("type");
        }

        /// Sends one SIGINT, as the terminal does on Ctrl-C during an
        /// evaluation, and waits for `text`. Once: a second Ctrl-C before
        /// the first is seen ends the REPL, and on a loaded machine the
        /// first may take a while to be seen.
        fn interrupt_until(&mut self, text: &str) {
            self.sigint();
            let deadline = Instant::now() + TIMEOUT;
            while !self.seen.contains(text) {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.output.recv_timeout(left) {
                    Ok(bytes) => self.seen.push_str(&plain(&bytes)),
                    Err(_) => panic!("no {text:?} after Ctrl-C; got {:?}", self.seen),
                }
            }
        }

        /// Sends SIGINT, as the terminal does on Ctrl-C.
        fn sigint(&self) {
            let pid = self.child.id() as libc::pid_t;
            // SAFETY: a plain libc call on our own child's pid.
            assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
        }

        fn wait(&mut self) -> i32 {
            let deadline = Instant::now() + TIMEOUT;
            loop {
                if let Some(status) = self.child.try_wait().expect("wait") {
                    return status.code().expect("exit status");
                }
                if Instant::now() > deadline {
                    let _ = self.child.kill();
                    panic!("the REPL did not exit; output: {:?}", self.seen);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    impl Drop for Session {
        /// A failed test must not leave its REPL running.
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// Terminal output without escape sequences and carriage returns.
    fn plain(bytes: &[u8]) -> String {
        let text = String::from_utf8_lossy(bytes);
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '\x1b' => {
                    // CSI: ESC [ parameters final-letter.
                    if chars.next() == Some('[') {
                        for c in chars.by_ref() {
                            if c.is_ascii_alphabetic() || c == '~' {
                                break;
                            }
                        }
                    }
                }
                '\r' => {}
                c => out.push(c),
            }
        }
        out
    }

    const PROMPT: &str = "elle> ";
    const MORE: &str = "  ...> ";
    const DEBUG_1: &str = "elle[1]> ";
    const DEBUG_2: &str = "elle[2]> ";

    #[test]
    fn evaluates_multi_line_entries_and_commands() {
        let home = scratch("repl_session");
        let mut s = Session::start(&home);
        s.line(PROMPT, "(define (square x)");
        s.line(MORE, "  (* x x))");
        s.expect("#<function square>");
        s.line(PROMPT, "(square 12)");
        s.expect("144\n");
        s.line(PROMPT, "(car 1)");
        s.expect("error[type-error]: ");
        s.line(DEBUG_1, ":abort");
        s.line(PROMPT, ":time (square 3)");
        s.expect("9\n; time: ");
        s.line(PROMPT, ":dis square");
        s.expect("fn square (params: 1,");
        s.line(PROMPT, ":bogus");
        s.expect("unknown command :bogus");
        s.line(PROMPT, "(display \"no newline\")");
        s.expect("no newline\nnil\n");
        s.line(PROMPT, ":quit");
        assert_eq!(s.wait(), 0);
        let history = std::fs::read_to_string(home.join(".elle_history")).expect("history");
        assert!(history.contains("(square 12)"), "{history}");
    }

    #[test]
    fn every_form_of_a_line_is_printed_and_kept_as_dollar_n() {
        let home = scratch("repl_results");
        let mut s = Session::start(&home);
        s.line(PROMPT, "(+ 1 2) (+ 3 4) \"x\"");
        s.expect("3\n7\n\"x\"\n");
        s.line(PROMPT, "(list $1 $2 $3)");
        s.expect("(3 7 \"x\")\n");
        // That list was result 4.
        s.line(PROMPT, "(length $4)");
        s.expect("3\n");
        // An error stops the line: the forms after it are not evaluated.
        s.line(PROMPT, "(define before 1) (car 1) (define after 2)");
        s.expect("1\n");
        s.expect("error[type-error]");
        s.line(DEBUG_1, ":abort");
        s.line(PROMPT, "(list before (try after (catch e :unbound)))");
        s.expect("(1 :unbound)\n");
        s.line(PROMPT, ":quit");
        assert_eq!(s.wait(), 0);
    }

    #[test]
    fn describe_and_apropos() {
        let home = scratch("repl_describe");
        let mut s = Session::start(&home);
        s.line(PROMPT, "(define (area w h) (* w h))");
        s.expect("#<function area>");
        s.line(PROMPT, ":describe area");
        s.expect("area is a function (w h), defined at <repl>:1:1; jit: eligible\n");
        s.line(PROMPT, ":describe car");
        s.expect("car is a built-in function of 1 argument\n");
        s.line(PROMPT, ":describe if");
        s.expect("if is a special form");
        s.line(PROMPT, "(defmacro twice (x) (list 'begin x x))");
        s.expect(PROMPT);
        s.type_raw(":describe twice\r");
        s.expect("twice is a macro (x), defined at <repl>:1:1");
        s.line(PROMPT, "(define limit 10)");
        s.expect("10\n");
        s.line(PROMPT, ":describe limit");
        s.expect("limit is a variable; its value is an integer: 10\n");
        s.line(PROMPT, ":describe nothing-here");
        s.expect("nothing-here is not defined\n");
        s.line(PROMPT, ":apropos string-sp");
        s.expect("string-split\n");
        s.line(PROMPT, ":apropos zzqq");
        s.expect("no global name contains \"zzqq\"");
        s.line(PROMPT, ":quit");
        assert_eq!(s.wait(), 0);
    }

    #[test]
    fn an_unhandled_error_enters_a_debug_level_where_a_restart_continues_the_computation() {
        let home = scratch("repl_debug_restart");
        let mut s = Session::start(&home);
        s.line(
            PROMPT,
            "(define (safe-div a b) (restart-case (/ a b) (use-value (v) v) (retry () (safe-div a 1))))",
        );
        s.expect("#<function safe-div>");
        s.line(PROMPT, "(+ 100 (safe-div 1 0))");
        s.expect("error[division-by-zero]: division by zero");
        s.expect("debug level 1");
        s.line(DEBUG_1, ":restarts");
        s.expect("  1: use-value (1 argument)\n  2: retry (no arguments)\n");
        s.line(DEBUG_1, ":bt");
        s.expect("  at safe-div (<repl>:1:");
        // The frames are live: expressions are evaluated above them, in the
        // global environment.
        s.line(DEBUG_1, "(* 6 7)");
        s.expect("42\n");
        // The computation goes on with the restart's value.
        s.line(DEBUG_1, ":r 1 (+ 2 3)");
        s.expect("105\n");
        s.line(PROMPT, "(+ 100 (safe-div 1 0))");
        s.expect("debug level 1");
        s.line(DEBUG_1, ":r 2");
        s.expect("101\n");
        // A restart can also be invoked by an expression.
        s.line(PROMPT, "(+ 100 (safe-div 1 0))");
        s.expect("debug level 1");
        s.line(DEBUG_1, "(invoke-restart 'use-value 7)");
        s.expect("107\n");
        // Wrong restart numbers and argument counts keep the level.
        s.line(PROMPT, "(+ 100 (safe-div 1 0))");
        s.expect("debug level 1");
        s.line(DEBUG_1, ":r 9");
        s.expect("there is no restart number 9");
        s.line(DEBUG_1, ":r 1");
        s.expect("error[arity-error]");
        s.line(DEBUG_1, ":r 1 1");
        s.expect("101\n");
        s.line(PROMPT, ":quit");
        assert_eq!(s.wait(), 0);
    }

    #[test]
    fn debug_levels_nest_and_abort_unwinds_one_level() {
        let home = scratch("repl_debug_nest");
        let mut s = Session::start(&home);
        s.line(
            PROMPT,
            "(restart-case (try (car 1) (finally (println \"cleanup\"))) (use-value (v) (list :used v)))",
        );
        // Nothing has unwound yet: the cleanup has not run.
        s.expect_without("debug level 1", Some("cleanup\n"));
        s.expect_without(DEBUG_1, Some("cleanup\n"));
        s.type_raw("(vector-ref [] 3)\r");
        s.expect("debug level 2");
        // The restarts of the first computation are still there.
        s.line(DEBUG_2, ":restarts");
        s.expect("  1: use-value (1 argument)\n");
        s.line(DEBUG_2, ":abort");
        s.line(DEBUG_1, "(+ 1 1)");
        s.expect("2\n");
        // Ctrl-D leaves a level too.
        s.line(DEBUG_1, "(car 2)");
        s.expect("debug level 2");
        s.expect(DEBUG_2);
        s.type_raw("\x04");
        // A restart from level 1 runs the cleanup on its way.
        s.line(DEBUG_1, ":r 1 :x");
        s.expect("cleanup\n(:used :x)\n");
        // :abort at level 1 unwinds the computation, cleanups included.
        s.line(
            PROMPT,
            "(try (car 3) (finally (println \"second cleanup\")))",
        );
        s.expect("debug level 1");
        s.line(DEBUG_1, ":abort");
        s.expect("second cleanup\n");
        s.line(PROMPT, "(+ 2 2)");
        s.expect("4\n");
        s.line(PROMPT, ":abort");
        s.expect("not in a debug level");
        // (exit n) at a debug level ends the REPL.
        s.line(PROMPT, "(car 4)");
        s.line(DEBUG_1, "(exit 5)");
        assert_eq!(s.wait(), 5);
    }

    #[test]
    fn ctrl_c_at_a_debug_level_keeps_the_level() {
        let home = scratch("repl_debug_interrupt");
        let mut s = Session::start_with(&home, &["--jit", "off"]);
        s.line(PROMPT, "(+ 1 (restart-case (car 1) (use-value (v) v)))");
        s.expect("debug level 1");
        s.expect(DEBUG_1);
        s.type_raw("(begin (debug-print :running) (while true nil))\r");
        s.expect("[DEBUG] :running");
        // `interrupted` does not enter a debug level: it is reported, and
        // the level stays, with its restarts.
        s.interrupt_until("error[interrupted]: interrupted");
        s.line(DEBUG_1, "(+ 2 2)");
        s.expect("4\n");
        s.line(DEBUG_1, ":r 1 41");
        s.expect("42\n");
        s.line(PROMPT, ":quit");
        assert_eq!(s.wait(), 0);
    }

    #[test]
    fn errors_handled_by_the_program_do_not_enter_the_debugger() {
        let home = scratch("repl_debug_handled");
        let mut s = Session::start(&home);
        s.line(PROMPT, "(try (car 1) (catch e :caught))");
        s.expect(":caught\n");
        s.line(
            PROMPT,
            "(handler-case (/ 1 0) (division-by-zero () :handled))",
        );
        s.expect(":handled\n");
        s.line(PROMPT, "(signal (make-condition 'error \"quiet\"))");
        s.expect("nil\n");
        s.line(PROMPT, "(warn \"careful\")");
        s.expect("warning: careful");
        s.expect("nil\n");
        s.line(PROMPT, ":quit");
        assert_eq!(s.wait(), 0);
    }

    #[test]
    fn completes_global_names() {
        let home = scratch("repl_completion");
        let mut s = Session::start(&home);
        s.line(PROMPT, "(define unusually-named-value 7)");
        s.expect("7\n");
        s.expect(PROMPT);
        s.type_raw("unusually-na\t");
        s.expect("unusually-named-value");
        s.type_raw("\r");
        s.expect("7\n");
        // Several candidates: Tab completes their common part, a second
        // Tab lists them.
        s.line(PROMPT, "(define unusually-named-other 8)");
        s.expect("8\n");
        s.expect(PROMPT);
        s.type_raw("unusually-na\t\t");
        s.expect("unusually-named-other");
        s.expect("unusually-named-value");
        s.type_raw("o\t\r");
        s.expect("8\n");
        s.line(PROMPT, "(exit 6)");
        assert_eq!(s.wait(), 6);
    }

    #[test]
    fn ctrl_c_abandons_the_entry_and_ctrl_d_quits() {
        let home = scratch("repl_keys");
        let mut s = Session::start(&home);
        s.line(PROMPT, "(+ 1");
        s.expect(MORE);
        s.type_raw("\x03");
        s.line(PROMPT, "(+ 2 2)");
        s.expect("4\n");
        s.expect(PROMPT);
        s.type_raw("\x04");
        assert_eq!(s.wait(), 0);
    }

    #[test]
    fn ctrl_c_interrupts_the_evaluation_and_keeps_the_session() {
        let home = scratch("repl_interrupt");
        let mut s = Session::start_with(&home, &["--jit", "off"]);
        s.line(PROMPT, "(define x 41)");
        s.expect("41\n");
        // History is written entry by entry, not only at the end.
        s.expect(PROMPT);
        let history = std::fs::read_to_string(home.join(".elle_history")).expect("history");
        assert!(history.contains("(define x 41)"), "{history}");
        // Ctrl-C is sent once the evaluation has started (it says so on
        // stderr, unbuffered): typed while rustyline reads, it would only
        // be a key.
        s.type_raw("(begin (debug-print :running) (try (while true nil) (catch e (println \"caught\")) (finally (println \"cleanup\"))))\r");
        s.expect("[DEBUG] :running");
        s.interrupt_until("error[interrupted]: interrupted");
        assert!(!s.seen.contains("caught"), "{}", s.seen);
        s.expect("cleanup\n");
        s.expect("error[interrupted]: interrupted");
        s.line(PROMPT, "(+ x 1)");
        s.expect("42\n");
        s.line(PROMPT, ":quit");
        assert_eq!(s.wait(), 0);
    }

    #[test]
    fn ctrl_c_interrupts_a_loop_in_compiled_code_and_keeps_the_session() {
        // The REPL holds the interrupt flag, so compiled code counts check
        // points (a self tail call here, a jump in machine code) and sees
        // the interrupt as the interpreter does.
        let home = scratch("repl_interrupt_compiled");
        let mut s = Session::start_with(&home, &["--jit", "eager"]);
        s.line(PROMPT, "(define (spin n) (if (< n 0) n (spin (+ n 1))))");
        s.expect("#<function spin>");
        s.type_raw("(begin (debug-print :running) (spin 0))\r");
        s.expect("[DEBUG] :running");
        s.interrupt_until("error[interrupted]: interrupted");
        s.line(PROMPT, "(spin -5)");
        s.expect("-5\n");
        s.line(PROMPT, ":quit");
        assert_eq!(s.wait(), 0);
    }

    #[test]
    fn ctrl_d_in_an_unfinished_entry_warns() {
        let home = scratch("repl_unbalanced_eof");
        let mut s = Session::start(&home);
        s.line(PROMPT, "(define (f x)");
        s.expect(MORE);
        s.type_raw("\x04");
        s.expect("end of input in an unfinished entry (its brackets do not balance); it was not evaluated");
        assert_eq!(s.wait(), 0);
    }

    #[test]
    fn dis_shows_jit_eligibility() {
        let home = scratch("repl_dis_eligibility");
        let mut s = Session::start(&home);
        s.line(PROMPT, "(define (square x) (* x x))");
        s.expect("#<function square>");
        s.line(PROMPT, ":dis square");
        s.expect(") in <repl>; jit: eligible\n");
        s.line(PROMPT, "(define (adder n) (lambda (x) (+ x n)))");
        s.expect("#<function adder>");
        s.line(PROMPT, ":dis adder");
        s.expect("; jit: not eligible: makes a closure (line 1, column 19)\n");
        s.expect("fn <lambda> (params: 1,");
        s.expect("; jit: not eligible: ");
        s.line(PROMPT, ":quit");
        assert_eq!(s.wait(), 0);
    }

    #[test]
    fn jit_shows_the_tier_and_the_ir_of_a_function() {
        let home = scratch("repl_jit");
        let mut s = Session::start_with(&home, &["--jit", "eager"]);
        s.line(PROMPT, "(define (add a b) (+ a b))");
        s.expect("#<function add>");
        s.line(PROMPT, "(add 2 3)");
        s.expect("5\n");
        s.line(PROMPT, ":jit");
        s.expect("jit: eager\n");
        s.expect("jit: compiled 1 entries");
        s.expect("deoptimisations");
        s.line(PROMPT, ":jit ir add");
        s.expect(
            "; add specialised to (integer integer) \
             (no example arguments given: 0 for each parameter)\n",
        );
        s.expect("function ");
        s.expect("sadd_overflow");
        s.line(PROMPT, ":jit ir add 1.5 2.5");
        s.expect("; add specialised to (float float)\n");
        s.expect("fadd");
        // Errors are one line each, and the session goes on.
        s.line(PROMPT, ":jit ir add 1");
        s.expect("add takes 2 arguments, got 1 example argument\n");
        s.line(PROMPT, "(define (adder n) (lambda (x) (+ x n)))");
        s.expect("#<function adder>");
        s.line(PROMPT, ":jit ir adder");
        s.expect("adder cannot be compiled: not eligible: makes a closure (line 1, column 19)\n");
        s.line(PROMPT, ":jit ir car");
        s.expect("car is a built-in function");
        s.line(PROMPT, ":jit ir");
        s.expect(":jit ir needs an argument");
        s.line(PROMPT, "(add 1 1)");
        s.expect("2\n");
        s.line(PROMPT, ":quit");
        assert_eq!(s.wait(), 0);
    }

    #[test]
    fn jit_ir_says_when_the_jit_is_off() {
        let home = scratch("repl_jit_off");
        let mut s = Session::start_with(&home, &["--jit", "off"]);
        s.line(PROMPT, "(define (add a b) (+ a b))");
        s.expect("#<function add>");
        s.line(PROMPT, ":jit");
        s.expect("jit: off\n");
        s.line(PROMPT, ":jit ir add");
        s.expect("the JIT is off");
        s.line(PROMPT, ":quit");
        assert_eq!(s.wait(), 0);
    }
}

#[test]
fn max_memory_stops_a_program_after_all_its_output_is_written() {
    let program = "(let loop ((i 0)) (when (< i 3000) (println \"line\" i) (loop (+ i 1)))) (define (grow s) (grow (string s s))) (grow \"ab\")";
    let o = elle(&["--max-memory", "32M", "-e", program]);
    assert_eq!(status(&o), 1);
    let expected: String = (0..3000).map(|i| format!("line {i}\n")).collect();
    assert!(
        stdout(&o) == expected,
        "lost output: {} bytes",
        o.stdout.len()
    );
    assert!(
        stderr(&o).starts_with("error[memory-limit]: memory limit exceeded\n"),
        "{}",
        stderr(&o)
    );
    for bad in ["lots", "12X", "-1"] {
        assert_eq!(status(&elle(&["--max-memory", bad, "-e", "1"])), 2, "{bad}");
    }
    assert_eq!(
        stdout(&elle(&["--max-memory", "1G", "-e", "(+ 1 2)"])),
        "3\n"
    );
}

#[test]
fn sandbox_takes_files_and_exit_away() {
    let o = elle(&["--sandbox", "-e", "(exit 3)"]);
    assert_eq!(status(&o), 1);
    assert!(
        stderr(&o).starts_with("error[capability-error]: exit: exit is not allowed"),
        "{}",
        stderr(&o)
    );
    let o = elle(&["--sandbox", "-e", "(read-file \"Cargo.toml\")"]);
    assert_eq!(status(&o), 1);
    assert!(
        stderr(&o).starts_with("error[io-error]: read-file: file access is not allowed"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        stdout(&elle(&["--sandbox", "-e", "(println \"out\")"])),
        "out\nnil\n"
    );
}
