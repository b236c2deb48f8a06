//! Call stubs: one Cranelift function per C signature, cached.
//!
//! A stub is `extern "C" fn(target, args, ret)`: it loads argument `i`
//! from the word `args[i]` as its C type (the low bytes of the word, an
//! integer or a float as the type's class says), calls `target` with the
//! host's C calling convention (System V on x86-64 Linux), and stores the
//! result in the word `*ret`: integers extended to 64 bits (sign-extended
//! for signed types), floats as their bits in the low bytes. The
//! conversion between Elle values and these words is `lib.rs`'s.

use std::collections::HashMap;

use cranelift_codegen::ir::{AbiParam, InstBuilder, MemFlagsData, Signature, UserFuncName, types};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Linkage, Module, default_libcall_names};

use crate::types::Class;

/// The machine code of a stub.
pub type StubFn = unsafe extern "C" fn(*const u8, *const u64, *mut u64);

/// A signature as the stubs see it: the classes of the arguments and of
/// the result. `:string` and `:pointer` share stubs, and so do `:int` and
/// `:i32`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct StubKey {
    pub args: Vec<Class>,
    pub ret: Class,
}

/// The stubs made so far, and the code memory they live in. The memory is
/// freed when the cache is dropped, which happens when the last function
/// made by `ffi/fn` (each holds the cache in an `Rc`) is gone.
pub struct StubCache {
    module: Option<JITModule>,
    stubs: HashMap<StubKey, StubFn>,
    next_name: u64,
}

impl StubCache {
    pub fn new() -> Result<StubCache, String> {
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").map_err(|e| e.to_string())?;
        flags.set("is_pic", "false").map_err(|e| e.to_string())?;
        let isa = cranelift_native::builder()
            .map_err(|e| format!("Cranelift does not support this machine: {e}"))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())?;
        let builder = JITBuilder::with_isa(isa, default_libcall_names());
        Ok(StubCache {
            module: Some(JITModule::new(builder)),
            stubs: HashMap::new(),
            next_name: 0,
        })
    }

    /// The stub for `key`, made now if it is new.
    pub fn get(&mut self, key: &StubKey) -> Result<StubFn, String> {
        if let Some(&f) = self.stubs.get(key) {
            return Ok(f);
        }
        let module = self.module.as_mut().ok_or("the stub memory is gone")?;
        self.next_name += 1;
        let f = build(module, key, self.next_name)?;
        self.stubs.insert(key.clone(), f);
        Ok(f)
    }

    /// How many stubs exist.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.stubs.len()
    }
}

impl Drop for StubCache {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: every stub's pointer is reachable only through this
            // cache (the functions `ffi/fn` made hold it in an `Rc` and
            // call stubs only while holding it), so once it is dropped no
            // stub can run again.
            unsafe { module.free_memory() };
        }
    }
}

/// The Cranelift type and extension of a class, or `None` for void.
fn abi_param(class: Class) -> Option<AbiParam> {
    Some(match class {
        Class::Void => return None,
        Class::Int { bits, signed } => {
            let p = AbiParam::new(int_type(bits));
            match (bits < 32, signed) {
                (false, _) => p,
                (true, true) => p.sext(),
                (true, false) => p.uext(),
            }
        }
        Class::Float { bits: 32 } => AbiParam::new(types::F32),
        Class::Float { .. } => AbiParam::new(types::F64),
    })
}

fn int_type(bits: u8) -> types::Type {
    match bits {
        8 => types::I8,
        16 => types::I16,
        32 => types::I32,
        _ => types::I64,
    }
}

fn build(module: &mut JITModule, key: &StubKey, n: u64) -> Result<StubFn, String> {
    let ptr = module.target_config().pointer_type();
    let call_conv: CallConv = module.isa().default_call_conv();
    // The target's signature.
    let mut target = Signature::new(call_conv);
    for &c in &key.args {
        target.params.push(abi_param(c).ok_or("a void argument")?);
    }
    target.returns.extend(abi_param(key.ret));
    // The stub's: (target, args, ret).
    let mut sig = Signature::new(call_conv);
    sig.params.extend([AbiParam::new(ptr); 3]);
    let id = module
        .declare_function(&format!("elle_ffi_stub_{n}"), Linkage::Local, &sig)
        .map_err(|e| e.to_string())?;
    let mut ctx = module.make_context();
    ctx.func.signature = sig;
    ctx.func.name = UserFuncName::user(0, id.as_u32());
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let (fptr, args, ret) = {
        let p = b.block_params(block);
        (p[0], p[1], p[2])
    };
    // Aligned, in-bounds words of the caller's arrays.
    let flags = MemFlagsData::trusted();
    let mut values = Vec::with_capacity(key.args.len());
    for (i, p) in target.params.iter().enumerate() {
        let offset = i32::try_from(i * 8).map_err(|_| "too many arguments")?;
        values.push(b.ins().load(p.value_type, flags, args, offset));
    }
    let sigref = b.import_signature(target.clone());
    let call = b.ins().call_indirect(sigref, fptr, &values);
    let result = b.inst_results(call).first().copied();
    if let Some(v) = result {
        let word = match key.ret {
            Class::Int { bits, signed } if bits < 64 => {
                if signed {
                    b.ins().sextend(types::I64, v)
                } else {
                    b.ins().uextend(types::I64, v)
                }
            }
            _ => v,
        };
        b.ins().store(flags, word, ret, 0);
    }
    b.ins().return_(&[]);
    b.finalize(module.target_config());
    module
        .define_function(id, &mut ctx)
        .map_err(|e| format!("{e:?}"))?;
    module.clear_context(&mut ctx);
    module.finalize_definitions().map_err(|e| e.to_string())?;
    let code = module.get_finalized_function(id);
    // SAFETY: the function was built just above with the signature
    // (pointer, pointer, pointer) -> () on the host's default calling
    // convention, which is `extern "C"`'s.
    Ok(unsafe { std::mem::transmute::<*const u8, StubFn>(code) })
}
