//! Component values ([`Val`]) and their conversion to and from the C API's
//! `wasmtime_component_val_t`.
//!
//! Every heap buffer inside a C value belongs to the library's allocator:
//! strings and names are made with `wasm_byte_vec_new`, vectors with the
//! `wasmtime_component_val*_new_uninit` constructors (whose slots start as
//! `bool false` or an empty name, so writing over them leaks nothing) and
//! the payload boxes of options, variants and results with
//! `wasmtime_component_val_new`. Nothing this crate allocates is ever put
//! into a C value, so a `#[global_allocator]` of the program cannot be
//! asked to free the library's memory or the reverse.

use super::resource::ResourceAny;
use crate::error::{ErrorKind, Result};
use crate::sys::tables::{ComponentModel, Core};
use crate::sys::types::*;

/// A component-model value, as the `wasmtime` crate's
/// `wasmtime::component::Val`: what [`Func::call`](super::Func::call)
/// takes and returns and what host functions defined with
/// [`LinkerInstance::func_new`](super::LinkerInstance::func_new) see.
///
/// Futures, streams and error contexts are not values here yet: the C
/// API cannot pass them to the host (see [`Func::call`](super::Func::call)).
/// Resources are owned handles ([`ResourceAny`]).
///
/// ```
/// use wasmtime_dyn::component::Val;
/// let point = Val::Record(vec![("x".into(), Val::S32(1)), ("y".into(), Val::S32(-2))]);
/// let maybe = Val::Option(Some(Box::new(Val::String("hi".into()))));
/// let outcome: Val = Val::Result(Err(Some(Box::new(Val::Enum("denied".into())))));
/// assert_ne!(point, maybe);
/// assert_eq!(outcome.clone(), outcome);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// `bool`.
    Bool(bool),
    /// `s8`.
    S8(i8),
    /// `u8`.
    U8(u8),
    /// `s16`.
    S16(i16),
    /// `u16`.
    U16(u16),
    /// `s32`.
    S32(i32),
    /// `u32`.
    U32(u32),
    /// `s64`.
    S64(i64),
    /// `u64`.
    U64(u64),
    /// `f32`.
    Float32(f32),
    /// `f64`.
    Float64(f64),
    /// `char`: a Unicode scalar value.
    Char(char),
    /// `string`.
    String(String),
    /// `list<T>`.
    List(Vec<Val>),
    /// `map<K, V>`, as key-value pairs (needs the component-model map
    /// proposal enabled).
    Map(Vec<(Val, Val)>),
    /// A record: its fields, by name, in the type's order.
    Record(Vec<(String, Val)>),
    /// `tuple<...>`.
    Tuple(Vec<Val>),
    /// A variant: the case's name and its payload, if the case has one.
    Variant(String, Option<Box<Val>>),
    /// An enum: the case's name.
    Enum(String),
    /// `option<T>`.
    Option(Option<Box<Val>>),
    /// `result<T, E>`, each side's payload if that side has one.
    Result(Result<Option<Box<Val>>, Option<Box<Val>>>),
    /// `flags`: the names of the flags that are set.
    Flags(Vec<String>),
    /// `own<R>` (or, passed to the guest, `borrow<R>`): a resource.
    Resource(ResourceAny),
}

/// `WASMTIME_COMPONENT_*` value kinds, as `u8`.
pub(crate) mod kind {
    use crate::sys::types as t;
    macro_rules! kinds {
        ($($name:ident = $c:ident),* $(,)?) => {
            $(pub(crate) const $name: u8 = t::$c as u8;)*
        };
    }
    kinds! {
        BOOL = WASMTIME_COMPONENT_BOOL, S8 = WASMTIME_COMPONENT_S8, U8 = WASMTIME_COMPONENT_U8,
        S16 = WASMTIME_COMPONENT_S16, U16 = WASMTIME_COMPONENT_U16, S32 = WASMTIME_COMPONENT_S32,
        U32 = WASMTIME_COMPONENT_U32, S64 = WASMTIME_COMPONENT_S64, U64 = WASMTIME_COMPONENT_U64,
        F32 = WASMTIME_COMPONENT_F32, F64 = WASMTIME_COMPONENT_F64, CHAR = WASMTIME_COMPONENT_CHAR,
        STRING = WASMTIME_COMPONENT_STRING, LIST = WASMTIME_COMPONENT_LIST,
        RECORD = WASMTIME_COMPONENT_RECORD, TUPLE = WASMTIME_COMPONENT_TUPLE,
        VARIANT = WASMTIME_COMPONENT_VARIANT, ENUM = WASMTIME_COMPONENT_ENUM,
        OPTION = WASMTIME_COMPONENT_OPTION, RESULT = WASMTIME_COMPONENT_RESULT,
        FLAGS = WASMTIME_COMPONENT_FLAGS, RESOURCE = WASMTIME_COMPONENT_RESOURCE,
        MAP = WASMTIME_COMPONENT_MAP,
    }
    /// `FixedLengthList(vallist)`: a kind the C API's Rust side has from
    /// Wasmtime 48 on without declaring it in a header (c-api
    /// 48:src/component/val.rs:277), laid out as a list.
    pub(crate) const FIXED_LENGTH_LIST: u8 = 23;
    /// The highest kind any supported library writes or frees.
    pub(crate) const LAST: u8 = FIXED_LENGTH_LIST;
}

/// A `bool false`: what result slots hold before a call (the C API drops
/// a slot's old value when it writes the result, so slots are never left
/// uninitialised).
pub(crate) fn placeholder() -> wasmtime_component_val_t {
    wasmtime_component_val_t {
        kind: kind::BOOL,
        of: wasmtime_component_valunion_t { u64_: 0 },
    }
}

/// A number, `bool` or `char` as a C value; `None` for the other kinds.
/// [`ValFns::lower`] starts with it; inlined into the loops over list
/// elements, which are mostly these.
#[inline(always)]
fn lower_scalar(val: &Val) -> Option<wasmtime_component_val_t> {
    use wasmtime_component_valunion_t as U;
    let (kind, of) = match val {
        Val::Bool(b) => (kind::BOOL, U { boolean: *b }),
        Val::S8(v) => (kind::S8, U { s8: *v }),
        Val::U8(v) => (kind::U8, U { u8_: *v }),
        Val::S16(v) => (kind::S16, U { s16: *v }),
        Val::U16(v) => (kind::U16, U { u16_: *v }),
        Val::S32(v) => (kind::S32, U { s32: *v }),
        Val::U32(v) => (kind::U32, U { u32_: *v }),
        Val::S64(v) => (kind::S64, U { s64: *v }),
        Val::U64(v) => (kind::U64, U { u64_: *v }),
        Val::Float32(v) => (kind::F32, U { f32_: *v }),
        Val::Float64(v) => (kind::F64, U { f64_: *v }),
        Val::Char(c) => (
            kind::CHAR,
            U {
                character: *c as u32,
            },
        ),
        _ => return None,
    };
    Some(wasmtime_component_val_t { kind, of })
}

/// A C number, `bool` or `char` as a [`Val`] (a char that is not a
/// Unicode scalar value is an error); `None` for the other kinds.
/// [`ValFns::lift`] starts with it; inlined into the loops over list
/// elements, which are mostly these.
#[inline(always)]
fn lift_scalar(val: &wasmtime_component_val_t) -> Option<Result<Val>> {
    let of = &val.of;
    // SAFETY: each arm reads the union member its kind names.
    unsafe {
        Some(Ok(match val.kind {
            kind::BOOL => Val::Bool(of.boolean),
            kind::S8 => Val::S8(of.s8),
            kind::U8 => Val::U8(of.u8_),
            kind::S16 => Val::S16(of.s16),
            kind::U16 => Val::U16(of.u16_),
            kind::S32 => Val::S32(of.s32),
            kind::U32 => Val::U32(of.u32_),
            kind::S64 => Val::S64(of.s64),
            kind::U64 => Val::U64(of.u64_),
            kind::F32 => Val::Float32(of.f32_),
            kind::F64 => Val::Float64(of.f64_),
            kind::CHAR => match char::from_u32(of.character) {
                Some(c) => Val::Char(c),
                None => return Some(Err(mismatch("a char that is not a Unicode scalar value"))),
            },
            _ => return None,
        }))
    }
}

/// The functions values are built and freed with.
#[derive(Clone, Copy)]
pub(crate) struct ValFns {
    pub(crate) core: &'static Core,
    pub(crate) model: &'static ComponentModel,
    /// The id of the store the values belong to (resources read are
    /// stamped with it).
    pub(crate) store: u64,
}

/// How many C values [`OwnedVals`] holds without a heap allocation: every
/// parameter list up to this length (the typed tuples go to 12) and every
/// result list (none or one) are built on the stack.
const INLINE: usize = 12;

/// C values this crate owns, freed with `wasmtime_component_val_delete`
/// when dropped (also on an early return or a panic). Up to [`INLINE`]
/// values live in the struct itself, so a call's argument and result
/// arrays cost no allocation.
pub(crate) struct OwnedVals {
    fns: ValFns,
    len: usize,
    inline: [wasmtime_component_val_t; INLINE],
    heap: Vec<wasmtime_component_val_t>,
}

impl OwnedVals {
    /// `n` placeholder values (result slots).
    pub(crate) fn placeholders(fns: ValFns, n: usize) -> OwnedVals {
        OwnedVals {
            fns,
            len: n,
            inline: [placeholder(); INLINE],
            heap: if n > INLINE {
                vec![placeholder(); n]
            } else {
                Vec::new()
            },
        }
    }

    /// `vals` lowered to C values.
    pub(crate) fn lower(fns: ValFns, vals: &[Val]) -> OwnedVals {
        let mut owned = OwnedVals::placeholders(fns, vals.len());
        for (slot, val) in owned.as_mut_slice().iter_mut().zip(vals) {
            // SAFETY: the slot holds a placeholder (nothing to free).
            unsafe { fns.lower(val, slot) };
        }
        owned
    }

    /// The values.
    pub(crate) fn as_slice(&self) -> &[wasmtime_component_val_t] {
        if self.len <= INLINE {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }

    /// The values, to write.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [wasmtime_component_val_t] {
        if self.len <= INLINE {
            &mut self.inline[..self.len]
        } else {
            &mut self.heap
        }
    }
}

impl Drop for OwnedVals {
    fn drop(&mut self) {
        let fns = self.fns;
        for val in self.as_mut_slice() {
            // SAFETY: every slot holds a value this crate owns, built by the
            // library's constructors or written by the library; freed once.
            unsafe { fns.delete(val) };
        }
    }
}

/// The bytes of a C name: empty for an empty one, whatever its pointer.
///
/// # Safety
///
/// `name` is a live vector of the library.
pub(crate) unsafe fn name_bytes(name: &wasm_name_t) -> Result<&[u8]> {
    if name.size == 0 {
        return Ok(&[]);
    }
    if name.data.is_null() {
        return Err(mismatch("a string with a null buffer"));
    }
    // SAFETY: `size` readable bytes at `data` (caller's contract).
    Ok(unsafe { std::slice::from_raw_parts(name.data.cast::<u8>(), name.size) })
}

/// A C name as a Rust string, refused when not UTF-8.
///
/// # Safety
///
/// As for [`name_bytes`].
pub(crate) unsafe fn name_string(name: &wasm_name_t) -> Result<String> {
    // SAFETY: the caller's contract.
    let bytes = unsafe { name_bytes(name) }?;
    String::from_utf8(bytes.to_vec()).map_err(|_| mismatch("a string that is not UTF-8"))
}

/// The elements of a C vector as a slice.
///
/// # Safety
///
/// `data` points to `size` live elements, or `size` is 0.
pub(crate) unsafe fn elements<'a, E>(data: *const E, size: usize) -> Result<&'a [E]> {
    if size == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(mismatch("a vector with a null buffer"));
    }
    // SAFETY: the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(data, size) })
}

#[cold]
pub(crate) fn mismatch(what: &str) -> crate::Error {
    ErrorKind::TypeMismatch(format!("the library returned {what}")).into()
}

impl ValFns {
    /// A C name holding `s`, allocated by the library.
    pub(crate) fn name(&self, s: &str) -> wasm_name_t {
        let mut name = std::mem::MaybeUninit::<wasm_name_t>::uninit();
        // SAFETY: `s` is readable for its length; the vector is written.
        unsafe {
            (self.core.wasm_byte_vec_new)(name.as_mut_ptr(), s.len(), s.as_ptr().cast());
            name.assume_init()
        }
    }

    /// A vector of `n` placeholders (`bool false`), allocated by the
    /// library; its elements are written in place.
    pub(crate) fn new_list(&self, n: usize) -> wasmtime_component_vallist_t {
        let mut list = std::mem::MaybeUninit::<wasmtime_component_vallist_t>::uninit();
        // SAFETY: the constructor writes the vector: `n` initialised slots.
        unsafe {
            (self.model.wasmtime_component_vallist_new_uninit)(list.as_mut_ptr(), n);
            list.assume_init()
        }
    }

    /// Moves `val` into a new heap box of the library, leaving a `bool`.
    pub(crate) fn box_val(
        &self,
        val: &mut wasmtime_component_val_t,
    ) -> *mut wasmtime_component_val_t {
        // SAFETY: `val` is an initialised value; the box takes it over and
        // leaves a `bool` behind (nothing to free).
        unsafe { (self.model.wasmtime_component_val_new)(val) }
    }

    /// A heap box of the library holding `val`.
    fn boxed(&self, val: &Val) -> *mut wasmtime_component_val_t {
        let mut tmp = placeholder();
        // SAFETY: `tmp` holds a placeholder; `val_new` moves its value into
        // a new box of the library and leaves `tmp` a `bool` (nothing to
        // free).
        unsafe {
            self.lower(val, &mut tmp);
            (self.model.wasmtime_component_val_new)(&mut tmp)
        }
    }

    fn boxed_opt(&self, val: &Option<Box<Val>>) -> *mut wasmtime_component_val_t {
        match val {
            Some(v) => self.boxed(v),
            None => std::ptr::null_mut(),
        }
    }

    /// Writes `val` into `out` as a C value the caller owns. Strings and
    /// chars are valid by construction (`str`, `char`): the C API aborts
    /// on invalid UTF-8 or code points.
    ///
    /// # Safety
    ///
    /// `out` holds nothing to free (a placeholder or uninitialised memory).
    pub(crate) unsafe fn lower(&self, val: &Val, out: *mut wasmtime_component_val_t) {
        use wasmtime_component_valunion_t as U;
        if let Some(scalar) = lower_scalar(val) {
            // SAFETY: `out` is writable and holds nothing to free (contract).
            unsafe { out.write(scalar) };
            return;
        }
        let (k, of) = match val {
            // Written above.
            Val::Bool(_)
            | Val::S8(_)
            | Val::U8(_)
            | Val::S16(_)
            | Val::U16(_)
            | Val::S32(_)
            | Val::U32(_)
            | Val::S64(_)
            | Val::U64(_)
            | Val::Float32(_)
            | Val::Float64(_)
            | Val::Char(_) => return,
            Val::String(s) => (
                kind::STRING,
                U {
                    string: self.name(s),
                },
            ),
            Val::Enum(s) => (
                kind::ENUM,
                U {
                    enumeration: self.name(s),
                },
            ),
            Val::List(items) | Val::Tuple(items) => {
                let mut list = std::mem::MaybeUninit::<wasmtime_component_vallist_t>::uninit();
                // SAFETY: writes a vector of `len` placeholders; each slot
                // is then written once (nothing to free in a placeholder).
                let list = unsafe {
                    (self.model.wasmtime_component_vallist_new_uninit)(
                        list.as_mut_ptr(),
                        items.len(),
                    );
                    let list = list.assume_init();
                    for (i, item) in items.iter().enumerate() {
                        let slot = list.data.add(i);
                        match lower_scalar(item) {
                            Some(v) => slot.write(v),
                            None => self.lower(item, slot),
                        }
                    }
                    list
                };
                if matches!(val, Val::List(_)) {
                    (kind::LIST, U { list })
                } else {
                    // `valtuple_t` and `vallist_t` have one layout.
                    let tuple = wasmtime_component_valtuple_t {
                        size: list.size,
                        data: list.data,
                    };
                    (kind::TUPLE, U { tuple })
                }
            }
            Val::Record(fields) => {
                let mut rec = std::mem::MaybeUninit::<wasmtime_component_valrecord_t>::uninit();
                // SAFETY: as for lists; each entry's name is empty and its
                // value a placeholder before they are written.
                let record = unsafe {
                    (self.model.wasmtime_component_valrecord_new_uninit)(
                        rec.as_mut_ptr(),
                        fields.len(),
                    );
                    let rec = rec.assume_init();
                    for (i, (name, v)) in fields.iter().enumerate() {
                        let entry = rec.data.add(i);
                        (*entry).name = self.name(name);
                        self.lower(v, &mut (*entry).val);
                    }
                    rec
                };
                (kind::RECORD, U { record })
            }
            Val::Flags(names) => {
                let mut f = std::mem::MaybeUninit::<wasmtime_component_valflags_t>::uninit();
                // SAFETY: as for records' names.
                let flags = unsafe {
                    (self.model.wasmtime_component_valflags_new_uninit)(
                        f.as_mut_ptr(),
                        names.len(),
                    );
                    let f = f.assume_init();
                    for (i, name) in names.iter().enumerate() {
                        f.data.add(i).write(self.name(name));
                    }
                    f
                };
                (kind::FLAGS, U { flags })
            }
            // Before 44 no type takes a map: a `bool` goes instead, which
            // Wasmtime's type check refuses.
            Val::Map(entries) => match super::maps_of(self.model) {
                None => (kind::BOOL, U { boolean: false }),
                Some(maps) => {
                    let mut m = std::mem::MaybeUninit::<wasmtime_component_valmap_t>::uninit();
                    // SAFETY: as for lists (each entry holds two placeholders).
                    let map = unsafe {
                        (maps.wasmtime_component_valmap_new_uninit)(m.as_mut_ptr(), entries.len());
                        let m = m.assume_init();
                        for (i, (k, v)) in entries.iter().enumerate() {
                            let entry = m.data.add(i);
                            self.lower(k, &mut (*entry).key);
                            self.lower(v, &mut (*entry).value);
                        }
                        m
                    };
                    (kind::MAP, U { map })
                }
            },
            Val::Resource(r) => match r.usable_in(self.store) {
                Ok(raw) => {
                    // SAFETY: a live handle box of this library and store;
                    // the clone is owned by the value.
                    let resource =
                        unsafe { (self.model.wasmtime_component_resource_any_clone)(raw) };
                    (kind::RESOURCE, U { resource })
                }
                // Callers check resources first (`check_resources`); were
                // one missed, a `bool` goes instead, which Wasmtime's type
                // check refuses, rather than a handle naming something else.
                Err(_) => (kind::BOOL, U { boolean: false }),
            },
            Val::Option(v) => (
                kind::OPTION,
                U {
                    option: self.boxed_opt(v),
                },
            ),
            Val::Variant(name, payload) => {
                let variant = wasmtime_component_valvariant_t {
                    discriminant: self.name(name),
                    val: self.boxed_opt(payload),
                };
                (kind::VARIANT, U { variant })
            }
            Val::Result(r) => {
                let result = match r {
                    Ok(v) => wasmtime_component_valresult_t {
                        is_ok: true,
                        val: self.boxed_opt(v),
                    },
                    Err(v) => wasmtime_component_valresult_t {
                        is_ok: false,
                        val: self.boxed_opt(v),
                    },
                };
                (kind::RESULT, U { result })
            }
        };
        // SAFETY: `out` is writable and holds nothing to free (contract).
        unsafe { out.write(wasmtime_component_val_t { kind: k, of }) };
    }

    /// Reads a C value into a [`Val`]: linear in its size; strings that
    /// are not UTF-8, invalid chars and kinds this crate does not read are
    /// errors, never assumed.
    ///
    /// # Safety
    ///
    /// `val` is a live value of this library.
    pub(crate) unsafe fn lift(&self, val: &wasmtime_component_val_t) -> Result<Val> {
        if let Some(scalar) = lift_scalar(val) {
            return scalar;
        }
        let of = &val.of;
        // SAFETY: each arm reads the union member its kind names; vectors
        // and boxes are the library's live ones (contract).
        unsafe {
            Ok(match val.kind {
                kind::STRING => Val::String(name_string(&of.string)?),
                kind::ENUM => Val::Enum(name_string(&of.enumeration)?),
                kind::LIST | kind::FIXED_LENGTH_LIST => {
                    Val::List(self.lift_all(of.list.data, of.list.size)?)
                }
                kind::TUPLE => Val::Tuple(self.lift_all(of.tuple.data, of.tuple.size)?),
                kind::RECORD => Val::Record(
                    elements(of.record.data, of.record.size)?
                        .iter()
                        .map(|e| Ok((name_string(&e.name)?, self.lift(&e.val)?)))
                        .collect::<Result<_>>()?,
                ),
                kind::FLAGS => Val::Flags(
                    elements(of.flags.data, of.flags.size)?
                        .iter()
                        .map(|n| name_string(n))
                        .collect::<Result<_>>()?,
                ),
                kind::MAP => Val::Map(
                    elements(of.map.data, of.map.size)?
                        .iter()
                        .map(|e| Ok((self.lift(&e.key)?, self.lift(&e.value)?)))
                        .collect::<Result<_>>()?,
                ),
                kind::OPTION => Val::Option(self.lift_box(of.option)?),
                kind::VARIANT => Val::Variant(
                    name_string(&of.variant.discriminant)?,
                    self.lift_box(of.variant.val)?,
                ),
                kind::RESULT => {
                    let payload = self.lift_box(of.result.val)?;
                    Val::Result(if of.result.is_ok {
                        Ok(payload)
                    } else {
                        Err(payload)
                    })
                }
                kind::RESOURCE => {
                    if of.resource.is_null() {
                        return Err(mismatch("a null resource"));
                    }
                    Val::Resource(ResourceAny::from_c(self.model, self.store, of.resource)?)
                }
                other => return Err(mismatch(&format!("a value of unknown kind {other}"))),
            })
        }
    }

    /// Reads a C value into `slot` as [`ValFns::lift`] does, reusing what
    /// the slot already holds: a string's buffer, a list's elements (each
    /// read into in place), a record's field names where they are the
    /// same (equal bytes are valid UTF-8, so only new names are checked).
    /// Every check of `lift` applies. On an error the slot holds some
    /// value, part old and part new.
    ///
    /// # Safety
    ///
    /// As for [`ValFns::lift`].
    pub(crate) unsafe fn lift_into(
        &self,
        val: &wasmtime_component_val_t,
        slot: &mut Val,
    ) -> Result<()> {
        let of = &val.of;
        // SAFETY: each arm reads the union member its kind names; vectors
        // are the library's live ones (contract).
        unsafe {
            match (val.kind, slot) {
                (kind::STRING, Val::String(old)) => {
                    let s = std::str::from_utf8(name_bytes(&of.string)?)
                        .map_err(|_| mismatch("a string that is not UTF-8"))?;
                    old.clear();
                    old.push_str(s);
                }
                (kind::LIST | kind::FIXED_LENGTH_LIST, Val::List(items)) => {
                    let elems = elements(of.list.data, of.list.size)?;
                    items.truncate(elems.len());
                    let reused = items.len();
                    for (item, e) in items.iter_mut().zip(elems) {
                        match lift_scalar(e) {
                            Some(v) => *item = v?,
                            None => self.lift_into(e, item)?,
                        }
                    }
                    items.reserve(elems.len() - reused);
                    for e in &elems[reused..] {
                        items.push(match lift_scalar(e) {
                            Some(v) => v?,
                            None => self.lift(e)?,
                        });
                    }
                }
                (kind::RECORD, Val::Record(fields)) => {
                    let elems = elements(of.record.data, of.record.size)?;
                    fields.truncate(elems.len());
                    let reused = fields.len();
                    for ((name, v), e) in fields.iter_mut().zip(elems) {
                        let bytes = name_bytes(&e.name)?;
                        if name.as_bytes() != bytes {
                            *name = name_string(&e.name)?;
                        }
                        self.lift_into(&e.val, v)?;
                    }
                    for e in &elems[reused..] {
                        fields.push((name_string(&e.name)?, self.lift(&e.val)?));
                    }
                }
                (_, slot) => *slot = self.lift(val)?,
            }
        }
        Ok(())
    }

    /// # Safety
    ///
    /// As for [`ValFns::lift`], for `size` values at `data`.
    unsafe fn lift_all(
        &self,
        data: *const wasmtime_component_val_t,
        size: usize,
    ) -> Result<Vec<Val>> {
        // SAFETY: the caller's contract.
        let items = unsafe { elements(data, size) }?;
        let mut vals = Vec::with_capacity(items.len());
        for v in items {
            vals.push(match lift_scalar(v) {
                Some(v) => v?,
                // SAFETY: the caller's contract.
                None => unsafe { self.lift(v) }?,
            });
        }
        Ok(vals)
    }

    /// # Safety
    ///
    /// `ptr` is null or a live value of this library.
    unsafe fn lift_box(&self, ptr: *const wasmtime_component_val_t) -> Result<Option<Box<Val>>> {
        if ptr.is_null() {
            return Ok(None);
        }
        // SAFETY: non-null and live (contract).
        Ok(Some(Box::new(unsafe { self.lift(&*ptr) }?)))
    }

    /// Frees what `val` holds, leaving a placeholder. A kind no supported
    /// library writes is left alone (leaked) rather than handed to the C
    /// API, for which it would be undefined behaviour.
    ///
    /// # Safety
    ///
    /// `val` is owned by the caller and holds a value of this library.
    pub(crate) unsafe fn delete(&self, val: &mut wasmtime_component_val_t) {
        if val.kind <= kind::LAST && val.kind != kind::BOOL {
            // SAFETY: an owned value of a kind the library frees.
            unsafe { (self.model.wasmtime_component_val_delete)(val) };
        }
        *val = placeholder();
    }
}
