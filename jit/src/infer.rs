//! What the code generator knows about a function before it emits
//! anything: the static type of every register at every instruction, given
//! the types at the entry, and which registers are live where.

use elle_vm::bytecode::{Op, Proto, UnOp};
use elle_vm::value::{TAG_BOOL, TAG_FLOAT, TAG_INT, TAG_NIL, TAG_OBJ, Value};

/// The type of a register at one instruction.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Ty {
    /// Not assigned on any path so far.
    Undef,
    Int,
    Float,
    Bool,
    Nil,
    /// A global function, by its index in the unit's callee table.
    Func(u32),
    /// Different types on different paths: a tag and a payload at run time.
    Any,
}

impl Ty {
    /// The least type covering both.
    pub fn join(self, other: Ty) -> Ty {
        match (self, other) {
            (a, b) if a == b => a,
            (Ty::Undef, t) | (t, Ty::Undef) => t,
            _ => Ty::Any,
        }
    }

    /// The type of a register holding `v` at an entry, if compiled code can
    /// hold it.
    pub fn of_value(v: Value) -> Option<Ty> {
        Some(match v {
            Value::Int(_) => Ty::Int,
            Value::Float(_) => Ty::Float,
            Value::Bool(_) => Ty::Bool,
            Value::Nil => Ty::Nil,
            _ => return None,
        })
    }

    /// The tag word of a value of this type, when it is fixed.
    pub fn tag(self) -> Option<u64> {
        match self {
            Ty::Int => Some(TAG_INT),
            Ty::Float => Some(TAG_FLOAT),
            Ty::Bool => Some(TAG_BOOL),
            Ty::Nil => Some(TAG_NIL),
            Ty::Func(_) => Some(TAG_OBJ),
            Ty::Undef | Ty::Any => None,
        }
    }

    pub fn is_number(self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }
}

/// The function a `GlobalGet` reads, and what calling it gives.
pub trait Env {
    /// The callee index of the function in global `slot`, or why it cannot
    /// be called from compiled code.
    fn global_function(&mut self, slot: u32) -> Result<u32, String>;
    /// The parameter count of callee `f`.
    fn arity(&self, f: u32) -> u32;
    /// What a call of `f` with arguments of these types returns, as far as
    /// it is known yet (`Undef` when not yet).
    fn call_result(&mut self, f: u32, args: &[Ty]) -> Ty;
}

/// The static types of one function entered at `start` with `entry` types.
pub struct Types {
    /// The types of the registers before each instruction (empty for
    /// instructions that cannot run).
    pub at: Vec<Vec<Ty>>,
    /// What the function returns.
    pub ret: Ty,
}

/// Infers the types of `proto`'s registers from `start`, or says why
/// compiled code cannot run it with these types.
pub fn infer(
    proto: &Proto,
    start: usize,
    entry: Vec<Ty>,
    env: &mut dyn Env,
) -> Result<Types, String> {
    let n = proto.code_len();
    let mut at: Vec<Vec<Ty>> = vec![Vec::new(); n];
    at[start] = entry;
    let mut ret = Ty::Undef;
    let mut work = vec![start];
    while let Some(pc) = work.pop() {
        let op = proto.op(pc).ok_or("jump out of the code")?;
        let mut after = at[pc].clone();
        step(proto, op, &mut after, &mut ret, env).map_err(|e| e.to_string())?;
        for next in op.successors(pc) {
            let Some(types) = at.get_mut(next) else {
                return Err("jump out of the code".into());
            };
            if types.is_empty() {
                *types = after.clone();
                work.push(next);
            } else {
                let joined: Vec<Ty> = types.iter().zip(&after).map(|(a, b)| a.join(*b)).collect();
                if joined != *types {
                    *types = joined;
                    work.push(next);
                }
            }
        }
    }
    Ok(Types { at, ret })
}

/// The types after `op` (applied to `types`, the types before it); a
/// `Return` or tail call adds to `ret`.
fn step(
    proto: &Proto,
    op: Op,
    types: &mut [Ty],
    ret: &mut Ty,
    env: &mut dyn Env,
) -> Result<(), String> {
    let ty = |r: u16| types[r as usize];
    let out = match op {
        Op::Move { dst, src } => Some((dst, ty(src))),
        Op::LoadInt { dst, .. } => Some((dst, Ty::Int)),
        Op::LoadNil { dst } => Some((dst, Ty::Nil)),
        Op::LoadBool { dst, .. } => Some((dst, Ty::Bool)),
        Op::LoadConst { dst, k } => match proto.consts().get(k as usize) {
            Some(Value::Int(_)) => Some((dst, Ty::Int)),
            Some(Value::Float(_)) => Some((dst, Ty::Float)),
            _ => return Err("uses a constant that is not a number".into()),
        },
        Op::GlobalGet { dst, slot } => Some((dst, Ty::Func(env.global_function(slot)?))),
        Op::Add { dst, a, b }
        | Op::Sub { dst, a, b }
        | Op::Mul { dst, a, b }
        | Op::Div { dst, a, b } => Some((dst, arith(ty(a), ty(b))?)),
        Op::AddI { dst, a, .. }
        | Op::SubI { dst, a, .. }
        | Op::MulI { dst, a, .. }
        | Op::DivI { dst, a, .. } => Some((dst, arith(ty(a), Ty::Int)?)),
        Op::Mod { dst, a, b } => Some((dst, arith(ty(a), ty(b))?)),
        Op::ModI { dst, a, .. } => Some((dst, arith(ty(a), Ty::Int)?)),
        Op::Lt { dst, a, b }
        | Op::Gt { dst, a, b }
        | Op::Le { dst, a, b }
        | Op::Ge { dst, a, b }
        | Op::NumEq { dst, a, b } => {
            compare(ty(a), ty(b))?;
            Some((dst, Ty::Bool))
        }
        Op::LtI { dst, a, .. }
        | Op::GtI { dst, a, .. }
        | Op::LeI { dst, a, .. }
        | Op::GeI { dst, a, .. }
        | Op::NumEqI { dst, a, .. } => {
            compare_imm(ty(a))?;
            Some((dst, Ty::Bool))
        }
        Op::Eq { dst, a, b } => {
            equal(ty(a), ty(b))?;
            Some((dst, Ty::Bool))
        }
        Op::EqI { dst, a, .. } => {
            equal_imm(ty(a))?;
            Some((dst, Ty::Bool))
        }
        Op::JumpUnlessLt { a, b, .. }
        | Op::JumpUnlessGt { a, b, .. }
        | Op::JumpUnlessLe { a, b, .. }
        | Op::JumpUnlessGe { a, b, .. }
        | Op::JumpUnlessNumEq { a, b, .. } => {
            compare(ty(a), ty(b))?;
            None
        }
        Op::JumpUnlessLtI { a, .. }
        | Op::JumpUnlessGtI { a, .. }
        | Op::JumpUnlessLeI { a, .. }
        | Op::JumpUnlessGeI { a, .. }
        | Op::JumpUnlessNumEqI { a, .. } => {
            compare_imm(ty(a))?;
            None
        }
        Op::JumpUnlessEq { a, b, .. } => {
            equal(ty(a), ty(b))?;
            None
        }
        Op::JumpUnlessEqI { a, .. } => {
            equal_imm(ty(a))?;
            None
        }
        Op::Un { op, dst, src } => Some((dst, unary(op, ty(src))?)),
        Op::Jump { .. } | Op::JumpBack { .. } | Op::JumpIfFalse { .. } | Op::JumpIfTrue { .. } => {
            None
        }
        Op::Return { src } => {
            *ret = ret.join(ty(src));
            None
        }
        Op::Call { base, argc, dst } => Some((dst, call(types, base, argc, env)?)),
        Op::TailCall { base, argc } => {
            *ret = ret.join(call(types, base, argc, env)?);
            None
        }
        op => return Err(format!("internal: {op:?} is not compiled")),
    };
    if let Some((dst, t)) = out {
        types[dst as usize] = t;
    }
    Ok(())
}

fn mixed_types() -> String {
    "a variable holds values of different types (integer and float, say) at one point".into()
}

/// `+ - * /`: integers stay integers; any float makes a float.
fn arith(a: Ty, b: Ty) -> Result<Ty, String> {
    match (a, b) {
        // The result of a call whose type is not known yet.
        (Ty::Undef, _) | (_, Ty::Undef) => Ok(Ty::Undef),
        (Ty::Int, Ty::Int) => Ok(Ty::Int),
        (a, b) if a.is_number() && b.is_number() => Ok(Ty::Float),
        (Ty::Any, _) | (_, Ty::Any) => Err(mixed_types()),
        _ => Err("does arithmetic on something that is not a number".into()),
    }
}

/// `< > <= >= ==` of two numbers (an integer and a float are compared
/// exactly, as the interpreter does).
fn compare(a: Ty, b: Ty) -> Result<(), String> {
    match (a, b) {
        (Ty::Undef, _) | (_, Ty::Undef) => Ok(()),
        (a, b) if a.is_number() && b.is_number() => Ok(()),
        (Ty::Any, _) | (_, Ty::Any) => Err(mixed_types()),
        _ => Err("compares something that is not a number".into()),
    }
}

fn compare_imm(a: Ty) -> Result<(), String> {
    compare(a, if a == Ty::Float { Ty::Float } else { Ty::Int })
}

/// `=` of two values of known types.
fn equal(a: Ty, b: Ty) -> Result<(), String> {
    match (a, b) {
        (Ty::Undef, _) | (_, Ty::Undef) => Ok(()),
        (Ty::Any, _) | (_, Ty::Any) => Err(mixed_types()),
        (Ty::Func(_), _) | (_, Ty::Func(_)) => Err("compares functions".into()),
        _ => Ok(()),
    }
}

fn equal_imm(a: Ty) -> Result<(), String> {
    match a {
        Ty::Int | Ty::Undef => Ok(()),
        _ => Err("compares something other than an integer with an integer".into()),
    }
}

fn unary(op: UnOp, a: Ty) -> Result<Ty, String> {
    match (op, a) {
        (UnOp::Not, _) => Ok(Ty::Bool),
        (_, Ty::Undef) => Ok(Ty::Undef),
        (UnOp::Inc | UnOp::Dec | UnOp::Neg, Ty::Int) => Ok(Ty::Int),
        (UnOp::Neg, Ty::Float) => Ok(Ty::Float),
        (UnOp::IsZero, t) if t.is_number() => Ok(Ty::Bool),
        (UnOp::Sqrt, t) if t.is_number() => Ok(Ty::Float),
        (UnOp::Abs, t) if t.is_number() => Ok(t),
        (UnOp::IsEven | UnOp::IsOdd, Ty::Int) => Ok(Ty::Bool),
        (UnOp::IsPos | UnOp::IsNeg, t) if t.is_number() => Ok(Ty::Bool),
        (_, Ty::Any) => Err(mixed_types()),
        (op, _) => Err(format!(
            "applies `{}` to something it does not compile for",
            op.global_name()
        )),
    }
}

/// The result type of a call of the function in `base`.
fn call(types: &[Ty], base: u16, argc: u16, env: &mut dyn Env) -> Result<Ty, String> {
    let Ty::Func(f) = types[base as usize] else {
        return Err("calls something other than a global function".into());
    };
    if env.arity(f) != argc as u32 {
        return Err("calls a function with the wrong number of arguments".into());
    }
    let args = &types[base as usize + 1..base as usize + 1 + argc as usize];
    if args.contains(&Ty::Undef) {
        return Ok(Ty::Undef);
    }
    if let Some(bad) = args
        .iter()
        .find(|t| !matches!(t, Ty::Int | Ty::Float | Ty::Bool | Ty::Nil))
    {
        return Err(match bad {
            Ty::Any => mixed_types(),
            _ => "passes a function as an argument".into(),
        });
    }
    Ok(env.call_result(f, args))
}

/// The registers live before each instruction (read before being written
/// on some path from there), as one bit vector per instruction.
pub fn liveness(proto: &Proto, reachable: &[bool]) -> Vec<Vec<bool>> {
    let n = proto.code_len();
    let nregs = proto.nregs() as usize;
    let mut live = vec![vec![false; nregs]; n];
    let mut changed = true;
    while changed {
        changed = false;
        for pc in (0..n).rev().filter(|&pc| reachable[pc]) {
            let Some(op) = proto.op(pc) else { continue };
            let mut now = vec![false; nregs];
            for next in op.successors(pc) {
                if let Some(l) = live.get(next) {
                    for (a, b) in now.iter_mut().zip(l) {
                        *a |= *b;
                    }
                }
            }
            let operands = op.operands();
            for w in operands.writes.iter() {
                if let Some(x) = now.get_mut(w as usize) {
                    *x = false;
                }
            }
            for r in operands.reads.iter() {
                if let Some(x) = now.get_mut(r as usize) {
                    *x = true;
                }
            }
            if now != live[pc] {
                live[pc] = now;
                changed = true;
            }
        }
    }
    live
}
