//! Output: `display print println write newline`, `debug-print`, `trace`.

use crate::error::RtResult;
use crate::printer::{display_string, write_string};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    vm.define_native("display", 1, None, |vm, a| print_joined(vm, a, "", false));
    vm.define_native("print", 0, None, |vm, a| print_joined(vm, a, "", false));
    vm.define_native("println", 0, None, |vm, a| print_joined(vm, a, "\n", false));
    vm.define_native("write", 1, None, |vm, a| print_joined(vm, a, "", true));
    vm.define_native("newline", 0, Some(0), |vm, _| {
        vm.write_out("\n")?;
        Ok(Value::Nil)
    });
    vm.define_native("debug-print", 1, Some(1), |vm, a| {
        let line = format!("[DEBUG] {}", write_string(vm, a[0]));
        vm.write_diagnostic(&line);
        Ok(a[0])
    });
    vm.define_native("trace", 2, Some(2), |vm, a| {
        let line = format!(
            "[TRACE] {}: {}",
            display_string(vm, a[0]),
            write_string(vm, a[1])
        );
        vm.write_diagnostic(&line);
        Ok(a[1])
    });
}

/// Writes the arguments separated by spaces, then `end`.
fn print_joined(vm: &mut Vm, args: &[Value], end: &str, write_form: bool) -> RtResult<Value> {
    let mut s = String::new();
    for (i, &v) in args.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        if write_form {
            s.push_str(&write_string(vm, v));
        } else {
            s.push_str(&display_string(vm, v));
        }
    }
    s.push_str(end);
    vm.write_out(&s)?;
    Ok(Value::Nil)
}
