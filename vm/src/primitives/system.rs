//! The process's surroundings: `getenv`, `sleep`, `read-line`.

use std::io::BufRead;
use std::time::Duration;

use crate::capabilities::Capability;
use crate::error::RtError;
use crate::primitives::{expected, str_arg};
use crate::value::Value;
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    // Without the environment capability (a sandbox) no variable is set.
    vm.define_native("getenv", 1, Some(1), |vm, a| {
        let name = str_arg(vm, "getenv", a[0])?;
        // A name with `=` or NUL is no variable's (and would make the OS
        // call panic).
        if !vm.has_capability(Capability::Env) || name.is_empty() || name.contains(['=', '\0']) {
            return Ok(Value::Nil);
        }
        match std::env::var_os(name) {
            Some(v) => {
                let v = v.to_string_lossy().into_owned();
                Ok(vm.heap.alloc_string(v))
            }
            None => Ok(Value::Nil),
        }
    });
    vm.define_native("sleep", 1, Some(1), |vm, a| {
        let secs = match a[0] {
            Value::Int(n) if n >= 0 => Some(Duration::from_secs(n as u64)),
            // Longer than a Duration holds is as good as forever.
            Value::Float(f) if f >= 0.0 && f.is_finite() => {
                Some(Duration::try_from_secs_f64(f).unwrap_or(Duration::MAX))
            }
            _ => None,
        };
        let Some(d) = secs else {
            return Err(expected(vm, "sleep", "non-negative number", a[0]));
        };
        vm.flush_output();
        vm.sleep(d)?;
        Ok(Value::Nil)
    });
    vm.define_native("read-line", 0, Some(0), |vm, _| {
        // A prompt printed before the read is seen before the wait.
        vm.flush_output();
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_until(b'\n', &mut buf)
            .map_err(|e| RtError::io(format!("read-line: cannot read standard input: {e}")))?;
        if buf.is_empty() {
            return Ok(Value::Nil);
        }
        if buf.ends_with(b"\n") {
            buf.pop();
            if buf.ends_with(b"\r") {
                buf.pop();
            }
        }
        match String::from_utf8(buf) {
            Ok(line) => Ok(vm.heap.alloc_string(line)),
            Err(_) => Err(RtError::io("read-line: standard input is not valid UTF-8")),
        }
    });
}
