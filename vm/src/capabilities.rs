//! Capabilities: what a script may reach outside the VM, each granted by
//! the host (LANGUAGE.md §7, §8). A sandboxed VM has only
//! [`Capability::Output`].
//!
//! What a script does without a capability:
//!
//! - **files**: every file primitive (`read-file`, `write-file`,
//!   `append-file`, `file-exists?`, `delete-file`, `read-lines`,
//!   `list-directory`) and `import` raise `io-error`;
//! - **FFI**: the foreign function interface is absent (the FFI crate is
//!   not part of the build yet: only the flag exists);
//! - **exit**: `(exit n)` raises `capability-error` (an `error`, so the
//!   script may catch it) instead of ending the host's process;
//! - **environment**: `(getenv name)` is nil ([`Vm::require`] and
//!   [`Vm::has_capability`] are the checks for it);
//! - **output**: `print` and friends raise `io-error`.

use crate::error::{RtError, RtResult};
use crate::vm::Vm;

/// One thing a script may be allowed to reach outside the VM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Reading, writing, listing and deleting files; `import`.
    Files,
    /// Foreign functions (LANGUAGE.md §8).
    Ffi,
    /// `(exit n)` ending the process.
    Exit,
    /// Reading the process's environment variables (`getenv`).
    Env,
    /// Writing to the program's output (`print` and friends).
    Output,
}

impl Capability {
    /// Every capability.
    pub const ALL: [Capability; 5] = [
        Capability::Files,
        Capability::Ffi,
        Capability::Exit,
        Capability::Env,
        Capability::Output,
    ];

    fn bit(self) -> u8 {
        1 << self as u8
    }

    /// Its name, as messages show it.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Files => "file access",
            Capability::Ffi => "the FFI",
            Capability::Exit => "exit",
            Capability::Env => "environment access",
            Capability::Output => "output",
        }
    }
}

/// A set of [`Capability`]s.
///
/// ```
/// use elle_vm::capabilities::{Capabilities, Capability};
/// let caps = Capabilities::sandbox().with(Capability::Env, true);
/// assert!(caps.has(Capability::Output) && caps.has(Capability::Env));
/// assert!(!caps.has(Capability::Files));
/// assert!(Capabilities::all().has(Capability::Exit));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities(u8);

impl Capabilities {
    /// Every capability: what a VM has unless the host says otherwise.
    pub fn all() -> Capabilities {
        Capability::ALL
            .iter()
            .fold(Capabilities(0), |c, &cap| c.with(cap, true))
    }

    /// A sandbox's: output only (no files, FFI, exit or environment).
    pub fn sandbox() -> Capabilities {
        Capabilities(0).with(Capability::Output, true)
    }

    /// These capabilities with `cap` granted (`on`) or taken away.
    pub fn with(self, cap: Capability, on: bool) -> Capabilities {
        if on {
            Capabilities(self.0 | cap.bit())
        } else {
            Capabilities(self.0 & !cap.bit())
        }
    }

    /// Whether `cap` is granted.
    pub fn has(self, cap: Capability) -> bool {
        self.0 & cap.bit() != 0
    }
}

impl Default for Capabilities {
    fn default() -> Capabilities {
        Capabilities::all()
    }
}

impl Vm {
    /// What the scripts of this VM may reach outside it.
    pub fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    /// Grants exactly `caps`.
    pub fn set_capabilities(&mut self, caps: Capabilities) {
        self.capabilities = caps;
    }

    /// Whether `cap` is granted.
    pub fn has_capability(&self, cap: Capability) -> bool {
        self.capabilities.has(cap)
    }

    /// `Ok` if `cap` is granted; otherwise the condition a built-in `func`
    /// raises without it: `io-error` for files and output, `ffi-error` for
    /// the FFI, `capability-error` for exit and the environment.
    pub fn require(&self, cap: Capability, func: &str) -> RtResult<()> {
        if self.has_capability(cap) {
            return Ok(());
        }
        let ctype = match cap {
            Capability::Files | Capability::Output => "io-error",
            Capability::Ffi => "ffi-error",
            Capability::Exit | Capability::Env => "capability-error",
        };
        Err(RtError::new(
            ctype,
            format!(
                "{func}: {} is not allowed in this engine (it is sandboxed)",
                cap.name()
            ),
        ))
    }
}
