//! Bytecode to Cranelift IR, one specialisation at a time.
//!
//! Every register of the function becomes three Cranelift variables (its
//! payload as an integer word, as a float, and its tag); the static types
//! (`infer.rs`) say which one an instruction reads, so numbers stay
//! untagged in machine registers and Cranelift drops the definitions
//! nothing reads. An instruction whose fast path does not apply (an
//! overflow, a zero divisor, an exhausted call budget) branches to a cold
//! *deoptimisation* block that records the frame with its live registers
//! (`elle_vm::tier::abi::deopt_frame`) and returns to the caller with
//! [`BAIL`]; the interpreter then runs that instruction itself (see
//! `elle_vm::tier`).
//!
//! Three kinds of functions come out:
//! - a **direct** function per specialisation entered at pc 0:
//!   `(budget, params...) -> (payload, tag)` in Cranelift's tail calling
//!   convention, which compiled callers call directly (and tail call with
//!   `return_call`, or a jump when a function calls itself). The budget is
//!   the number of calls that may still nest (`JitCtx::budget`); nothing
//!   else of the interpreter's state is passed or kept, so that a call
//!   costs little more than a C call;
//! - an **entry** wrapper for the interpreter ([`elle_vm::tier::abi::EntryFn`]):
//!   guards the argument tags in the frame, calls the direct function and
//!   stores its result in the context;
//! - an **OSR** function for a loop header: guards and loads the live
//!   registers from the frame and runs the body from there.

use std::collections::{HashMap, HashSet};

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{self, AbiParam, Block, InstBuilder, MemFlagsData, Signature, types};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, Variable};
use cranelift_module::{FuncId, Linkage, Module};

use elle_vm::bytecode::{CmpOp, Op, UnOp};
use elle_vm::tier::abi::JitCtx;
use elle_vm::value::{PAYLOAD_OFFSET, TAG_BOOL, TAG_FLOAT, TAG_NIL};

use crate::infer::{self, Ty};
use crate::ranges;
use crate::unit::{Guard, Spec, Unit, reachable_from};

/// The tag a direct function returns when it deoptimised.
pub const BAIL: i64 = 0xBA11;

/// The largest callee, in instructions, whose body a call inlines: small
/// helpers and recursive functions of fib's size. Every guard of inlined
/// code has a deoptimisation block of its own, so inlining costs compile
/// time in proportion; tak's 19 instructions inlined at its three calls
/// tripled its compile time for a fifth less run time.
const INLINE_MAX_OPS: usize = 16;

/// Whether an inlined callee returning `ret` passes its result's tag to the
/// code after the call: only when the type leaves it unknown.
fn passes_tag(ret: Ty) -> bool {
    ret == Ty::Any
}

/// Whether calls of `proto` may inline it (`INLINE_MAX_OPS`).
pub fn inline_candidate(proto: &elle_vm::bytecode::Proto) -> bool {
    proto.code_len() <= INLINE_MAX_OPS
}

/// How deep inlined frames nest: code inlined into a function does not
/// inline its own calls. Two levels saved fib another 8% of its
/// instructions for twice the compile time.
const INLINE_MAX_DEPTH: u32 = 1;

/// The most instructions inlined into one function, all calls together.
const INLINE_TOTAL_OPS: usize = 64;

/// Bytes per value on the stack.
const VALUE_BYTES: i64 = 16;

/// How a function's body ends.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A direct function: returns `(payload, tag)`, `BAIL` after a
    /// deoptimisation.
    Direct,
    /// An OSR entry: stores the result in the context and returns a
    /// status code.
    Osr,
}

/// The signature of a direct function with these parameter types: the
/// budget, the address of the limits' countdown when the code counts check
/// points (`limits`), then the parameters.
pub fn direct_signature(module: &dyn Module, params: &[Ty], limits: bool) -> Signature {
    let mut sig = module.make_signature();
    sig.call_conv = CallConv::Tail;
    sig.params.push(AbiParam::new(types::I64));
    if limits {
        sig.params.push(AbiParam::new(types::I64));
    }
    for p in params {
        sig.params.push(AbiParam::new(word_type(*p)));
    }
    sig.returns.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I64));
    sig
}

/// The signature of an interpreter entry (`EntryFn`).
pub fn entry_signature(module: &dyn Module) -> Signature {
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(types::I64));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I64));
    sig
}

/// The interpreter's functions that compiled code calls, declared in the
/// module by the symbols of [`Helpers::SYMBOLS`].
#[derive(Clone, Copy)]
pub struct Helpers {
    /// `elle_vm::tier::abi::deopt_frame`.
    pub deopt: FuncId,
    /// `elle_vm::tier::abi::float_mod`.
    pub float_mod: FuncId,
}

impl Helpers {
    /// Each helper's symbol and address, for the JIT builder.
    pub const SYMBOLS: [(&'static str, *const u8); 2] = [
        (
            "elle_deopt_frame",
            elle_vm::tier::abi::deopt_frame as *const u8,
        ),
        ("elle_float_mod", elle_vm::tier::abi::float_mod as *const u8),
    ];

    /// Declares the helpers in `module`.
    pub fn declare(module: &mut dyn Module) -> Result<Helpers, String> {
        let [deopt, float_mod] = Helpers::SYMBOLS.map(|(name, _)| name);
        // deopt_frame(closure, resume pc, called, nregs) -> record address
        let mut sig = module.make_signature();
        sig.params.extend([AbiParam::new(types::I64); 4]);
        sig.returns.push(AbiParam::new(types::I64));
        let deopt = module.declare_function(deopt, Linkage::Import, &sig);
        // float_mod(x, y) -> x mod y
        let mut sig = module.make_signature();
        sig.params.extend([AbiParam::new(types::F64); 2]);
        sig.returns.push(AbiParam::new(types::F64));
        let float_mod = module.declare_function(float_mod, Linkage::Import, &sig);
        Ok(Helpers {
            deopt: deopt.map_err(|e| e.to_string())?,
            float_mod: float_mod.map_err(|e| e.to_string())?,
        })
    }
}

/// The machine type an untagged value of type `t` lives in.
fn word_type(t: Ty) -> ir::Type {
    if t == Ty::Float {
        types::F64
    } else {
        types::I64
    }
}

/// Offsets of the context's fields.
mod ctx {
    use super::JitCtx;
    use std::mem::offset_of;
    pub const STACK: i32 = offset_of!(JitCtx, stack) as i32;
    pub const GLOBALS: i32 = offset_of!(JitCtx, globals) as i32;
    pub const BUDGET: i32 = offset_of!(JitCtx, budget) as i32;
    pub const COUNTDOWN: i64 = offset_of!(JitCtx, countdown) as i64;
    pub const RESULT: i32 = offset_of!(JitCtx, result) as i32;
}

/// An operand of an arithmetic or comparison instruction.
#[derive(Clone, Copy)]
enum Operand {
    Reg(u16),
    Imm(i16),
}

#[derive(Clone, Copy)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// How the JIT compares, for each comparison that has its own
/// instructions.
trait Conditions {
    fn int_cc(self) -> IntCC;
    fn float_cc(self) -> FloatCC;
}

impl Conditions for CmpOp {
    /// The condition on two integers (or booleans, for `=`).
    fn int_cc(self) -> IntCC {
        match self {
            CmpOp::Lt => IntCC::SignedLessThan,
            CmpOp::Gt => IntCC::SignedGreaterThan,
            CmpOp::Le => IntCC::SignedLessThanOrEqual,
            CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
            CmpOp::NumEq | CmpOp::Eq => IntCC::Equal,
        }
    }

    /// The condition on two floats: ordered, so false with a NaN, as
    /// Rust's operators on `f64` are.
    fn float_cc(self) -> FloatCC {
        match self {
            CmpOp::Lt => FloatCC::LessThan,
            CmpOp::Gt => FloatCC::GreaterThan,
            CmpOp::Le => FloatCC::LessThanOrEqual,
            CmpOp::Ge => FloatCC::GreaterThanOrEqual,
            CmpOp::NumEq | CmpOp::Eq => FloatCC::Equal,
        }
    }
}

/// Where a deoptimisation resumes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Resume {
    /// At the instruction itself, which the interpreter runs.
    At,
    /// After the call at the instruction, whose callee deoptimised: its
    /// frame is recorded, and its value goes to this register.
    AfterCall(u16),
}

/// The references a function's code needs.
pub struct Links<'a> {
    /// Whether the code counts the check points of the host's limits
    /// (`elle_vm::tier::Request::limits`).
    pub limits: bool,
    /// The direct function of each specialisation of the unit.
    pub funcs: &'a [Option<FuncId>],
    pub helpers: Helpers,
    /// What the unit's code assumes of the globals, checked by its entries.
    pub guards: &'a [Guard],
}

/// Emits the body of `unit.specs[index]` into `b`; returns the number of
/// calls inlined.
pub fn emit(
    b: FunctionBuilder<'_>,
    module: &mut dyn Module,
    unit: &Unit<'_>,
    index: usize,
    links: &Links<'_>,
    mode: Mode,
) -> Result<u64, String> {
    let mut g = Gen::new(b, module, unit, index, links, mode);
    g.prologue();
    g.body()?;
    g.declined_block();
    g.deopt_blocks();
    g.b.seal_all_blocks();
    let config = g.module.target_config();
    g.b.finalize(config);
    Ok(g.inlined_calls)
}

/// Emits the interpreter entry of the direct function `direct` of
/// `spec`.
pub fn emit_entry(
    mut b: FunctionBuilder<'_>,
    module: &mut dyn Module,
    spec: &Spec,
    direct: FuncId,
    links: &Links<'_>,
) {
    let guards = links.guards;
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    let (ctx_v, base) = (b.block_params(block)[0], b.block_params(block)[1]);
    let frame = frame_address(&mut b, ctx_v, base);
    let declined = b.create_block();
    b.set_cold_block(declined);
    check_guards(&mut b, ctx_v, guards, declined);
    let budget = b
        .ins()
        .load(types::I64, MemFlagsData::trusted(), ctx_v, ctx::BUDGET);
    let mut args = vec![budget];
    if links.limits {
        args.push(b.ins().iadd_imm_s(ctx_v, ctx::COUNTDOWN));
    }
    for (r, t) in spec.params().iter().enumerate() {
        args.push(load_guarded(&mut b, frame, r, *t, declined));
    }
    let callee = module.declare_func_in_func(direct, b.func);
    let call = b.ins().call(callee, &args);
    let (bits, tag) = (b.inst_results(call)[0], b.inst_results(call)[1]);
    let bailed = b.ins().icmp_imm_s(IntCC::Equal, tag, BAIL);
    let (done, bail) = (b.create_block(), b.create_block());
    b.ins().brif(bailed, bail, &[], done, &[]);
    b.switch_to_block(done);
    store_result(&mut b, ctx_v, bits, tag);
    let one = b.ins().iconst(types::I64, 1);
    b.ins().return_(&[one]);
    b.switch_to_block(bail);
    let two = b.ins().iconst(types::I64, 2);
    b.ins().return_(&[two]);
    b.switch_to_block(declined);
    let zero = b.ins().iconst(types::I64, 0);
    b.ins().return_(&[zero]);
    b.seal_all_blocks();
    b.finalize(module.target_config());
}

/// Jumps to `declined` unless every global of `guards` holds its closure.
fn check_guards(b: &mut FunctionBuilder<'_>, ctx_v: ir::Value, guards: &[Guard], declined: Block) {
    if guards.is_empty() {
        return;
    }
    let flags = MemFlagsData::trusted();
    let globals = b.ins().load(types::I64, flags, ctx_v, ctx::GLOBALS);
    for &(slot, closure) in guards {
        let offset = slot as i64 * VALUE_BYTES;
        let addr = b.ins().iadd_imm_s(globals, offset);
        let tag = b.ins().load(types::I64, flags, addr, 0);
        let payload = b.ins().load(types::I32, flags, addr, PAYLOAD_OFFSET as i32);
        let wrong_tag = b
            .ins()
            .icmp_imm_s(IntCC::NotEqual, tag, elle_vm::value::TAG_OBJ as i64);
        let wrong_ref = b.ins().icmp_imm_s(IntCC::NotEqual, payload, closure as i64);
        let wrong = b.ins().bor(wrong_tag, wrong_ref);
        let next = b.create_block();
        b.ins().brif(wrong, declined, &[], next, &[]);
        b.switch_to_block(next);
    }
}

/// The address of register 0 of the frame at `base`.
fn frame_address(b: &mut FunctionBuilder<'_>, ctx_v: ir::Value, base: ir::Value) -> ir::Value {
    let stack = b
        .ins()
        .load(types::I64, MemFlagsData::trusted(), ctx_v, ctx::STACK);
    let offset = b.ins().imul_imm_s(base, VALUE_BYTES);
    b.ins().iadd(stack, offset)
}

/// Loads register `r` of the frame, of type `t`, jumping to `declined`
/// when its tag is another.
fn load_guarded(
    b: &mut FunctionBuilder<'_>,
    frame: ir::Value,
    r: usize,
    t: Ty,
    declined: Block,
) -> ir::Value {
    let offset = r as i32 * VALUE_BYTES as i32;
    let tag = b
        .ins()
        .load(types::I64, MemFlagsData::trusted(), frame, offset);
    let expected = t.tag().unwrap_or(u64::MAX) as i64;
    let wrong = b.ins().icmp_imm_s(IntCC::NotEqual, tag, expected);
    let next = b.create_block();
    b.ins().brif(wrong, declined, &[], next, &[]);
    b.switch_to_block(next);
    match t {
        // A nil's payload is undefined: never read it.
        Ty::Nil => b.ins().iconst(types::I64, 0),
        t => b.ins().load(
            word_type(t),
            MemFlagsData::trusted(),
            frame,
            offset + PAYLOAD_OFFSET as i32,
        ),
    }
}

fn store_result(b: &mut FunctionBuilder<'_>, ctx_v: ir::Value, bits: ir::Value, tag: ir::Value) {
    b.ins()
        .store(MemFlagsData::trusted(), tag, ctx_v, ctx::RESULT);
    b.ins()
        .store(MemFlagsData::trusted(), bits, ctx_v, ctx::RESULT + 8);
}

/// How a frame's code leaves it.
#[derive(Clone, Copy)]
enum Exit {
    /// The function's own frame: returns and deoptimisations leave the
    /// machine function (`Mode`).
    Outer,
    /// A callee inlined at a call of its caller: a return jumps to `cont`
    /// with the result's payload and tag, a deoptimisation records this
    /// frame and continues at `bail_to`, the caller's deoptimisation after
    /// the call, which records the caller's frame.
    Inlined { cont: Block, bail_to: Block },
}

/// One Elle frame of the code being generated: the function's own, or a
/// callee inlined into it. Each has its own registers and deoptimisation
/// blocks, so that a deoptimisation in inlined code records both frames as
/// the interpreter would have had them.
struct Frame<'a> {
    spec: &'a Spec,
    /// The index of the specialisation in the unit.
    index: usize,
    live: Vec<Vec<bool>>,
    bits: Vec<Variable>,
    float: Vec<Variable>,
    tag: Vec<Variable>,
    /// Registers read somewhere as values of any type (`Ty::Any`), whose
    /// tag variable every definition must set.
    maybe_any: Vec<bool>,
    blocks: HashMap<usize, Block>,
    deopts: HashMap<(usize, Resume), Block>,
    /// What integer ranges prove about each instruction (`ranges.rs`).
    proven: Vec<ranges::Proven>,
    /// Calls that may still nest below this frame: a parameter of a direct
    /// function, loaded from the context in an OSR function, one less
    /// than the caller's in an inlined frame.
    budget: ir::Value,
    exit: Exit,
    /// Frames inlined around this one: 0 for the function's own.
    depth: u32,
}

impl<'a> Frame<'a> {
    fn new(b: &mut FunctionBuilder<'_>, unit: &'a Unit<'a>, index: usize, exit: Exit) -> Frame<'a> {
        let spec = &unit.specs[index];
        let nregs = spec.proto.nregs() as usize;
        let reachable = reachable_from(&spec.proto, spec.start);
        Frame {
            spec,
            index,
            live: infer::liveness(&spec.proto, &reachable),
            bits: (0..nregs).map(|_| b.declare_var(types::I64)).collect(),
            float: (0..nregs).map(|_| b.declare_var(types::F64)).collect(),
            tag: (0..nregs).map(|_| b.declare_var(types::I64)).collect(),
            maybe_any: (0..nregs)
                .map(|r| spec.types.at.iter().any(|at| at.get(r) == Some(&Ty::Any)))
                .collect(),
            blocks: HashMap::new(),
            deopts: HashMap::new(),
            proven: ranges::prove(&spec.proto, spec.start, &spec.types),
            budget: ir::Value::from_u32(0),
            exit,
            depth: 0,
        }
    }
}

struct Gen<'a, 'b> {
    b: FunctionBuilder<'b>,
    module: &'a mut dyn Module,
    unit: &'a Unit<'a>,
    links: &'a Links<'a>,
    mode: Mode,
    /// The frame whose code is being generated.
    f: Frame<'a>,
    /// An OSR entry's exit for registers of other types than expected.
    declined: Option<Block>,
    /// Functions this one calls, declared once each.
    func_refs: HashMap<FuncId, ir::FuncRef>,
    /// An OSR function's context (a direct function has none).
    ctx: Option<ir::Value>,
    /// The address of the limits' countdown, in code that counts check
    /// points (`Links::limits`).
    counter: Option<ir::Value>,
    /// Instructions inlined so far (`INLINE_TOTAL_OPS`).
    inlined_ops: usize,
    /// Calls inlined so far.
    inlined_calls: u64,
}

impl<'a, 'b> Gen<'a, 'b> {
    fn new(
        mut b: FunctionBuilder<'b>,
        module: &'a mut dyn Module,
        unit: &'a Unit<'a>,
        index: usize,
        links: &'a Links<'a>,
        mode: Mode,
    ) -> Gen<'a, 'b> {
        let f = Frame::new(&mut b, unit, index, Exit::Outer);
        Gen {
            b,
            module,
            unit,
            links,
            mode,
            f,
            declined: None,
            func_refs: HashMap::new(),
            ctx: None,
            counter: None,
            inlined_ops: 0,
            inlined_calls: 0,
        }
    }

    fn types(&self, pc: usize) -> &[Ty] {
        &self.f.spec.types.at[pc]
    }

    /// A reference to `func` in this function.
    fn func_ref(&mut self, func: FuncId) -> ir::FuncRef {
        if let Some(&r) = self.func_refs.get(&func) {
            return r;
        }
        let r = self.module.declare_func_in_func(func, self.b.func);
        self.func_refs.insert(func, r);
        r
    }

    fn iconst(&mut self, n: i64) -> ir::Value {
        self.b.ins().iconst(types::I64, n)
    }

    /// Takes the parameters, or (an OSR function) checks and loads the
    /// live registers from the frame, then checks the call budget.
    fn prologue(&mut self) {
        let entry = self.b.create_block();
        self.b.append_block_params_for_function_params(entry);
        self.b.switch_to_block(entry);
        let params = self.b.block_params(entry).to_vec();
        self.create_blocks();
        match self.mode {
            Mode::Direct => {
                self.f.budget = params[0];
                self.counter = self.links.limits.then(|| params[1]);
                let first = 1 + self.links.limits as usize;
                self.take_params(&params[first..]);
            }
            Mode::Osr => {
                let (ctx_v, base) = (params[0], params[1]);
                self.ctx = Some(ctx_v);
                self.counter = self
                    .links
                    .limits
                    .then(|| self.b.ins().iadd_imm_s(ctx_v, ctx::COUNTDOWN));
                self.f.budget =
                    self.b
                        .ins()
                        .load(types::I64, MemFlagsData::trusted(), ctx_v, ctx::BUDGET);
                let declined = self.b.create_block();
                self.b.set_cold_block(declined);
                self.declined = Some(declined);
                check_guards(&mut self.b, ctx_v, self.links.guards, declined);
                let entry_types = self.f.spec.entry.clone();
                let frame = frame_address(&mut self.b, ctx_v, base);
                for (r, t) in entry_types.into_iter().enumerate() {
                    if t != Ty::Undef {
                        let v = load_guarded(&mut self.b, frame, r, t, declined);
                        self.def(r as u16, t, v);
                    }
                }
            }
        }
        self.check_budget();
        let start = self.f.blocks[&self.f.spec.start];
        self.b.ins().jump(start, &[]);
    }

    /// Defines the parameter registers as `values`, untagged as a direct
    /// function receives them.
    fn take_params(&mut self, values: &[ir::Value]) {
        for (r, t) in self.f.spec.params().to_vec().into_iter().enumerate() {
            self.def(r as u16, t, values[r]);
        }
    }

    /// A function that makes calls (other than tail calls) needs budget for
    /// one more level, checked once on entry rather than at each call:
    /// without it, it deoptimises at its start, and the interpreter runs
    /// it, raising `stack-overflow` at the call or (when the budget was the
    /// native stack's) making the call itself. A tail call keeps its
    /// caller's budget; a function that makes no call needs none (its
    /// caller had budget for it).
    fn check_budget(&mut self) {
        let proto = &self.f.spec.proto;
        let calls = (0..proto.code_len()).any(|pc| {
            !self.f.spec.types.at[pc].is_empty() && matches!(proto.op(pc), Some(Op::Call { .. }))
        });
        if calls {
            let exhausted = self.b.ins().icmp_imm_s(IntCC::Equal, self.f.budget, 0);
            self.guard(exhausted, self.f.spec.start, Resume::At);
        }
    }

    /// A block for every instruction that starts one: the entry, jump
    /// targets and what follows a branch.
    fn create_blocks(&mut self) {
        let proto = &self.f.spec.proto;
        let mut leaders = HashSet::from([self.f.spec.start]);
        for pc in 0..proto.code_len() {
            if self.f.spec.types.at[pc].is_empty() {
                continue;
            }
            let op = proto.op(pc).expect("pc in range");
            if let Some(t) = op.jump_target() {
                leaders.insert(t as usize);
                leaders.insert(pc + 1);
            }
            if op.is_terminator() {
                leaders.insert(pc + 1);
            }
        }
        for pc in leaders {
            if self.f.spec.types.at.get(pc).is_some_and(|t| !t.is_empty()) {
                let block = self.b.create_block();
                self.f.blocks.insert(pc, block);
            }
        }
    }

    fn body(&mut self) -> Result<(), String> {
        let proto = self.f.spec.proto.clone();
        let mut open = false;
        for pc in 0..proto.code_len() {
            if self.f.spec.types.at[pc].is_empty() {
                continue;
            }
            if let Some(&block) = self.f.blocks.get(&pc) {
                if open {
                    self.b.ins().jump(block, &[]);
                }
                self.b.switch_to_block(block);
            } else if !open {
                return Err(format!(
                    "internal: instruction {pc} reached only by falling off a jump"
                ));
            }
            let op = proto.op(pc).expect("pc in range");
            self.op(pc, op)?;
            open = !op.is_terminator() && op.jump_target().is_none();
        }
        Ok(())
    }

    // ----- registers -----

    /// Sets register `r` to `v`, a value of type `t` (a float as `f64`,
    /// anything else as its payload word).
    fn def(&mut self, r: u16, t: Ty, v: ir::Value) {
        let r = r as usize;
        // Only a read of the register as a value of any type looks at its
        // payload word as well as its float, and at its tag; instructions
        // that nothing reads would cost compile time.
        let boxed = self.f.maybe_any[r];
        if t == Ty::Float {
            self.b.def_var(self.f.float[r], v);
            if boxed {
                let bits = self.b.ins().bitcast(types::I64, MemFlagsData::new(), v);
                self.b.def_var(self.f.bits[r], bits);
            }
        } else {
            self.b.def_var(self.f.bits[r], v);
        }
        if boxed {
            let tag = self.iconst(t.tag().unwrap_or(TAG_NIL) as i64);
            self.b.def_var(self.f.tag[r], tag);
        }
    }

    fn def_bool(&mut self, r: u16, flag: ir::Value) {
        let v = self.b.ins().uextend(types::I64, flag);
        self.def(r, Ty::Bool, v);
    }

    /// Register `r` as a payload word (not for floats).
    fn word(&mut self, r: u16) -> ir::Value {
        self.b.use_var(self.f.bits[r as usize])
    }

    /// Register `r`, of type `t`, as a float.
    fn float_of(&mut self, r: u16, t: Ty) -> ir::Value {
        if t == Ty::Float {
            self.b.use_var(self.f.float[r as usize])
        } else {
            let n = self.word(r);
            self.b.ins().fcvt_from_sint(types::F64, n)
        }
    }

    /// Register `r` as a tagged value: payload and tag words.
    fn boxed(&mut self, r: u16, t: Ty) -> (ir::Value, ir::Value) {
        match t {
            Ty::Any => {
                let bits = self.word(r);
                let tag = self.b.use_var(self.f.tag[r as usize]);
                (bits, tag)
            }
            Ty::Float => {
                let f = self.b.use_var(self.f.float[r as usize]);
                let bits = self.b.ins().bitcast(types::I64, MemFlagsData::new(), f);
                (bits, self.iconst(TAG_FLOAT as i64))
            }
            Ty::Nil | Ty::Undef => (self.iconst(0), self.iconst(TAG_NIL as i64)),
            t => {
                let bits = self.word(r);
                (bits, self.iconst(t.tag().unwrap_or(TAG_NIL) as i64))
            }
        }
    }

    /// Register `r` as a direct function's argument of type `t`.
    fn argument(&mut self, r: u16, t: Ty) -> ir::Value {
        match t {
            Ty::Float => self.float_of(r, t),
            Ty::Nil => self.iconst(0),
            _ => self.word(r),
        }
    }

    /// Whether register `r` of type `t` is true: `None` when it is known
    /// at compile time, as `Err(truth)`.
    fn truth(&mut self, r: u16, t: Ty) -> Result<ir::Value, bool> {
        match t {
            Ty::Bool => {
                let v = self.word(r);
                Ok(self.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0))
            }
            Ty::Nil | Ty::Undef => Err(false),
            Ty::Int | Ty::Float | Ty::Func(_) => Err(true),
            Ty::Any => {
                let (bits, tag) = self.boxed(r, t);
                let nil = self.b.ins().icmp_imm_s(IntCC::Equal, tag, TAG_NIL as i64);
                let boolean = self.b.ins().icmp_imm_s(IntCC::Equal, tag, TAG_BOOL as i64);
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, bits, 0);
                let false_bool = self.b.ins().band(boolean, zero);
                let falsy = self.b.ins().bor(nil, false_bool);
                Ok(self.b.ins().bxor_imm_s(falsy, 1))
            }
        }
    }

    // ----- deoptimisation -----

    /// Continues when `fail` is zero; otherwise deoptimises at `pc`.
    fn guard(&mut self, fail: ir::Value, pc: usize, resume: Resume) {
        let deopt = self.deopt_block(pc, resume);
        let next = self.b.create_block();
        self.b.ins().brif(fail, deopt, &[], next, &[]);
        self.b.switch_to_block(next);
    }

    fn deopt_block(&mut self, pc: usize, resume: Resume) -> Block {
        if let Some(&block) = self.f.deopts.get(&(pc, resume)) {
            return block;
        }
        let block = self.b.create_block();
        self.b.set_cold_block(block);
        self.f.deopts.insert((pc, resume), block);
        block
    }

    /// An OSR entry's exit when a register has another type than the code
    /// expects: the interpreter carries on.
    fn declined_block(&mut self) {
        if let Some(declined) = self.declined {
            self.b.switch_to_block(declined);
            let zero = self.iconst(0);
            self.b.ins().return_(&[zero]);
        }
    }

    /// Fills the current frame's deoptimisation blocks: write back what the interpreter
    /// will read, record the frame, return.
    fn deopt_blocks(&mut self) {
        let mut pending: Vec<((usize, Resume), Block)> =
            self.f.deopts.iter().map(|(k, b)| (*k, *b)).collect();
        pending.sort_by_key(|((pc, _), _)| *pc);
        for ((pc, resume), block) in pending {
            self.b.switch_to_block(block);
            let (live_at, resume_pc, callee_dst) = match resume {
                Resume::At => (pc, pc, None),
                Resume::AfterCall(dst) => (pc + 1, pc + 1, Some(dst)),
            };
            let types = self.types(pc).to_vec();
            let live = self.f.live[live_at].clone();
            let deopt = self.func_ref(self.links.helpers.deopt);
            let closure = self.iconst(self.f.spec.closure as i64);
            let resume_pc = self.iconst(resume_pc as i64);
            let called = self.iconst(callee_dst.is_some() as i64);
            let nregs = self.iconst(types.len() as i64);
            let call = self
                .b
                .ins()
                .call(deopt, &[closure, resume_pc, called, nregs]);
            let frame = self.b.inst_results(call)[0];
            for (r, (&t, &is_live)) in types.iter().zip(&live).enumerate() {
                if is_live && t != Ty::Undef && Some(r as u16) != callee_dst {
                    let (bits, tag) = self.boxed(r as u16, t);
                    let offset = r as i32 * VALUE_BYTES as i32;
                    self.b
                        .ins()
                        .store(MemFlagsData::trusted(), tag, frame, offset);
                    self.b.ins().store(
                        MemFlagsData::trusted(),
                        bits,
                        frame,
                        offset + PAYLOAD_OFFSET as i32,
                    );
                }
            }
            self.bail();
        }
    }

    /// Returns "deoptimised" to whoever called this function.
    fn bail(&mut self) {
        if let Exit::Inlined { bail_to, .. } = self.f.exit {
            self.b.ins().jump(bail_to, &[]);
            return;
        }
        match self.mode {
            Mode::Direct => {
                let zero = self.iconst(0);
                let bail = self.iconst(BAIL);
                self.b.ins().return_(&[zero, bail]);
            }
            Mode::Osr => {
                let two = self.iconst(2);
                self.b.ins().return_(&[two]);
            }
        }
    }

    // ----- instructions -----

    fn op(&mut self, pc: usize, op: Op) -> Result<(), String> {
        use Operand::{Imm, Reg};
        match op {
            Op::Move { dst, src } => {
                let t = self.types(pc)[src as usize];
                match t {
                    Ty::Any => {
                        let (bits, tag) = self.boxed(src, t);
                        self.b.def_var(self.f.bits[dst as usize], bits);
                        self.b.def_var(self.f.tag[dst as usize], tag);
                    }
                    Ty::Float => {
                        let v = self.float_of(src, t);
                        self.def(dst, t, v);
                    }
                    Ty::Undef => {}
                    t => {
                        let v = self.word(src);
                        self.def(dst, t, v);
                    }
                }
            }
            Op::LoadInt { dst, n } => {
                let v = self.iconst(n as i64);
                self.def(dst, Ty::Int, v);
            }
            Op::LoadNil { dst } => {
                let v = self.iconst(0);
                self.def(dst, Ty::Nil, v);
            }
            Op::LoadBool { dst, b } => {
                let v = self.iconst(b as i64);
                self.def(dst, Ty::Bool, v);
            }
            Op::LoadConst { dst, k } => match self.f.spec.proto.consts().get(k as usize) {
                Some(elle_vm::Value::Int(n)) => {
                    let v = self.iconst(*n);
                    self.def(dst, Ty::Int, v);
                }
                Some(elle_vm::Value::Float(f)) => {
                    let v = self.b.ins().f64const(*f);
                    self.def(dst, Ty::Float, v);
                }
                _ => return Err("internal: constant is not a number".into()),
            },
            Op::GlobalGet { dst, slot } => self.global_get(dst, slot)?,
            Op::Jump { target } => {
                let block = self.f.blocks[&(target as usize)];
                self.b.ins().jump(block, &[]);
            }
            Op::JumpBack { target } => {
                self.check_point(pc);
                let block = self.f.blocks[&(target as usize)];
                self.b.ins().jump(block, &[]);
            }
            Op::JumpIfFalse { cond, target } | Op::JumpIfTrue { cond, target } => {
                let t = self.types(pc)[cond as usize];
                let (next, jump) = (self.f.blocks[&(pc + 1)], self.f.blocks[&(target as usize)]);
                let jump_when = matches!(op, Op::JumpIfTrue { .. });
                match self.truth(cond, t) {
                    Ok(truth) if jump_when => self.b.ins().brif(truth, jump, &[], next, &[]),
                    Ok(truth) => self.b.ins().brif(truth, next, &[], jump, &[]),
                    Err(truth) => self
                        .b
                        .ins()
                        .jump(if truth == jump_when { jump } else { next }, &[]),
                };
            }
            Op::Add { dst, a, b } => self.arith(pc, Arith::Add, dst, Reg(a), Reg(b)),
            Op::AddI { dst, a, n } => self.arith(pc, Arith::Add, dst, Reg(a), Imm(n)),
            Op::Sub { dst, a, b } => self.arith(pc, Arith::Sub, dst, Reg(a), Reg(b)),
            Op::SubI { dst, a, n } => self.arith(pc, Arith::Sub, dst, Reg(a), Imm(n)),
            Op::Mul { dst, a, b } => self.arith(pc, Arith::Mul, dst, Reg(a), Reg(b)),
            Op::MulI { dst, a, n } => self.arith(pc, Arith::Mul, dst, Reg(a), Imm(n)),
            Op::Div { dst, a, b } => self.arith(pc, Arith::Div, dst, Reg(a), Reg(b)),
            Op::DivI { dst, a, n } => self.arith(pc, Arith::Div, dst, Reg(a), Imm(n)),
            Op::Mod { dst, a, b } => self.arith(pc, Arith::Mod, dst, Reg(a), Reg(b)),
            Op::ModI { dst, a, n } => self.arith(pc, Arith::Mod, dst, Reg(a), Imm(n)),
            Op::Lt { dst, a, b } => self.compare_into(pc, CmpOp::Lt, dst, Reg(a), Reg(b)),
            Op::LtI { dst, a, n } => self.compare_into(pc, CmpOp::Lt, dst, Reg(a), Imm(n)),
            Op::Gt { dst, a, b } => self.compare_into(pc, CmpOp::Gt, dst, Reg(a), Reg(b)),
            Op::GtI { dst, a, n } => self.compare_into(pc, CmpOp::Gt, dst, Reg(a), Imm(n)),
            Op::Le { dst, a, b } => self.compare_into(pc, CmpOp::Le, dst, Reg(a), Reg(b)),
            Op::LeI { dst, a, n } => self.compare_into(pc, CmpOp::Le, dst, Reg(a), Imm(n)),
            Op::Ge { dst, a, b } => self.compare_into(pc, CmpOp::Ge, dst, Reg(a), Reg(b)),
            Op::GeI { dst, a, n } => self.compare_into(pc, CmpOp::Ge, dst, Reg(a), Imm(n)),
            Op::NumEq { dst, a, b } => self.compare_into(pc, CmpOp::NumEq, dst, Reg(a), Reg(b)),
            Op::NumEqI { dst, a, n } => self.compare_into(pc, CmpOp::NumEq, dst, Reg(a), Imm(n)),
            Op::Eq { dst, a, b } => self.compare_into(pc, CmpOp::Eq, dst, Reg(a), Reg(b)),
            Op::EqI { dst, a, n } => self.compare_into(pc, CmpOp::Eq, dst, Reg(a), Imm(n)),
            Op::JumpUnlessLt { a, b, target } => {
                self.branch_unless(pc, CmpOp::Lt, Reg(a), Reg(b), target)
            }
            Op::JumpUnlessLtI { a, n, target } => {
                self.branch_unless(pc, CmpOp::Lt, Reg(a), Imm(n), target)
            }
            Op::JumpUnlessGt { a, b, target } => {
                self.branch_unless(pc, CmpOp::Gt, Reg(a), Reg(b), target)
            }
            Op::JumpUnlessGtI { a, n, target } => {
                self.branch_unless(pc, CmpOp::Gt, Reg(a), Imm(n), target)
            }
            Op::JumpUnlessLe { a, b, target } => {
                self.branch_unless(pc, CmpOp::Le, Reg(a), Reg(b), target)
            }
            Op::JumpUnlessLeI { a, n, target } => {
                self.branch_unless(pc, CmpOp::Le, Reg(a), Imm(n), target)
            }
            Op::JumpUnlessGe { a, b, target } => {
                self.branch_unless(pc, CmpOp::Ge, Reg(a), Reg(b), target)
            }
            Op::JumpUnlessGeI { a, n, target } => {
                self.branch_unless(pc, CmpOp::Ge, Reg(a), Imm(n), target)
            }
            Op::JumpUnlessNumEq { a, b, target } => {
                self.branch_unless(pc, CmpOp::NumEq, Reg(a), Reg(b), target)
            }
            Op::JumpUnlessNumEqI { a, n, target } => {
                self.branch_unless(pc, CmpOp::NumEq, Reg(a), Imm(n), target)
            }
            Op::JumpUnlessEq { a, b, target } => {
                self.branch_unless(pc, CmpOp::Eq, Reg(a), Reg(b), target)
            }
            Op::JumpUnlessEqI { a, n, target } => {
                self.branch_unless(pc, CmpOp::Eq, Reg(a), Imm(n), target)
            }
            Op::Un { op, dst, src } => self.unary(pc, op, dst, src),
            Op::Return { src } => {
                let t = self.types(pc)[src as usize];
                let (bits, tag) = self.boxed(src, t);
                self.ret(bits, tag);
            }
            Op::Call { base, argc, dst } => self.call(pc, base, argc, Some(dst))?,
            Op::TailCall { base, argc } => self.call(pc, base, argc, None)?,
            op => return Err(format!("internal: {op:?} is not compiled")),
        }
        Ok(())
    }

    fn ret(&mut self, bits: ir::Value, tag: ir::Value) {
        if let Exit::Inlined { cont, .. } = self.f.exit {
            let mut result = vec![bits.into()];
            if passes_tag(self.f.spec.types.ret) {
                result.push(tag.into());
            }
            self.b.ins().jump(cont, &result);
            return;
        }
        match self.mode {
            Mode::Direct => {
                self.b.ins().return_(&[bits, tag]);
            }
            Mode::Osr => {
                let ctx_v = self.ctx.expect("an OSR function has a context");
                store_result(&mut self.b, ctx_v, bits, tag);
                let one = self.iconst(1);
                self.b.ins().return_(&[one]);
            }
        }
    }

    /// `GlobalGet` of a function: a guard that the global still holds the
    /// closure the code was compiled against (kept alive by the code's
    /// dependencies, so its reference is not reused).
    /// `GlobalGet` of a function: the closure the code was compiled
    /// against. The entry checked that the global holds it (`Links::guards`),
    /// and no global changes while compiled code runs; the closure is kept
    /// alive by the code's dependencies, so its reference is not reused.
    fn global_get(&mut self, dst: u16, slot: u32) -> Result<(), String> {
        let Some(callee) = self.unit.callees.iter().position(|c| c.slot == slot) else {
            return Err("internal: global function not resolved".into());
        };
        let closure = self.unit.callees[callee].closure;
        let v = self.iconst(closure as i64);
        self.def(dst, Ty::Func(callee as u32), v);
        Ok(())
    }

    fn operand_type(&self, pc: usize, o: Operand) -> Ty {
        match o {
            Operand::Reg(r) => self.types(pc)[r as usize],
            Operand::Imm(_) => Ty::Int,
        }
    }

    fn operand_word(&mut self, o: Operand) -> ir::Value {
        match o {
            Operand::Reg(r) => self.word(r),
            Operand::Imm(n) => self.iconst(n as i64),
        }
    }

    fn operand_float(&mut self, pc: usize, o: Operand) -> ir::Value {
        match o {
            Operand::Reg(r) => {
                let t = self.types(pc)[r as usize];
                self.float_of(r, t)
            }
            Operand::Imm(n) => self.b.ins().f64const(n as f64),
        }
    }

    fn arith(&mut self, pc: usize, op: Arith, dst: u16, a: Operand, b: Operand) {
        let (ta, tb) = (self.operand_type(pc, a), self.operand_type(pc, b));
        if ta == Ty::Int && tb == Ty::Int {
            let (x, y) = (self.operand_word(a), self.operand_word(b));
            let v = self.int_arith(pc, op, x, y);
            self.def(dst, Ty::Int, v);
        } else {
            let (x, y) = (self.operand_float(pc, a), self.operand_float(pc, b));
            let ins = self.b.ins();
            let v = match op {
                Arith::Add => ins.fadd(x, y),
                Arith::Sub => ins.fsub(x, y),
                Arith::Mul => ins.fmul(x, y),
                Arith::Div => ins.fdiv(x, y),
                Arith::Mod => {
                    let helper = self.func_ref(self.links.helpers.float_mod);
                    let call = self.b.ins().call(helper, &[x, y]);
                    self.b.inst_results(call)[0]
                }
            };
            self.def(dst, Ty::Float, v);
        }
    }

    /// Integer arithmetic exactly as the interpreter's fast path computes
    /// it; what the fast path leaves to the general path (overflow, zero
    /// and negative divisors) deoptimises.
    fn int_arith(&mut self, pc: usize, op: Arith, x: ir::Value, y: ir::Value) -> ir::Value {
        match op {
            Arith::Add | Arith::Sub | Arith::Mul if self.f.proven[pc].overflow_free => {
                let ins = self.b.ins();
                match op {
                    Arith::Add => ins.iadd(x, y),
                    Arith::Sub => ins.isub(x, y),
                    _ => ins.imul(x, y),
                }
            }
            Arith::Add | Arith::Sub | Arith::Mul => {
                let ins = self.b.ins();
                let (v, overflow) = match op {
                    Arith::Add => ins.sadd_overflow(x, y),
                    Arith::Sub => ins.ssub_overflow(x, y),
                    _ => ins.smul_overflow(x, y),
                };
                self.guard(overflow, pc, Resume::At);
                v
            }
            Arith::Div => {
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                let min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                let minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                let overflow = self.b.ins().band(min, minus_one);
                let fail = self.b.ins().bor(zero, overflow);
                self.guard(fail, pc, Resume::At);
                self.b.ins().sdiv(x, y)
            }
            Arith::Mod => {
                // Floored modulo by a positive divisor: the remainder, made
                // non-negative.
                let not_positive = self.b.ins().icmp_imm_s(IntCC::SignedLessThanOrEqual, y, 0);
                self.guard(not_positive, pc, Resume::At);
                if self.f.proven[pc].nonnegative_dividend {
                    // Both operands are non-negative: the remainder is.
                    return self.b.ins().urem(x, y);
                }
                let rem = self.b.ins().srem(x, y);
                let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, rem, 0);
                let adjusted = self.b.ins().iadd(rem, y);
                self.b.ins().select(negative, adjusted, rem)
            }
        }
    }

    /// The truth of `a op b` as an `i8`, or a constant.
    fn compare(&mut self, pc: usize, op: CmpOp, a: Operand, b: Operand) -> Result<ir::Value, bool> {
        let (ta, tb) = (self.operand_type(pc, a), self.operand_type(pc, b));
        if let CmpOp::Eq = op
            && ta != tb
        {
            // `=` of values of different kinds is false.
            return Err(false);
        }
        let immediate = matches!(b, Operand::Imm(_));
        match (ta, tb) {
            // An immediate converts to a float exactly.
            (Ty::Float, Ty::Float) | (Ty::Float, Ty::Int) if tb == Ty::Float || immediate => {
                let (x, y) = (self.operand_float(pc, a), self.operand_float(pc, b));
                Ok(self.b.ins().fcmp(op.float_cc(), x, y))
            }
            (Ty::Int, Ty::Float) => {
                let (x, y) = (self.operand_word(a), self.operand_float(pc, b));
                let (order, unordered) = self.int_float_order(x, y);
                Ok(self.order_holds(op, order, unordered))
            }
            (Ty::Float, Ty::Int) => {
                let (x, y) = (self.operand_word(b), self.operand_float(pc, a));
                let (order, unordered) = self.int_float_order(x, y);
                let order = self.b.ins().ineg(order);
                Ok(self.order_holds(op, order, unordered))
            }
            (Ty::Nil, _) => Err(true),
            _ => {
                let (x, y) = (self.operand_word(a), self.operand_word(b));
                Ok(self.b.ins().icmp(op.int_cc(), x, y))
            }
        }
    }

    /// The exact order of the integer `x` and the float `y`, as the
    /// interpreter computes it (`primitives::arith::compare`): -1, 0 or 1,
    /// and whether `y` is NaN (then no comparison holds). Beyond the
    /// integers' range the float is the larger or the smaller; inside it,
    /// `x` is compared with `y`'s integer part, then with its fraction.
    fn int_float_order(&mut self, x: ir::Value, y: ir::Value) -> (ir::Value, ir::Value) {
        const TWO_63: f64 = 9.223_372_036_854_776e18;
        let unordered = self.b.ins().fcmp(FloatCC::Unordered, y, y);
        let (less, equal, greater) = (self.iconst(-1), self.iconst(0), self.iconst(1));
        let whole = self.b.ins().trunc(y);
        let fraction = self.b.ins().fsub(y, whole);
        let zero = self.b.ins().f64const(0.0);
        let fraction_up = self.b.ins().fcmp(FloatCC::GreaterThan, fraction, zero);
        let fraction_down = self.b.ins().fcmp(FloatCC::LessThan, fraction, zero);
        let by_fraction = self.b.ins().select(fraction_down, greater, equal);
        let by_fraction = self.b.ins().select(fraction_up, less, by_fraction);
        let t = self.b.ins().fcvt_to_sint_sat(types::I64, whole);
        let x_below = self.b.ins().icmp(IntCC::SignedLessThan, x, t);
        let x_above = self.b.ins().icmp(IntCC::SignedGreaterThan, x, t);
        let inside = self.b.ins().select(x_above, greater, by_fraction);
        let inside = self.b.ins().select(x_below, less, inside);
        let top = self.b.ins().f64const(TWO_63);
        let bottom = self.b.ins().f64const(-TWO_63);
        let above_all = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, y, top);
        let below_all = self.b.ins().fcmp(FloatCC::LessThan, y, bottom);
        let order = self.b.ins().select(below_all, greater, inside);
        let order = self.b.ins().select(above_all, less, order);
        (order, unordered)
    }

    /// Whether `op` holds for an order (-1, 0 or 1) of its operands.
    fn order_holds(&mut self, op: CmpOp, order: ir::Value, unordered: ir::Value) -> ir::Value {
        let holds = self.b.ins().icmp_imm_s(op.int_cc(), order, 0);
        let ordered = self.b.ins().bxor_imm_s(unordered, 1);
        self.b.ins().band(holds, ordered)
    }

    fn compare_into(&mut self, pc: usize, op: CmpOp, dst: u16, a: Operand, b: Operand) {
        let flag = match self.compare(pc, op, a, b) {
            Ok(flag) => flag,
            Err(truth) => self.b.ins().iconst(types::I8, truth as i64),
        };
        self.def_bool(dst, flag);
    }

    fn branch_unless(&mut self, pc: usize, op: CmpOp, a: Operand, b: Operand, target: u16) {
        let (next, jump) = (self.f.blocks[&(pc + 1)], self.f.blocks[&(target as usize)]);
        match self.compare(pc, op, a, b) {
            Ok(holds) => self.b.ins().brif(holds, next, &[], jump, &[]),
            Err(holds) => self.b.ins().jump(if holds { next } else { jump }, &[]),
        };
    }

    fn unary(&mut self, pc: usize, op: UnOp, dst: u16, src: u16) {
        let t = self.types(pc)[src as usize];
        match (op, t) {
            (UnOp::Not, t) => {
                let flag = match self.truth(src, t) {
                    Ok(truth) => self.b.ins().bxor_imm_s(truth, 1),
                    Err(truth) => self.b.ins().iconst(types::I8, !truth as i64),
                };
                self.def_bool(dst, flag);
            }
            (UnOp::Inc | UnOp::Dec | UnOp::Neg, Ty::Int) => {
                let x = self.word(src);
                let (a, b, op) = match op {
                    UnOp::Inc => (x, self.iconst(1), Arith::Add),
                    UnOp::Dec => (x, self.iconst(1), Arith::Sub),
                    _ => (self.iconst(0), x, Arith::Sub),
                };
                let v = self.int_arith(pc, op, a, b);
                self.def(dst, Ty::Int, v);
            }
            (UnOp::Neg, _) => {
                let x = self.float_of(src, t);
                let v = self.b.ins().fneg(x);
                self.def(dst, Ty::Float, v);
            }
            (UnOp::IsZero, Ty::Int) => {
                let x = self.word(src);
                let flag = self.b.ins().icmp_imm_s(IntCC::Equal, x, 0);
                self.def_bool(dst, flag);
            }
            (UnOp::IsZero, _) => {
                let x = self.float_of(src, t);
                let zero = self.b.ins().f64const(0.0);
                let flag = self.b.ins().fcmp(FloatCC::Equal, x, zero);
                self.def_bool(dst, flag);
            }
            (UnOp::Abs, Ty::Int) => {
                // `(abs most-negative)` overflows: the interpreter raises it.
                let x = self.word(src);
                let min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                self.guard(min, pc, Resume::At);
                let v = self.b.ins().iabs(x);
                self.def(dst, Ty::Int, v);
            }
            (UnOp::Abs, _) => {
                let x = self.float_of(src, t);
                let v = self.b.ins().fabs(x);
                self.def(dst, Ty::Float, v);
            }
            (UnOp::IsEven | UnOp::IsOdd, _) => {
                let x = self.word(src);
                let low = self.b.ins().band_imm_s(x, 1);
                let cc = if op == UnOp::IsEven {
                    IntCC::Equal
                } else {
                    IntCC::NotEqual
                };
                let flag = self.b.ins().icmp_imm_s(cc, low, 0);
                self.def_bool(dst, flag);
            }
            // `(> x 0)` and `(< x 0)`, compared as those are (ordered for
            // floats: false for NaN).
            (UnOp::IsPos | UnOp::IsNeg, _) => {
                let cmp = if op == UnOp::IsPos {
                    CmpOp::Gt
                } else {
                    CmpOp::Lt
                };
                self.compare_into(pc, cmp, dst, Operand::Reg(src), Operand::Imm(0));
            }
            // Inference allows nothing else but `sqrt` of a number.
            _ => {
                let x = self.float_of(src, t);
                let v = self.b.ins().sqrt(x);
                self.def(dst, Ty::Float, v);
            }
        }
    }

    /// A call of the global function in `base` (a tail call when `dst` is
    /// `None`).
    fn call(&mut self, pc: usize, base: u16, argc: u16, dst: Option<u16>) -> Result<(), String> {
        self.check_point(pc);
        let types = self.types(pc).to_vec();
        let Ty::Func(f) = types[base as usize] else {
            return Err("internal: call of a non-function".into());
        };
        let args_types = &types[base as usize + 1..base as usize + 1 + argc as usize];
        let Some(spec) = self.unit.spec_for(f, args_types) else {
            // Arguments of unknown types: the results of calls that never
            // return, so this call never runs.
            let deopt = self.deopt_block(pc, Resume::At);
            self.b.ins().jump(deopt, &[]);
            let unreachable = self.b.create_block();
            self.b.switch_to_block(unreachable);
            if dst.is_none() {
                let (zero, nil) = (self.iconst(0), self.iconst(TAG_NIL as i64));
                self.ret(zero, nil);
            }
            return Ok(());
        };
        if dst.is_none() && spec == self.f.index {
            self.self_tail_call(base, argc);
            return Ok(());
        }
        if let Some(dst) = dst
            && self.inlinable(spec)
        {
            return self.inline_call(pc, spec, base, argc, dst);
        }
        let func = self.links.funcs[spec].ok_or("internal: callee not declared")?;
        let ret = self.unit.specs[spec].types.ret;
        // A call nests one level deeper; a tail call takes its caller's
        // place.
        let budget = match dst {
            Some(_) => self.b.ins().iadd_imm_s(self.f.budget, -1),
            None => self.f.budget,
        };
        let mut args = vec![budget];
        args.extend(self.counter);
        for (i, t) in args_types.iter().enumerate() {
            let v = self.argument(base + 1 + i as u16, *t);
            args.push(v);
        }
        let callee_ref = self.func_ref(func);
        if dst.is_none() && self.returns_directly() {
            self.b.ins().return_call(callee_ref, &args);
            return Ok(());
        }
        let call = self.b.ins().call(callee_ref, &args);
        let (bits, tag) = (self.b.inst_results(call)[0], self.b.inst_results(call)[1]);
        let bailed = self.b.ins().icmp_imm_s(IntCC::Equal, tag, BAIL);
        match dst {
            Some(dst) => {
                self.guard(bailed, pc, Resume::AfterCall(dst));
                self.def_result(dst, ret, bits, tag);
            }
            None => {
                // A tail call from an OSR entry or inlined code: the callee
                // took this frame's place, so its record goes where this
                // frame's would.
                let (done, bail) = (self.b.create_block(), self.b.create_block());
                self.b.set_cold_block(bail);
                self.b.ins().brif(bailed, bail, &[], done, &[]);
                self.b.switch_to_block(bail);
                self.bail();
                self.b.switch_to_block(done);
                self.ret(bits, tag);
            }
        }
        Ok(())
    }

    /// Whether a return or tail call leaves the machine function itself
    /// with `(payload, tag)`: the outer frame of a direct function.
    fn returns_directly(&self) -> bool {
        matches!(self.f.exit, Exit::Outer) && self.mode == Mode::Direct
    }

    /// Whether a call of `unit.specs[spec]` from the current frame has the
    /// callee's body inlined: `INLINE_MAX_DEPTH` levels deep,
    /// for small callees (whose types the unit infers even when they were
    /// compiled earlier), up to a total per function. Inlining a
    /// recursive function into itself unrolls its recursion once, halving
    /// its calls (fib, tak).
    fn inlinable(&self, spec: usize) -> bool {
        let callee = &self.unit.specs[spec];
        let size = callee.proto.code_len();
        self.f.depth < INLINE_MAX_DEPTH
            && callee.start == 0
            && !callee.types.at.is_empty()
            && inline_candidate(&callee.proto)
            && self.inlined_ops + size <= INLINE_TOTAL_OPS
    }

    /// A call of `unit.specs[spec]` with the callee's body inlined in a
    /// frame of its own; its result goes to `dst`.
    fn inline_call(
        &mut self,
        pc: usize,
        spec: usize,
        base: u16,
        argc: u16,
        dst: u16,
    ) -> Result<(), String> {
        let params = self.unit.specs[spec].params().to_vec();
        let args: Vec<ir::Value> = (0..argc)
            .map(|i| self.argument(base + 1 + i, params[i as usize]))
            .collect();
        self.inlined_ops += self.unit.specs[spec].proto.code_len();
        self.inlined_calls += 1;
        let bail_to = self.deopt_block(pc, Resume::AfterCall(dst));
        let ret = self.unit.specs[spec].types.ret;
        let cont = self.b.create_block();
        self.b.append_block_param(cont, types::I64);
        if passes_tag(ret) {
            self.b.append_block_param(cont, types::I64);
        }
        let budget = self.b.ins().iadd_imm_s(self.f.budget, -1);
        let mut callee = Frame::new(
            &mut self.b,
            self.unit,
            spec,
            Exit::Inlined { cont, bail_to },
        );
        callee.budget = budget;
        callee.depth = self.f.depth + 1;
        let caller = std::mem::replace(&mut self.f, callee);
        let inlined = self.inlined_body(&args);
        self.f = caller;
        inlined?;
        self.b.switch_to_block(cont);
        let bits = self.b.block_params(cont)[0];
        let tag = match self.b.block_params(cont).get(1) {
            Some(&tag) => tag,
            None => self.iconst(ret.tag().unwrap_or(TAG_NIL) as i64),
        };
        self.def_result(dst, ret, bits, tag);
        Ok(())
    }

    /// The current (inlined) frame's code, entered with `args`.
    fn inlined_body(&mut self, args: &[ir::Value]) -> Result<(), String> {
        self.create_blocks();
        self.take_params(args);
        self.check_budget();
        let start = self.f.blocks[&self.f.spec.start];
        self.b.ins().jump(start, &[]);
        self.body()?;
        self.deopt_blocks();
        Ok(())
    }

    /// A check point of the host's limits (a loop back-edge or a call), in
    /// code that counts them: the countdown goes down by one, and when it
    /// would reach zero the code deoptimises here instead, so that the
    /// interpreter runs this check point with its slow path (fuel, clock,
    /// interrupt), exactly where it would have run it itself.
    fn check_point(&mut self, pc: usize) {
        let Some(counter) = self.counter else {
            return;
        };
        let flags = MemFlagsData::trusted();
        let left = self.b.ins().load(types::I32, flags, counter, 0);
        let left = self.b.ins().iadd_imm_s(left, -1);
        let due = self.b.ins().icmp_imm_s(IntCC::Equal, left, 0);
        self.guard(due, pc, Resume::At);
        self.b.ins().store(flags, left, counter, 0);
    }

    /// A tail call of the function itself: a jump to its start with the
    /// arguments as its parameters.
    fn self_tail_call(&mut self, base: u16, argc: u16) {
        let params = self.f.spec.params().to_vec();
        let args: Vec<ir::Value> = (0..argc)
            .map(|i| self.argument(base + 1 + i, params[i as usize]))
            .collect();
        for (r, (v, t)) in args.into_iter().zip(params).enumerate() {
            self.def(r as u16, t, v);
        }
        let start = self.f.blocks[&self.f.spec.start];
        self.b.ins().jump(start, &[]);
    }

    /// Register `dst` gets a call's result, of type `ret`.
    fn def_result(&mut self, dst: u16, ret: Ty, bits: ir::Value, tag: ir::Value) {
        match ret {
            Ty::Float => {
                let f = self.b.ins().bitcast(types::F64, MemFlagsData::new(), bits);
                self.def(dst, Ty::Float, f);
            }
            Ty::Int | Ty::Bool | Ty::Nil | Ty::Func(_) => self.def(dst, ret, bits),
            Ty::Any | Ty::Undef => {
                self.b.def_var(self.f.bits[dst as usize], bits);
                self.b.def_var(self.f.tag[dst as usize], tag);
            }
        }
    }
}
