//! Reading the library's `wasmtime_component_valtype_t` trees into
//! [`Type`](super::Type) values.

use super::*;

/// A name the library lends (lossily decoded: names of types and items
/// are validated identifiers in Wasmtime).
///
/// # Safety
///
/// `ptr` points to `len` readable bytes, or `len` is 0.
pub(super) unsafe fn borrowed_str(ptr: *const std::ffi::c_char, len: usize) -> String {
    if ptr.is_null() || len == 0 {
        return String::new();
    }
    // SAFETY: the contract.
    String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) })
        .into_owned()
}

/// Reads type trees.
#[derive(Clone, Copy)]
pub(super) struct Reader {
    pub(super) model: &'static ComponentModel,
}

impl Reader {
    /// Reads and frees an owned `valtype_t`.
    ///
    /// # Safety
    ///
    /// `vt` is a live, owned type of this library.
    pub(super) unsafe fn take(&self, vt: *mut wasmtime_component_valtype_t) -> Type {
        // SAFETY: the contract; freed once after reading.
        unsafe {
            let ty = self.read(&*vt);
            (self.model.wasmtime_component_valtype_delete)(vt);
            ty
        }
    }

    /// # Safety
    ///
    /// `vt` is a live type of this library.
    pub(super) unsafe fn read(&self, vt: &wasmtime_component_valtype_t) -> Type {
        let m = self.model;
        let of = &vt.of;
        let out = || std::mem::MaybeUninit::<wasmtime_component_valtype_t>::uninit();
        macro_rules! names {
            ($ptr:expr, $count:ident, $nth:ident) => {{
                let n = (m.$count)($ptr);
                let mut names = Vec::with_capacity(n);
                for i in 0..n {
                    let (mut p, mut l) = (std::ptr::null(), 0);
                    if (m.$nth)($ptr, i, &mut p, &mut l) {
                        names.push(borrowed_str(p, l));
                    }
                }
                names
            }};
        }
        // SAFETY: each arm reads the union member its kind names; every
        // out-parameter is written by the library (for the `bool` getters,
        // when they return true) and owned here.
        unsafe {
            match u32::from(vt.kind) {
                WASMTIME_COMPONENT_VALTYPE_BOOL => Type::Bool,
                WASMTIME_COMPONENT_VALTYPE_S8 => Type::S8,
                WASMTIME_COMPONENT_VALTYPE_U8 => Type::U8,
                WASMTIME_COMPONENT_VALTYPE_S16 => Type::S16,
                WASMTIME_COMPONENT_VALTYPE_U16 => Type::U16,
                WASMTIME_COMPONENT_VALTYPE_S32 => Type::S32,
                WASMTIME_COMPONENT_VALTYPE_U32 => Type::U32,
                WASMTIME_COMPONENT_VALTYPE_S64 => Type::S64,
                WASMTIME_COMPONENT_VALTYPE_U64 => Type::U64,
                WASMTIME_COMPONENT_VALTYPE_F32 => Type::Float32,
                WASMTIME_COMPONENT_VALTYPE_F64 => Type::Float64,
                WASMTIME_COMPONENT_VALTYPE_CHAR => Type::Char,
                WASMTIME_COMPONENT_VALTYPE_STRING => Type::String,
                WASMTIME_COMPONENT_VALTYPE_ERROR_CONTEXT => Type::ErrorContext,
                WASMTIME_COMPONENT_VALTYPE_LIST => {
                    let mut e = out();
                    (m.wasmtime_component_list_type_element)(of.list, e.as_mut_ptr());
                    Type::List(List(Box::new(self.take(e.as_mut_ptr()))))
                }
                // Only libraries with maps (44 and later) report them.
                WASMTIME_COMPONENT_VALTYPE_MAP => match crate::component::maps_of(m) {
                    Some(maps) => {
                        let (mut k, mut v) = (out(), out());
                        (maps.wasmtime_component_map_type_key)(of.map, k.as_mut_ptr());
                        (maps.wasmtime_component_map_type_value)(of.map, v.as_mut_ptr());
                        Type::Map(Map(Box::new((
                            self.take(k.as_mut_ptr()),
                            self.take(v.as_mut_ptr()),
                        ))))
                    }
                    None => Type::Other(vt.kind),
                },
                WASMTIME_COMPONENT_VALTYPE_RECORD => {
                    let n = (m.wasmtime_component_record_type_field_count)(of.record);
                    let mut fields = Vec::with_capacity(n);
                    for i in 0..n {
                        let (mut p, mut l, mut t) = (std::ptr::null(), 0, out());
                        if (m.wasmtime_component_record_type_field_nth)(
                            of.record,
                            i,
                            &mut p,
                            &mut l,
                            t.as_mut_ptr(),
                        ) {
                            fields.push(Field {
                                name: borrowed_str(p, l),
                                ty: self.take(t.as_mut_ptr()),
                            });
                        }
                    }
                    Type::Record(Record(fields))
                }
                WASMTIME_COMPONENT_VALTYPE_TUPLE => {
                    let n = (m.wasmtime_component_tuple_type_types_count)(of.tuple);
                    let mut types = Vec::with_capacity(n);
                    for i in 0..n {
                        let mut t = out();
                        if (m.wasmtime_component_tuple_type_types_nth)(of.tuple, i, t.as_mut_ptr())
                        {
                            types.push(self.take(t.as_mut_ptr()));
                        }
                    }
                    Type::Tuple(Tuple(types))
                }
                WASMTIME_COMPONENT_VALTYPE_VARIANT => {
                    let n = (m.wasmtime_component_variant_type_case_count)(of.variant);
                    let mut cases = Vec::with_capacity(n);
                    for i in 0..n {
                        let (mut p, mut l, mut has, mut t) = (std::ptr::null(), 0, false, out());
                        if (m.wasmtime_component_variant_type_case_nth)(
                            of.variant,
                            i,
                            &mut p,
                            &mut l,
                            &mut has,
                            t.as_mut_ptr(),
                        ) {
                            let ty = has.then(|| self.take(t.as_mut_ptr()));
                            cases.push(Case {
                                name: borrowed_str(p, l),
                                ty,
                            });
                        }
                    }
                    Type::Variant(Variant(cases))
                }
                WASMTIME_COMPONENT_VALTYPE_ENUM => Type::Enum(Enum(names!(
                    of.enum_,
                    wasmtime_component_enum_type_names_count,
                    wasmtime_component_enum_type_names_nth
                ))),
                WASMTIME_COMPONENT_VALTYPE_FLAGS => Type::Flags(Flags(names!(
                    of.flags,
                    wasmtime_component_flags_type_names_count,
                    wasmtime_component_flags_type_names_nth
                ))),
                WASMTIME_COMPONENT_VALTYPE_OPTION => {
                    let mut t = out();
                    (m.wasmtime_component_option_type_ty)(of.option, t.as_mut_ptr());
                    Type::Option(OptionType(Box::new(self.take(t.as_mut_ptr()))))
                }
                WASMTIME_COMPONENT_VALTYPE_RESULT => {
                    let (mut ok, mut err) = (out(), out());
                    let ok = (m.wasmtime_component_result_type_ok)(of.result, ok.as_mut_ptr())
                        .then(|| self.take(ok.as_mut_ptr()));
                    let err = (m.wasmtime_component_result_type_err)(of.result, err.as_mut_ptr())
                        .then(|| self.take(err.as_mut_ptr()));
                    Type::Result(ResultType(Box::new((ok, err))))
                }
                WASMTIME_COMPONENT_VALTYPE_OWN => Type::Own(self.resource(of.own)),
                WASMTIME_COMPONENT_VALTYPE_BORROW => Type::Borrow(self.resource(of.borrow)),
                WASMTIME_COMPONENT_VALTYPE_FUTURE => {
                    let mut t = out();
                    let ty = (m.wasmtime_component_future_type_ty)(of.future, t.as_mut_ptr())
                        .then(|| self.take(t.as_mut_ptr()));
                    Type::Future(FutureType(Box::new(
                        ty.unwrap_or(Type::Tuple(Tuple(Vec::new()))),
                    )))
                }
                WASMTIME_COMPONENT_VALTYPE_STREAM => {
                    let mut t = out();
                    let ty = (m.wasmtime_component_stream_type_ty)(of.stream, t.as_mut_ptr())
                        .then(|| self.take(t.as_mut_ptr()));
                    Type::Stream(StreamType(Box::new(
                        ty.unwrap_or(Type::Tuple(Tuple(Vec::new()))),
                    )))
                }
                _ => Type::Other(vt.kind),
            }
        }
    }

    /// # Safety
    ///
    /// `ptr` is a live resource type of this library (borrowed).
    pub(super) unsafe fn resource(
        &self,
        ptr: *const wasmtime_component_resource_type_t,
    ) -> ResourceType {
        // SAFETY: live (contract); the clone is owned by the value.
        let ptr = unsafe { (self.model.wasmtime_component_resource_type_clone)(ptr) };
        ResourceType::from_raw(self.model, ptr)
    }
}
