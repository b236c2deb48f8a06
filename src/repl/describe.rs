//! `:describe NAME` and `:apropos TEXT` (LANGUAGE.md §9).

use elle_vm::Vm;
use elle_vm::bytecode::Proto;
use elle_vm::symbol::Sym;

use super::helper::completion_names;

/// Longest value shown by `:describe`, in characters.
const MAX_SHOWN: usize = 200;

/// What the global `name` is: a function (its parameters, where it is
/// defined, whether the JIT can compile it), a built-in, a macro, a
/// special form or a variable and its value.
pub fn describe(vm: &Vm, name: &str) -> String {
    if let Some(v) = vm.get_global(name) {
        if let Some(proto) = elle_vm::disasm::closure_proto(vm, v) {
            return format!("{name} is a function {}", function(&proto));
        }
        if let Some((min, max)) = vm.native_arity(v) {
            return format!(
                "{name} is a built-in function of {}",
                arguments(min as usize, max.map(|m| m as usize))
            );
        }
        let shown = shorten(elle_vm::printer::write_string(vm, v));
        let t = vm.type_name(v);
        let article = if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return format!("{name} is a variable; its value is {article} {t}: {shown}");
    }
    if let Some(m) = vm.get_macro(name) {
        if let Some(proto) = elle_vm::disasm::closure_proto(vm, m) {
            return format!("{name} is a macro {}", function(&proto));
        }
        return format!("{name} is a macro");
    }
    if elle_vm::compiler::desugar::is_special(Sym::intern(name)) {
        return format!("{name} is a special form (see LANGUAGE.md §4)");
    }
    format!("{name} is not defined")
}

/// `(x y & rest), defined at FILE:LINE:COL; jit: ...`.
fn function(proto: &Proto) -> String {
    let (params, rest) = proto.params();
    let mut list: Vec<String> = params.iter().map(|p| p.name().to_string()).collect();
    if let Some(r) = rest {
        list.push("&".into());
        list.push(r.name().to_string());
    }
    let mut s = format!("({})", list.join(" "));
    let at = proto.position();
    if at.line > 0 {
        s.push_str(&format!(
            ", defined at {}:{}:{}",
            at.file.name(),
            at.line,
            at.col
        ));
    }
    let eligibility = proto.tier().eligibility();
    s.push_str(&format!("; jit: {}", eligibility.describe(proto)));
    s
}

/// `2 arguments`, `1 or 2 arguments`, `any number of arguments`...
fn arguments(min: usize, max: Option<usize>) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    match max {
        Some(m) if m == min => format!("{min} argument{}", plural(min)),
        Some(m) => format!("{min} to {m} arguments"),
        None if min == 0 => "any number of arguments".into(),
        None => format!("{min} or more arguments"),
    }
}

fn shorten(mut text: String) -> String {
    if let Some((i, _)) = text.char_indices().nth(MAX_SHOWN) {
        text.truncate(i);
        text.push_str("...");
    }
    text
}

/// The global names (functions, variables, macros, special forms) that
/// contain `text`, one a line, sorted.
pub fn apropos(vm: &Vm, text: &str) -> String {
    let found: Vec<String> = completion_names(vm)
        .into_iter()
        .filter(|n| n.contains(text))
        .collect();
    if found.is_empty() {
        format!("no global name contains {text:?}")
    } else {
        found.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repl::tests::vm_with;

    #[test]
    fn describes_each_kind_of_global() {
        let vm = vm_with(
            "(define answer 42)\n(define (add a b & more) (+ a b))\n(defmacro twice (x) (list 'begin x x))",
        );
        assert!(
            describe(&vm, "add").starts_with("add is a function (a b & more), defined at t:2:")
        );
        assert_eq!(
            describe(&vm, "answer"),
            "answer is a variable; its value is an integer: 42"
        );
        assert!(describe(&vm, "twice").starts_with("twice is a macro (x)"));
        assert_eq!(
            describe(&vm, "car"),
            "car is a built-in function of 1 argument"
        );
        assert_eq!(
            describe(&vm, "if"),
            "if is a special form (see LANGUAGE.md §4)"
        );
        assert_eq!(describe(&vm, "nope"), "nope is not defined");
    }

    #[test]
    fn argument_counts() {
        assert_eq!(arguments(1, Some(1)), "1 argument");
        assert_eq!(arguments(2, Some(2)), "2 arguments");
        assert_eq!(arguments(1, Some(3)), "1 to 3 arguments");
        assert_eq!(arguments(0, None), "any number of arguments");
        assert_eq!(arguments(1, None), "1 or more arguments");
    }

    #[test]
    fn apropos_lists_the_names_containing_the_text() {
        let vm = vm_with("(define my-unusual-zzz 1)");
        assert_eq!(apropos(&vm, "unusual-zz"), "my-unusual-zzz");
        let many = apropos(&vm, "string-");
        assert!(many.lines().count() > 3, "{many}");
        assert!(many.lines().all(|l| l.contains("string-")), "{many}");
        assert_eq!(apropos(&vm, "qqqqqq"), "no global name contains \"qqqqqq\"");
    }
}
