//! The REPL's `:jit` commands: the tier's status and statistics, and the
//! Cranelift IR of a global function compiled for example arguments.

use elle_vm::datum::DatumKind;
use elle_vm::reader;
use elle_vm::span::FileId;
use elle_vm::tier::JitMode;
use elle_vm::{Value, Vm};

use super::input::REPL_NAME;

/// `:jit`: the mode and what the tier has done, one fact per line (the
/// `--jit-stats` report).
pub fn status(vm: &Vm) -> String {
    crate::tier::report(vm)
}

/// `:jit ir NAME [ARG...]`: a comment line saying what the code is
/// specialised to, then the IR of every function compiled with it (NAME
/// first, then the callees compiled into the same unit). With no `ARG`,
/// each parameter is the integer 0.
pub fn ir(vm: &mut Vm, name: &str, args: &str) -> Result<String, String> {
    let value = match vm.get_global(name) {
        Some(v) => v,
        None if vm.get_macro(name).is_some() => {
            return Err(format!("{name} is a macro: only functions are compiled"));
        }
        None => return Err(format!("{name} is not defined")),
    };
    let proto = super::function_proto(vm, name, value)?;
    if vm.jit_mode() == JitMode::Off {
        return Err(
            "the JIT is off: start elle with --jit auto or --jit eager to see compiled code".into(),
        );
    }
    let eligibility = proto.tier().eligibility();
    if !eligibility.is_eligible() {
        return Err(format!(
            "{name} cannot be compiled: {}",
            eligibility.describe(&proto)
        ));
    }
    let nparams = proto.nparams() as usize;
    let given = example_arguments(args)?;
    let defaulted = given.is_empty() && nparams > 0;
    let values = if given.is_empty() {
        vec![Value::Int(0); nparams]
    } else {
        given
    };
    if values.len() != nparams {
        return Err(format!(
            "{name} takes {nparams} argument{}, got {} example argument{}",
            plural(nparams),
            values.len(),
            plural(values.len()),
        ));
    }
    let text = vm
        .tier_ir(value, &values)
        .map_err(|e| format!("cannot compile {name}: {e}"))?;
    let types: Vec<&str> = values.iter().map(|&v| type_name(v)).collect();
    let mut out = format!("; {name} specialised to ({})", types.join(" "));
    if defaulted {
        out.push_str(" (no example arguments given: 0 for each parameter)");
    }
    out.push('\n');
    out.push_str(text.trim_end());
    out.push('\n');
    Ok(out)
}

/// The values of the example arguments: each a number, a boolean or nil,
/// the only types compiled code is specialised to.
fn example_arguments(text: &str) -> Result<Vec<Value>, String> {
    let data = reader::read_all(text, FileId::register(REPL_NAME))
        .map_err(|e| format!("cannot read the example arguments: {e}"))?;
    data.iter()
        .enumerate()
        .map(|(i, d)| {
            let other = match d.kind {
                DatumKind::Int(n) => return Ok(Value::Int(n)),
                DatumKind::Float(x) => return Ok(Value::Float(x)),
                DatumKind::Bool(b) => return Ok(if b { Value::TRUE } else { Value::FALSE }),
                DatumKind::Nil => return Ok(Value::Nil),
                DatumKind::Str(_) => "a string",
                DatumKind::Symbol(_) => "a symbol",
                DatumKind::Keyword(_) => "a keyword",
                DatumKind::List(..) => "a list",
                DatumKind::Vector(_) => "a vector",
            };
            Err(format!(
                "example argument {} is {other}: compiled code is specialised only to \
                 numbers, booleans and nil",
                i + 1
            ))
        })
        .collect()
}

/// The name `type` gives the types an example argument can have.
fn type_name(v: Value) -> &'static str {
    match v {
        Value::Int(_) => "integer",
        Value::Float(_) => "float",
        Value::Bool(_) => "boolean",
        _ => "nil",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use elle_vm::tier::DEFAULT_THRESHOLD;

    fn vm_with(mode: JitMode, src: &str) -> Vm {
        let mut vm = Vm::new();
        crate::tier::install(&mut vm, mode);
        if let Err(e) = vm.eval_source(src, "t") {
            panic!("{e}");
        }
        vm
    }

    const PROGRAM: &str = "\
(define (add a b) (+ a b))
(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(define (adder n)
  (lambda (x) (+ x n)))
(define answer 42)
(defmacro twice (x) (list 'begin x x))";

    #[test]
    fn ir_of_an_eligible_function_defaults_to_integers() {
        let mut vm = vm_with(JitMode::Auto(DEFAULT_THRESHOLD), PROGRAM);
        let text = ir(&mut vm, "add", "").unwrap_or_else(|e| panic!("{e}"));
        let first = text.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            "; add specialised to (integer integer) (no example arguments given: 0 for each parameter)"
        );
        assert!(text.contains("function "), "{text}");
        assert!(text.contains("sadd_overflow"), "{text}");
    }

    #[test]
    fn ir_for_example_arguments() {
        let mut vm = vm_with(JitMode::Eager, PROGRAM);
        let text = ir(&mut vm, "add", "1.5 2.0").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            text.starts_with("; add specialised to (float float)\n"),
            "{text}"
        );
        assert!(text.contains("fadd"), "{text}");
        let text = ir(&mut vm, "fib", "10").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            text.starts_with("; fib specialised to (integer)\n"),
            "{text}"
        );
        assert!(text.contains("function "), "{text}");
    }

    #[test]
    fn ir_errors() {
        let mut vm = vm_with(JitMode::Auto(DEFAULT_THRESHOLD), PROGRAM);
        let mut err = |name, args| ir(&mut vm, name, args).err().unwrap_or_default();
        assert_eq!(err("nope", ""), "nope is not defined");
        assert_eq!(
            err("twice", ""),
            "twice is a macro: only functions are compiled"
        );
        assert!(err("car", "").contains("built-in"));
        assert!(err("answer", "").contains("not a function: its value is 42"));
        assert_eq!(
            err("adder", ""),
            "adder cannot be compiled: not eligible: makes a closure (line 4, column 3)"
        );
        assert_eq!(
            err("add", "1"),
            "add takes 2 arguments, got 1 example argument"
        );
        assert!(err("add", "1 \"two\"").starts_with("example argument 2 is a string"));
        assert!(err("add", "1 (").starts_with("cannot read the example arguments"));

        let mut off = vm_with(JitMode::Off, PROGRAM);
        let e = ir(&mut off, "add", "").err().unwrap_or_default();
        assert!(e.starts_with("the JIT is off"), "{e}");
    }

    #[test]
    fn status_is_the_jit_stats_report() {
        let mut vm = vm_with(JitMode::Eager, PROGRAM);
        if let Err(e) = vm.eval_source("(fib 5)", "t") {
            panic!("{e}");
        }
        let text = status(&vm);
        assert!(text.starts_with("jit: eager\n"), "{text}");
        assert!(!text.contains("jit: compiled 0 entries"), "{text}");
    }
}
