//! elle-jit: Elle's second tier. Hot *primitive-only* functions (numbers,
//! booleans, locals, arithmetic, control flow, calls of other such
//! functions) become machine code through Cranelift, specialised to the
//! types their arguments had when they became hot.
//!
//! It plugs into the interpreter through [`elle_vm::tier::Tier`]; the VM
//! decides when (profiling) and runs the code (entry, deoptimisation), this
//! crate decides how:
//! - `infer.rs`: static types of every register at every instruction, and
//!   liveness;
//! - `ranges.rs`: integer ranges of registers, so that arithmetic that
//!   cannot overflow has no check;
//! - `unit.rs`: one compilation, the function and everything it calls,
//!   each callee specialised to its arguments' types;
//! - `codegen.rs`: the Cranelift IR of direct functions, interpreter
//!   entries and loop (OSR) entries.
//!
//! ```
//! let mut vm = elle_vm::Vm::new();
//! vm.set_tier(Some(Box::new(elle_jit::CraneliftTier::new())), elle_vm::tier::JitMode::Eager);
//! let v = vm.eval_source("(define (sq x) (* x x)) (sq 12)", "example").unwrap();
//! assert!(matches!(v, elle_vm::Value::Int(144)));
//! assert!(vm.tier_stats().compiled > 0);
//! ```

mod codegen;
mod infer;
mod ranges;
mod unit;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use cranelift_codegen::Context;
use cranelift_codegen::ir::UserFuncName;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module, default_libcall_names};

use elle_vm::Vm;
use elle_vm::tier::abi::EntryFn;
use elle_vm::tier::{Compiled, Request, Tier};

use codegen::{Helpers, Links, Mode};
use unit::{Cached, SpecKey, Unit};

/// Machine code the tier may generate in one VM; past it nothing more is
/// compiled (reported as the reason in the statistics).
pub const CODE_CAP: usize = 64 << 20;

/// The Cranelift tier.
pub struct CraneliftTier {
    /// The module and the helpers' ids in it, made at the
    /// first compilation, so that a program that never compiles anything
    /// pays nothing for the tier at start-up.
    module: Option<(Rc<CodeMemory>, Helpers)>,
    /// Direct functions compiled so far, by prototype, closure and
    /// parameter types.
    /// Indexed by `Request::limits`: code with the limits' check points
    /// and code without are separate functions.
    caches: [HashMap<SpecKey, Cached>; 2],
    next_name: u64,
    code_bytes: usize,
    /// The most native stack any direct function compiled so far uses: an
    /// entry's call budget is computed from it (`Compiled::frame_bytes`),
    /// and an entry reaches only functions compiled before it.
    frame_bytes: u32,
    /// Set after an internal error that left the module inconsistent.
    broken: Option<String>,
}

/// The JIT module and its code memory, freed when the tier and every
/// compiled entry (each holds an `Rc` of it) are gone.
struct CodeMemory {
    module: RefCell<Option<JITModule>>,
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        if let Some(module) = self.module.get_mut().take() {
            // SAFETY: this runs when the last `Rc` of the memory goes: the
            // tier's and every `Compiled::code` given out, which the VM
            // keeps with each entry it may call. No code in this memory
            // can be called afterwards.
            unsafe { module.free_memory() };
        }
    }
}

impl Default for CraneliftTier {
    fn default() -> Self {
        Self::new()
    }
}

impl CraneliftTier {
    /// A tier for the machine this runs on. Nothing is set up until the
    /// first compilation.
    pub fn new() -> CraneliftTier {
        CraneliftTier {
            module: None,
            caches: [HashMap::new(), HashMap::new()],
            next_name: 0,
            code_bytes: 0,
            frame_bytes: 0,
            broken: None,
        }
    }

    /// The module, made on first use.
    ///
    /// # Panics
    ///
    /// When Cranelift does not support the host (it supports x86-64,
    /// AArch64, RISC-V 64 and s390x).
    fn module(&mut self) -> (Rc<CodeMemory>, Helpers) {
        let (memory, helpers) = self.module.get_or_insert_with(|| {
            let (module, helpers) = module_with_helpers();
            let memory = Rc::new(CodeMemory {
                module: RefCell::new(Some(module)),
            });
            (memory, helpers)
        });
        (memory.clone(), *helpers)
    }
}

/// A new module in which the helpers are declared.
fn module_with_helpers() -> (JITModule, Helpers) {
    let mut module = new_module();
    let helpers = Helpers::declare(&mut module).expect("declaring the helpers");
    (module, helpers)
}

/// A name for a new function of the module.
fn fresh_name(counter: &mut u64) -> String {
    *counter += 1;
    format!("elle_{counter}")
}

fn new_module() -> JITModule {
    let mut flags = settings::builder();
    flags
        .set("opt_level", "speed")
        .expect("opt_level is a setting");
    flags.set("is_pic", "false").expect("is_pic is a setting");
    // The verifier checks the IR codegen.rs builds; it costs a third of
    // the compile time, so it runs in this crate's tests and wherever
    // `ELLE_JIT_VERIFY` is set (the golden and differential test suites).
    let verify = cfg!(test) || std::env::var_os("ELLE_JIT_VERIFY").is_some();
    flags
        .set("enable_verifier", if verify { "true" } else { "false" })
        .expect("enable_verifier is a setting");
    // Cranelift's x86-64 tail calls (`return_call`) need frame pointers.
    flags
        .set("preserve_frame_pointers", "true")
        .expect("preserve_frame_pointers is a setting");
    let isa = cranelift_native::builder()
        .unwrap_or_else(|e| panic!("Cranelift does not support this machine: {e}"))
        .finish(settings::Flags::new(flags))
        .expect("the host's instruction set");
    let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
    builder.symbols(Helpers::SYMBOLS);
    JITModule::new(builder)
}

/// The functions one unit defines, before any is defined in the module.
struct Plan {
    /// The direct function of each specialisation (new or cached).
    funcs: Vec<Option<FuncId>>,
    /// New functions: specialisation index, id, mode.
    new: Vec<(usize, FuncId, Mode)>,
    /// The interpreter entry: an OSR function among `new`, or a wrapper to
    /// define.
    entry: FuncId,
    wrapper: bool,
}

impl Plan {
    fn is_direct(&self, id: FuncId) -> bool {
        self.new
            .iter()
            .any(|&(_, f, mode)| f == id && mode == Mode::Direct)
    }
}

/// An upper bound of the native stack a compiled function uses: its frame
/// below the frame pointer, the saved frame pointer and return address,
/// and arguments its caller may pass on the stack.
fn native_frame_bytes(ctx: &Context) -> Result<u32, String> {
    let below_fp = ctx
        .compiled_code()
        .and_then(|c| c.buffer.frame_layout())
        .map(|layout| layout.frame_to_fp_offset)
        .ok_or("internal: Cranelift reported no frame layout")?;
    let args = ctx.func.signature.params.len() as u32 * 8;
    Ok(below_fp + 16 + args)
}

/// Declares the functions `unit` needs.
fn plan(
    module: &mut JITModule,
    unit: &Unit<'_>,
    names: &mut u64,
    limits: bool,
) -> Result<Plan, String> {
    let mut funcs = Vec::new();
    let mut new = Vec::new();
    let mut entry = None;
    for (i, spec) in unit.specs.iter().enumerate() {
        if let Some(id) = spec.existing {
            funcs.push(Some(id));
            continue;
        }
        let (sig, mode) = if spec.start == 0 {
            (
                codegen::direct_signature(module, spec.params(), limits),
                Mode::Direct,
            )
        } else {
            (codegen::entry_signature(module), Mode::Osr)
        };
        let name = fresh_name(names);
        let id = module
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        funcs.push((mode == Mode::Direct).then_some(id));
        if mode == Mode::Osr {
            entry = Some(id);
        }
        new.push((i, id, mode));
    }
    let wrapper = entry.is_none();
    let entry = match entry {
        Some(id) => id,
        None => {
            let name = fresh_name(names);
            let sig = codegen::entry_signature(module);
            module
                .declare_function(&name, Linkage::Local, &sig)
                .map_err(|e| e.to_string())?
        }
    };
    Ok(Plan {
        funcs,
        new,
        entry,
        wrapper,
    })
}

/// Builds the IR of every new function of `plan` into contexts.
fn build(
    module: &mut JITModule,
    unit: &Unit<'_>,
    plan: &Plan,
    helpers: Helpers,
    limits: bool,
) -> Result<(Vec<(FuncId, Context)>, u64), String> {
    let guards = unit.guards();
    let links = Links {
        limits,
        funcs: &plan.funcs,
        helpers,
        guards: &guards,
    };
    let mut fctx = FunctionBuilderContext::new();
    let mut out = Vec::new();
    let mut inlined = 0;
    for &(i, id, mode) in &plan.new {
        let mut ctx = module.make_context();
        ctx.func.signature = if mode == Mode::Direct {
            codegen::direct_signature(module, unit.specs[i].params(), limits)
        } else {
            codegen::entry_signature(module)
        };
        ctx.func.name = UserFuncName::user(0, id.as_u32());
        let b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        inlined += codegen::emit(b, module, unit, i, &links, mode)?;
        out.push((id, ctx));
    }
    if plan.wrapper {
        let mut ctx = module.make_context();
        ctx.func.signature = codegen::entry_signature(module);
        ctx.func.name = UserFuncName::user(0, plan.entry.as_u32());
        let direct = plan.funcs[0].ok_or("internal: no direct function for the entry")?;
        let b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        codegen::emit_entry(b, module, &unit.specs[0], direct, &links);
        out.push((plan.entry, ctx));
    }
    Ok((out, inlined))
}

impl Tier for CraneliftTier {
    fn compile(&mut self, vm: &Vm, request: &Request<'_>) -> Result<Compiled, String> {
        if let Some(why) = &self.broken {
            return Err(why.clone());
        }
        if self.code_bytes >= CODE_CAP {
            return Err(format!(
                "the code memory cap ({} MiB) is reached",
                CODE_CAP >> 20
            ));
        }
        let (memory, helpers) = self.module();
        let mut guard = memory.module.borrow_mut();
        let module = guard.as_mut().ok_or("internal: the code memory is gone")?;
        let limits = request.limits;
        let unit = Unit::new(
            vm,
            &self.caches[limits as usize],
            request.proto,
            request.closure,
            request.pc as usize,
            request.registers,
        )?;
        let plan = plan(module, &unit, &mut self.next_name, limits)?;
        let (contexts, inlined) = build(module, &unit, &plan, helpers, limits)?;
        let mut code_bytes = 0;
        let functions = contexts.len() as u64;
        let disasm = std::env::var_os("ELLE_JIT_DISASM").is_some();
        for (id, mut ctx) in contexts {
            ctx.set_disasm(disasm);
            if let Err(e) = module.define_function(id, &mut ctx) {
                let why = format!("the JIT stopped after an internal error: {e:?}");
                self.broken = Some(why.clone());
                return Err(why);
            }
            code_bytes += ctx.compiled_code().map_or(0, |c| c.code_buffer().len());
            if plan.is_direct(id) {
                self.frame_bytes = self.frame_bytes.max(native_frame_bytes(&ctx)?);
            }
            if let Some(text) = ctx.compiled_code().and_then(|c| c.vcode.as_ref()) {
                eprintln!("; machine code of {}\n{text}", ctx.func.name);
            }
        }
        module.finalize_definitions().map_err(|e| {
            let why = format!("the JIT stopped after an internal error: {e}");
            self.broken = Some(why.clone());
            why
        })?;
        let code = module.get_finalized_function(plan.entry);
        // SAFETY: the entry was built with `codegen::entry_signature`, the
        // `extern "C"` signature `(i64, i64) -> i64` of `EntryFn` on the
        // host's default calling convention.
        let entry = unsafe { std::mem::transmute::<*const u8, EntryFn>(code) };
        let guards = unit.guards();
        let cached: Vec<(SpecKey, Cached)> = plan
            .new
            .iter()
            .filter(|(_, _, mode)| *mode == Mode::Direct)
            .map(|&(i, id, _)| {
                let spec = &unit.specs[i];
                let key = (
                    Rc::as_ptr(&spec.proto) as usize,
                    spec.closure,
                    spec.params().to_vec(),
                );
                let cached = Cached {
                    func: id,
                    ret: spec.types.ret,
                    guards: guards.clone(),
                    _proto: spec.proto.clone(),
                };
                (key, cached)
            })
            .collect();
        let mut deps: Vec<elle_vm::Value> = unit.callees.iter().map(|c| c.closure_value).collect();
        deps.push(elle_vm::Value::Obj(elle_vm::value::ObjRef(request.closure)));
        drop(unit);
        drop(guard);
        self.caches[limits as usize].extend(cached);
        self.code_bytes += code_bytes;
        Ok(Compiled {
            entry,
            deps,
            code: memory,
            code_bytes,
            functions,
            inlined,
            frame_bytes: self.frame_bytes,
        })
    }

    fn forget_all(&mut self) {
        self.caches.iter_mut().for_each(HashMap::clear);
    }

    fn ir(&mut self, vm: &Vm, request: &Request<'_>) -> Result<String, String> {
        // A module of its own: nothing of it is ever defined or run.
        let (mut module, helpers) = module_with_helpers();
        let cache = HashMap::new();
        let unit = Unit::new(
            vm,
            &cache,
            request.proto,
            request.closure,
            0,
            request.registers,
        )?;
        let mut names = 0;
        let plan = plan(&mut module, &unit, &mut names, request.limits)?;
        let (contexts, _) = build(&mut module, &unit, &plan, helpers, request.limits)?;
        let text = contexts
            .iter()
            .map(|(_, ctx)| ctx.func.display().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        Ok(text)
    }
}

#[cfg(test)]
mod tests;
