//! Integer ranges: which integer arithmetic cannot overflow, so that the
//! code generator leaves out its overflow check, and which `mod` has a
//! dividend that cannot be negative, so that it needs no sign fix-up.
//!
//! A forward dataflow over the bytecode gives every integer register an
//! interval at every instruction. Constants are exact, arithmetic adds the
//! intervals (in 128 bits: a result that may leave the 64-bit range keeps
//! its instruction's check, and only the values it passes, clamped to the
//! 64-bit range, go on), `mod` by a positive divisor lies below it, and a
//! conditional branch narrows its operands on each edge: after `(< i n)`
//! holds, `i` is below `n`'s maximum, so `(+ i 1)` cannot overflow.
//! Parameters and call results are unknown.
//! Loop headers (the targets of `JumpBack`) widen a bound that grows to
//! the end of the range, so the analysis ends after a few passes.
//!
//! Sound by construction: an instruction is marked only when every value
//! its operands can hold on any path gives a result in range.

use std::collections::HashSet;

use elle_vm::Value;
use elle_vm::bytecode::{CmpOp, Op, Proto, UnOp};

use crate::infer::{Ty, Types};

/// The integers a register may hold, `lo..=hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Range {
    lo: i64,
    hi: i64,
}

impl Range {
    const FULL: Range = Range {
        lo: i64::MIN,
        hi: i64::MAX,
    };

    fn exact(n: i64) -> Range {
        Range { lo: n, hi: n }
    }

    /// The range `lo..=hi` if it fits in 64 bits.
    fn fitting(lo: i128, hi: i128) -> Option<Range> {
        Some(Range {
            lo: i64::try_from(lo).ok()?,
            hi: i64::try_from(hi).ok()?,
        })
    }

    /// The 64-bit part of `lo..=hi`: what a checked operation passes on.
    fn clamped(lo: i128, hi: i128) -> Range {
        let clamp = |x: i128| x.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
        Range {
            lo: clamp(lo),
            hi: clamp(hi),
        }
    }

    fn join(self, o: Range) -> Range {
        Range {
            lo: self.lo.min(o.lo),
            hi: self.hi.max(o.hi),
        }
    }

    /// `self` joined with `newer`, a bound that grows going to its end.
    fn widen(self, newer: Range) -> Range {
        Range {
            lo: if newer.lo < self.lo {
                i64::MIN
            } else {
                self.lo
            },
            hi: if newer.hi > self.hi {
                i64::MAX
            } else {
                self.hi
            },
        }
    }

    fn is_empty(self) -> bool {
        self.lo > self.hi
    }
}

#[derive(Clone, Copy)]
enum Arith {
    Add,
    Sub,
    Mul,
    /// `a * a`: both operands are the same value.
    Square,
}

/// The exact bounds of `a op b` over the ranges, in 128 bits.
fn bounds(op: Arith, a: Range, b: Range) -> (i128, i128) {
    let (al, ah, bl, bh) = (a.lo as i128, a.hi as i128, b.lo as i128, b.hi as i128);
    match op {
        Arith::Add => (al + bl, ah + bh),
        Arith::Sub => (al - bh, ah - bl),
        Arith::Mul => {
            let corners = [al * bl, al * bh, ah * bl, ah * bh];
            let lo = corners.iter().copied().fold(i128::MAX, i128::min);
            let hi = corners.iter().copied().fold(i128::MIN, i128::max);
            (lo, hi)
        }
        Arith::Square => {
            let (_, hi) = bounds(Arith::Mul, a, a);
            let lo = if al <= 0 && ah >= 0 {
                0
            } else {
                (al * al).min(ah * ah)
            };
            (lo, hi)
        }
    }
}

/// What a checked `a op b` passes on (it deoptimises on the rest), and
/// whether it cannot overflow at all.
fn checked(op: Arith, a: Range, b: Range) -> (Range, bool) {
    let (lo, hi) = bounds(op, a, b);
    match Range::fitting(lo, hi) {
        Some(r) => (r, true),
        None => (Range::clamped(lo, hi), false),
    }
}

/// What the ranges prove about each instruction.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Proven {
    /// Integer arithmetic (`+ - *`, `inc`, `dec`, `neg`) that cannot
    /// overflow.
    pub overflow_free: bool,
    /// A `mod` whose dividend cannot be negative.
    pub nonnegative_dividend: bool,
}

/// For each instruction of `proto` entered at `start` with the given
/// types, what its operands' ranges prove.
pub fn prove(proto: &Proto, start: usize, types: &Types) -> Vec<Proven> {
    let n = proto.code_len();
    let nregs = proto.nregs() as usize;
    let headers: HashSet<usize> = (0..n)
        .filter_map(|pc| match proto.op(pc) {
            Some(Op::JumpBack { target }) => Some(target as usize),
            _ => None,
        })
        .collect();
    let mut at: Vec<Option<Vec<Range>>> = vec![None; n];
    at[start] = Some(vec![Range::FULL; nregs]);
    let mut proven = vec![Proven::default(); n];
    let mut work = vec![start];
    while let Some(pc) = work.pop() {
        let (Some(op), Some(before)) = (proto.op(pc), at[pc].clone()) else {
            continue;
        };
        let ints = |r: u16| types.at[pc].get(r as usize) == Some(&Ty::Int);
        let mut after = before.clone();
        proven[pc] = step(proto, op, &ints, &mut after);
        for next in op.successors(pc) {
            let mut out = after.clone();
            if !narrow(op, pc, next, &ints, &mut out) || next >= n {
                continue;
            }
            let merged = match &at[next] {
                None => out,
                Some(old) if headers.contains(&next) => {
                    old.iter().zip(&out).map(|(o, x)| o.widen(*x)).collect()
                }
                Some(old) => old.iter().zip(&out).map(|(o, x)| o.join(*x)).collect(),
            };
            if at[next].as_ref() != Some(&merged) {
                at[next] = Some(merged);
                work.push(next);
            }
        }
    }
    proven
}

/// Applies `op` to `ranges` and says what they prove about it.
fn step(proto: &Proto, op: Op, ints: &dyn Fn(u16) -> bool, ranges: &mut [Range]) -> Proven {
    let r = |reg: u16| ranges[reg as usize];
    let imm = |n: i16| Range::exact(n as i64);
    let computed = |op: Arith, a: Range, b: Range| {
        let (result, overflow_free) = checked(op, a, b);
        let proven = Proven {
            overflow_free,
            ..Proven::default()
        };
        (result, proven)
    };
    // Floored: `mod` by a positive divisor lies in `0..divisor`.
    let modulo = |a: Range, divisor_max: i64| {
        let proven = Proven {
            nonnegative_dividend: a.lo >= 0,
            ..Proven::default()
        };
        let result = Range {
            lo: 0,
            hi: divisor_max - 1,
        };
        (result, proven)
    };
    let copied = |range: Range| (range, Proven::default());
    let (dst, (result, proven)) = match op {
        Op::Move { dst, src } => (dst, copied(r(src))),
        Op::LoadInt { dst, n } => (dst, copied(Range::exact(n as i64))),
        Op::LoadConst { dst, k } => match proto.consts().get(k as usize) {
            Some(Value::Int(n)) => (dst, copied(Range::exact(*n))),
            _ => (dst, copied(Range::FULL)),
        },
        Op::Add { dst, a, b } if ints(a) && ints(b) => (dst, computed(Arith::Add, r(a), r(b))),
        Op::Sub { dst, a, b } if ints(a) && ints(b) => (dst, computed(Arith::Sub, r(a), r(b))),
        // A square is never negative.
        Op::Mul { dst, a, b } if a == b && ints(a) => (dst, computed(Arith::Square, r(a), r(a))),
        Op::Mul { dst, a, b } if ints(a) && ints(b) => (dst, computed(Arith::Mul, r(a), r(b))),
        Op::AddI { dst, a, n } if ints(a) => (dst, computed(Arith::Add, r(a), imm(n))),
        Op::SubI { dst, a, n } if ints(a) => (dst, computed(Arith::Sub, r(a), imm(n))),
        Op::MulI { dst, a, n } if ints(a) => (dst, computed(Arith::Mul, r(a), imm(n))),
        Op::Un {
            op: op @ (UnOp::Inc | UnOp::Dec | UnOp::Neg),
            dst,
            src,
        } if ints(src) => {
            let one = Range::exact(1);
            let result = match op {
                UnOp::Inc => computed(Arith::Add, r(src), one),
                UnOp::Dec => computed(Arith::Sub, r(src), one),
                _ => computed(Arith::Sub, Range::exact(0), r(src)),
            };
            (dst, result)
        }
        Op::Mod { dst, a, b } if ints(a) && ints(b) && r(b).lo > 0 => (dst, modulo(r(a), r(b).hi)),
        Op::ModI { dst, a, n } if ints(a) && n > 0 => (dst, modulo(r(a), n as i64)),
        op => {
            for w in op.operands().writes.iter() {
                if let Some(x) = ranges.get_mut(w as usize) {
                    *x = Range::FULL;
                }
            }
            return Proven::default();
        }
    };
    ranges[dst as usize] = result;
    proven
}

/// The comparison a conditional branch makes, its operands (`None` for
/// an immediate's register) and the immediate.
fn branch_comparison(op: Op) -> Option<(CmpOp, u16, Option<u16>, i64)> {
    Some(match op {
        Op::JumpUnlessLt { a, b, .. } => (CmpOp::Lt, a, Some(b), 0),
        Op::JumpUnlessGt { a, b, .. } => (CmpOp::Gt, a, Some(b), 0),
        Op::JumpUnlessLe { a, b, .. } => (CmpOp::Le, a, Some(b), 0),
        Op::JumpUnlessGe { a, b, .. } => (CmpOp::Ge, a, Some(b), 0),
        Op::JumpUnlessNumEq { a, b, .. } => (CmpOp::NumEq, a, Some(b), 0),
        Op::JumpUnlessEq { a, b, .. } => (CmpOp::Eq, a, Some(b), 0),
        Op::JumpUnlessLtI { a, n, .. } => (CmpOp::Lt, a, None, n as i64),
        Op::JumpUnlessGtI { a, n, .. } => (CmpOp::Gt, a, None, n as i64),
        Op::JumpUnlessLeI { a, n, .. } => (CmpOp::Le, a, None, n as i64),
        Op::JumpUnlessGeI { a, n, .. } => (CmpOp::Ge, a, None, n as i64),
        Op::JumpUnlessNumEqI { a, n, .. } => (CmpOp::NumEq, a, None, n as i64),
        Op::JumpUnlessEqI { a, n, .. } => (CmpOp::Eq, a, None, n as i64),
        _ => return None,
    })
}

/// Narrows `ranges` to what holds on the edge from the branch at `pc` to
/// `next`: the comparison holds falling through and fails jumping. Returns
/// false when the edge cannot be taken.
fn narrow(
    op: Op,
    pc: usize,
    next: usize,
    ints: &dyn Fn(u16) -> bool,
    ranges: &mut [Range],
) -> bool {
    let Some((cmp, a, b, n)) = branch_comparison(op) else {
        return true;
    };
    let target = op.jump_target().map(|t| t as usize);
    if target == Some(pc + 1) || !ints(a) || !b.is_none_or(ints) {
        return true;
    }
    let holds = next == pc + 1;
    let y = b.map_or(Range::exact(n), |b| ranges[b as usize]);
    let (x, y) = narrow_pair(cmp, holds, ranges[a as usize], y);
    ranges[a as usize] = x;
    if let Some(b) = b {
        ranges[b as usize] = y;
    }
    !x.is_empty() && !y.is_empty()
}

/// `x` and `y` narrowed by `x cmp y` being `holds`.
fn narrow_pair(cmp: CmpOp, holds: bool, x: Range, y: Range) -> (Range, Range) {
    // Below: `x < y` narrows x's top to y's top less one and y's bottom to
    // x's bottom plus one; `x <= y` the same without the one.
    let below = |x: Range, y: Range, strict: i64| {
        let nx = Range {
            lo: x.lo,
            hi: x.hi.min(y.hi.saturating_sub(strict)),
        };
        let ny = Range {
            lo: y.lo.max(x.lo.saturating_add(strict)),
            hi: y.hi,
        };
        (nx, ny)
    };
    let swap = |(a, b): (Range, Range)| (b, a);
    match (cmp, holds) {
        (CmpOp::Lt, true) | (CmpOp::Ge, false) => below(x, y, 1),
        (CmpOp::Le, true) | (CmpOp::Gt, false) => below(x, y, 0),
        (CmpOp::Gt, true) | (CmpOp::Le, false) => swap(below(y, x, 1)),
        (CmpOp::Ge, true) | (CmpOp::Lt, false) => swap(below(y, x, 0)),
        (CmpOp::NumEq | CmpOp::Eq, true) => {
            let both = Range {
                lo: x.lo.max(y.lo),
                hi: x.hi.min(y.hi),
            };
            (both, both)
        }
        (CmpOp::NumEq | CmpOp::Eq, false) => (x, y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_of_ranges_knows_when_it_may_overflow() {
        let small = Range { lo: -5, hi: 10 };
        assert_eq!(
            checked(Arith::Add, small, Range::exact(1)),
            (Range { lo: -4, hi: 11 }, true)
        );
        assert_eq!(
            checked(Arith::Mul, small, small),
            (Range { lo: -50, hi: 100 }, true)
        );
        assert_eq!(
            checked(Arith::Add, Range::FULL, Range::exact(1)),
            (
                Range {
                    lo: i64::MIN + 1,
                    hi: i64::MAX
                },
                false
            )
        );
        assert_eq!(
            checked(Arith::Sub, Range::FULL, Range::exact(0)),
            (Range::FULL, true)
        );
        let natural = Range {
            lo: 0,
            hi: i64::MAX - 1,
        };
        assert_eq!(
            checked(Arith::Add, natural, Range::exact(1)),
            (
                Range {
                    lo: 1,
                    hi: i64::MAX
                },
                true
            )
        );
        // A checked square passes on natural numbers.
        assert_eq!(
            checked(Arith::Square, Range::FULL, Range::FULL),
            (
                Range {
                    lo: 0,
                    hi: i64::MAX
                },
                false
            )
        );
        let (a, b) = (Range { lo: -3, hi: 2 }, Range { lo: 2, hi: 5 });
        assert_eq!(checked(Arith::Square, a, a), (Range { lo: 0, hi: 9 }, true));
        assert_eq!(
            checked(Arith::Square, b, b),
            (Range { lo: 4, hi: 25 }, true)
        );
    }

    #[test]
    fn a_comparison_narrows_both_sides_on_each_edge() {
        let (i, n) = narrow_pair(CmpOp::Lt, true, Range::FULL, Range::FULL);
        assert_eq!(i.hi, i64::MAX - 1);
        assert_eq!(n.lo, i64::MIN + 1);
        let (n, _) = narrow_pair(CmpOp::Lt, false, Range::FULL, Range::exact(2));
        assert_eq!(
            n,
            Range {
                lo: 2,
                hi: i64::MAX
            }
        );
        let (x, _) = narrow_pair(CmpOp::Gt, true, Range::FULL, Range::exact(0));
        assert_eq!(x.lo, 1);
        let (x, y) = narrow_pair(CmpOp::NumEq, true, Range { lo: 0, hi: 9 }, Range::exact(3));
        assert_eq!((x, y), (Range::exact(3), Range::exact(3)));
    }
}
