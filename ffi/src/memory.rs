//! Foreign memory: `ffi/alloc`, `ffi/free`, `ffi/read`, `ffi/write`,
//! `ffi/string`.
//!
//! A block from `ffi/alloc` knows its size and whether it was freed, so
//! reads and writes outside it, a double free and a use after free raise
//! `ffi-error`. A raw pointer (`Value::Pointer`, from C) has no size:
//! reads and writes through it are unchecked (the program's word), except
//! that NULL is refused.

use std::alloc::Layout;
use std::ffi::{CStr, c_char};

use elle_vm::foreign::ForeignObject;
use elle_vm::{RtError, Value, Vm};

use crate::types::{CType, TypeInfo};
use crate::{RtResult, expected, ffi_error, from_word, to_word, type_arg};

/// Blocks are aligned for any C scalar.
const ALIGN: usize = 16;

/// Memory from `ffi/alloc`: `#<pointer 0x...>`, type `:pointer`. Freed by
/// `ffi/free`, or when the collector frees the value.
pub struct Block {
    ptr: *mut u8,
    size: usize,
    freed: bool,
}

impl Block {
    fn layout(size: usize) -> Option<Layout> {
        Layout::from_size_align(size.max(1), ALIGN).ok()
    }

    /// The address, unless the block was freed.
    pub fn address(&self, who: &str) -> RtResult<u64> {
        if self.freed {
            return Err(ffi_error(format!("{who}: the block was freed")));
        }
        Ok(self.ptr as u64)
    }

    fn release(&mut self) {
        if !self.freed {
            self.freed = true;
            if let Some(layout) = Block::layout(self.size) {
                // SAFETY: `ptr` came from `alloc_zeroed` with this very
                // layout (the size never changes) and, `freed` being false
                // until now, was not deallocated before.
                unsafe { std::alloc::dealloc(self.ptr, layout) };
            }
        }
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        self.release();
    }
}

impl ForeignObject for Block {
    fn type_name(&self) -> &'static str {
        "pointer"
    }

    fn write(&self, out: &mut String) {
        out.push_str(&format!("#<pointer {:#x}>", self.ptr as u64));
    }

    fn extra_bytes(&self) -> usize {
        if self.freed { 0 } else { self.size }
    }
}

pub fn install(vm: &mut Vm) {
    crate::define(vm, "ffi/alloc", 1, Some(1), alloc);
    crate::define(vm, "ffi/free", 1, Some(1), free);
    crate::define(vm, "ffi/read", 2, Some(3), read);
    crate::define(vm, "ffi/write", 3, Some(4), write);
    crate::define(vm, "ffi/string", 1, Some(1), string);
}

/// Blocks larger than this are refused (a typo, not a real need).
const MAX_BLOCK: i64 = 1 << 40;

fn alloc(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    let size = match args[0] {
        Value::Int(n) if (0..=MAX_BLOCK).contains(&n) => n as usize,
        Value::Int(n) => {
            return Err(ffi_error(format!(
                "ffi/alloc: cannot allocate {n} bytes (0 to {MAX_BLOCK})"
            )));
        }
        v => return Err(expected(vm, "ffi/alloc", "an integer", v)),
    };
    let layout = Block::layout(size)
        .ok_or_else(|| ffi_error(format!("ffi/alloc: cannot allocate {size} bytes")))?;
    // SAFETY: the layout's size is at least 1.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    if ptr.is_null() {
        return Err(ffi_error(format!(
            "ffi/alloc: out of memory ({size} bytes)"
        )));
    }
    Ok(vm.alloc_foreign(Box::new(Block {
        ptr,
        size,
        freed: false,
    })))
}

fn free(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    if let Some(b) = vm.foreign_mut::<Block>(args[0]) {
        b.address("ffi/free")?;
        b.release();
        return Ok(Value::Nil);
    }
    Err(expected(vm, "ffi/free", "a block from ffi/alloc", args[0]))
}

/// The address of `len` bytes at `offset` in `p`: checked against a
/// block's bounds, unchecked for a raw pointer (NULL refused).
fn locate(vm: &Vm, who: &str, p: Value, offset: Option<Value>, len: usize) -> RtResult<*mut u8> {
    let offset = match offset {
        None => 0,
        Some(Value::Int(n)) => n,
        Some(v) => return Err(expected(vm, who, "an integer offset", v)),
    };
    if let Some(b) = vm.foreign::<Block>(p) {
        let base = b.address(who)?;
        let fits = usize::try_from(offset)
            .ok()
            .and_then(|o| o.checked_add(len))
            .is_some_and(|end| end <= b.size);
        if !fits {
            return Err(ffi_error(format!(
                "{who}: offset {offset} and size {len} reach outside the block of {} bytes",
                b.size
            )));
        }
        return Ok((base as usize + offset as usize) as *mut u8);
    }
    match p {
        Value::Pointer(0) => Err(ffi_error(format!("{who}: NULL pointer"))),
        Value::Pointer(a) => Ok((a as i64).wrapping_add(offset) as usize as *mut u8),
        v => Err(expected(vm, who, "a pointer", v)),
    }
}

/// A type that can be read or written in memory: not void, not string.
fn memory_type(vm: &Vm, who: &str, t: Value) -> RtResult<&'static TypeInfo> {
    let info = type_arg(vm, who, t)?;
    if matches!(info.ctype, CType::Void | CType::String) {
        return Err(RtError::with_data(
            "type-error",
            format!("{who}: cannot read or write :{} in memory", info.name),
            t,
        ));
    }
    Ok(info)
}

fn read(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    const F: &str = "ffi/read";
    let t = memory_type(vm, F, args[1])?;
    let at = locate(vm, F, args[0], args.get(2).copied(), t.size)?;
    let mut bytes = [0u8; 8];
    // SAFETY: for a block, `locate` checked that these `t.size` bytes lie
    // inside it and that it is not freed; a raw pointer is the program's
    // word (documented as unchecked). `bytes` has room for 8.
    unsafe { std::ptr::copy_nonoverlapping(at, bytes.as_mut_ptr(), t.size) };
    let raw = u64::from_le_bytes(bytes);
    from_word(vm, F, t, crate::extend(t, raw))
}

fn write(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    const F: &str = "ffi/write";
    let t = memory_type(vm, F, args[1])?;
    let word = to_word(vm, &format!("{F} (:{})", t.name), t, args[2], None)?;
    let at = locate(vm, F, args[0], args.get(3).copied(), t.size)?;
    let bytes = word.to_le_bytes();
    // SAFETY: as in `read`, for the same `t.size` bytes.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), at, t.size) };
    Ok(Value::Nil)
}

fn string(vm: &mut Vm, args: &[Value]) -> RtResult<Value> {
    const F: &str = "ffi/string";
    if let Some(b) = vm.foreign::<Block>(args[0]) {
        let base = b.address(F)? as *const u8;
        // SAFETY: the block is live and `size` bytes long.
        let bytes = unsafe { std::slice::from_raw_parts(base, b.size) };
        let Some(end) = bytes.iter().position(|&c| c == 0) else {
            return Err(ffi_error(format!(
                "{F}: no NUL byte in the block of {} bytes",
                b.size
            )));
        };
        let s = String::from_utf8_lossy(&bytes[..end]).into_owned();
        return Ok(vm.make_string(&s));
    }
    match args[0] {
        Value::Pointer(0) => Ok(Value::Nil),
        Value::Pointer(a) => {
            // SAFETY: a raw pointer is the program's word that it points
            // to a NUL-terminated string (documented as unchecked).
            let s = unsafe { CStr::from_ptr(a as *const c_char) }
                .to_string_lossy()
                .into_owned();
            Ok(vm.make_string(&s))
        }
        v => Err(expected(vm, F, "a pointer", v)),
    }
}
