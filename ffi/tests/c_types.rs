//! Every §8 type in and out of a small C library compiled from
//! `tests/types.c` with the system's `cc` while the test runs: the
//! extremes of each integer type, sign extension of small types, floats,
//! booleans, pointers, NULL strings, mixed register classes and arguments
//! passed on the stack.

use std::path::PathBuf;
use std::process::Command;

use elle_vm::Vm;
use elle_vm::printer::write_string;

/// Compiles `types.c` into a shared library in a fresh temporary folder.
fn library() -> PathBuf {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/types.c");
    let dir = std::env::temp_dir().join(format!("elle-ffi-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let out = dir.join("libelletypes.so");
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(&out)
        .arg(&src)
        .status()
        .expect("cc (a C compiler) is needed to build the test library");
    assert!(status.success(), "cc failed on {}", src.display());
    out
}

#[test]
fn every_type_in_and_out_of_c() {
    let path = library();
    let mut vm = Vm::new();
    elle_ffi::install(&mut vm);
    let setup = format!("(define lib (ffi/load {:?}))", path.to_string_lossy());
    vm.eval_source(&setup, "setup").unwrap();
    let cases: &[(&str, &str)] = &[
        ("((ffi/fn lib \"t_not\" :bool :bool) #f)", "#t"),
        ("((ffi/fn lib \"t_not\" :bool :bool) #t)", "#f"),
        ("((ffi/fn lib \"t_i8\" :i8 :i8) -128)", "-128"),
        ("((ffi/fn lib \"t_i8\" :i8 :i8) 127)", "127"),
        ("((ffi/fn lib \"t_u8\" :u8 :u8) 255)", "255"),
        ("((ffi/fn lib \"t_i16\" :i16 :i16) -32768)", "-32768"),
        ("((ffi/fn lib \"t_u16\" :u16 :u16) 65535)", "65535"),
        (
            "((ffi/fn lib \"t_i32\" :i32 :i32) -2147483648)",
            "-2147483648",
        ),
        (
            "((ffi/fn lib \"t_u32\" :u32 :u32) 4294967295)",
            "4294967295",
        ),
        (
            "((ffi/fn lib \"t_i64\" :i64 :i64) -9223372036854775808)",
            "-9223372036854775808",
        ),
        (
            "((ffi/fn lib \"t_u64\" :u64 :u64) 9223372036854775807)",
            "9223372036854775807",
        ),
        ("((ffi/fn lib \"t_float\" :float :float) 1.25)", "2.5"),
        ("((ffi/fn lib \"t_double\" :double :double) -0.75)", "-1.5"),
        (
            "((ffi/fn lib \"t_pointer\" :pointer :pointer) (ffi/null))",
            "#<pointer 0x0>",
        ),
        ("((ffi/fn lib \"t_null_string\" :string))", "nil"),
        (
            "((ffi/fn lib \"t_string\" :string :string) \"héllo\")",
            "\"héllo\"",
        ),
        ("((ffi/fn lib \"t_i8_is_negative\" :i8 :int) -1)", "1"),
        ("((ffi/fn lib \"t_i8_is_negative\" :i8 :int) 1)", "0"),
        (
            "((ffi/fn lib \"t_mixed\" :i32 :double :i64 :float :u8 :double) -1 0.5 10 0.25 200)",
            "209.75",
        ),
        (
            "((ffi/fn lib \"t_many\" :i64 :i64 :i64 :i64 :i64 :i64 :i64 :i64 :i64 :i64) 1 1 1 1 1 1 1 1 1)",
            "45",
        ),
        (
            "(let ((bump (ffi/fn lib \"t_bump\" :void)))
               (bump) (bump) (bump)
               (list (bump) ((ffi/fn lib \"t_counter\" :int))))",
            "(nil 4)",
        ),
    ];
    for (src, want) in cases {
        let got = match vm.eval_source(src, "t") {
            Ok(v) => write_string(&vm, v),
            Err(e) => format!("{}: {}", e.ctype, e.message),
        };
        assert_eq!(&got, want, "{src}");
    }
    let range_errors = [
        ("t_i8", ":i8", "128"),
        ("t_i8", ":i8", "-129"),
        ("t_u8", ":u8", "-1"),
        ("t_u8", ":u8", "256"),
        ("t_i16", ":i16", "32768"),
        ("t_u16", ":u16", "65536"),
        ("t_u32", ":u32", "4294967296"),
        ("t_u64", ":u64", "-1"),
    ];
    for (f, t, n) in range_errors {
        let src = format!("((ffi/fn lib \"{f}\" {t} {t}) {n})");
        let e = vm.eval_source(&src, "t").unwrap_err();
        assert_eq!(e.ctype, "type-error", "{src}");
        assert!(
            e.message.contains("is out of range"),
            "{src}: {}",
            e.message
        );
    }
    let _ = std::fs::remove_file(&path);
}
