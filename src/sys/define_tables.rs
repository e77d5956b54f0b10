//! The macro that turns the membership list in `tables.rs` into function
//! tables: one struct of plain fn pointers per table, loaded all-or-nothing
//! through one type-erased resolver.

/// A `&'static CStr` holding the name of a C function.
macro_rules! c_name {
    ($name:ident) => {
        const {
            match ::core::ffi::CStr::from_bytes_with_nul(
                concat!(stringify!($name), "\0").as_bytes(),
            ) {
                Ok(name) => name,
                Err(_) => panic!("a C identifier has no interior NUL"),
            }
        }
    };
}

/// The majors a table holds for: the range it names, else every major the
/// tables describe.
macro_rules! majors_of {
    () => {
        crate::versions::TABLE_MAJORS
    };
    ($lo:literal, $hi:literal) => {
        $lo..=$hi
    };
}

/// One table: the struct, its function list and its all-or-nothing loader.
///
/// The field types come from the generated module named in brackets:
/// [`fns`](super::fns) unless the table holds a signature variant.
macro_rules! table_struct {
    (
        $(#[doc = $doc:literal])*
        $table:ident [] $($rest:tt)*
    ) => {
        table_struct! { $(#[doc = $doc])* $table [fns] $($rest)* }
    };
    (
        $(#[doc = $doc:literal])*
        $table:ident [$module:ident] { $($func:ident),* } [$($undeclared:ident),*]
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy)]
        pub struct $table {
            $(
                #[doc = concat!("`", stringify!($func), "`, as declared in the C API headers.")]
                pub $func: super::$module::$func,
            )*
        }

        impl $table {
            /// The C functions of this table, in field order.
            pub const FUNCTIONS: &'static [&'static str] = &[$(stringify!($func)),*];
            /// Functions this table requires that no header declares (so
            /// they have no field): checked for presence only.
            pub const UNDECLARED: &'static [&'static str] = &[$(stringify!($undeclared)),*];

            /// Resolves every function of the table through `resolve`, which
            /// returns null for a name the library lacks. Returns the names
            /// that did not resolve when any is missing.
            ///
            /// # Safety
            ///
            /// Every non-null pointer `resolve` returns must be the address
            /// of the C function of that name, with the signature the
            /// Wasmtime C API headers of the generated version declare, and
            /// must stay valid for as long as the table is used.
            pub unsafe fn load(
                resolve: &mut dyn FnMut(&::core::ffi::CStr) -> *const ::core::ffi::c_void,
            ) -> Result<Self, Vec<&'static str>> {
                let mut missing = Vec::new();
                $(
                    let $func = resolve(c_name!($func));
                    if $func.is_null() {
                        missing.push(stringify!($func));
                    }
                )*
                $(
                    if resolve(c_name!($undeclared)).is_null() {
                        missing.push(stringify!($undeclared));
                    }
                )*
                if !missing.is_empty() {
                    return Err(missing);
                }
                Ok(Self {
                    $(
                        // SAFETY: the pointer is non-null (checked above)
                        // and, by this function's contract, the address of
                        // the C function of this name, whose signature is
                        // the generated type of the field.
                        $func: unsafe {
                            ::core::mem::transmute::<*const ::core::ffi::c_void, super::$module::$func>($func)
                        },
                    )*
                })
            }
        }
    };
}

/// Defines every table, [`TableId`](super::tables::TableId) and
/// [`Tables`](super::tables::Tables). The first block must be `Core`, and a
/// table's requirements must come before it.
macro_rules! define_tables {
    (
        $(#[doc = $core_doc:literal])*
        Core core (Core) requires [] { $($core_func:ident),* $(,)? }
        $(
            $(#[doc = $doc:literal])*
            $table:ident $field:ident ($($kind:tt)*)
            $(majors [$lo:literal ..= $hi:literal])?
            $(signatures $module:ident)?
            requires [$($requires:ident),*]
            $(undeclared [$($undeclared:ident),* $(,)?])?
            {
                $($func:ident),* $(,)?
            }
        )*
    ) => {
        use crate::capability::Capability;
        use super::define_tables::{c_name, majors_of, table_struct};

        table_struct! { $(#[doc = $core_doc])* Core [] { $($core_func),* } [] }
        $(
            table_struct! { $(#[doc = $doc])* $table [$($module)?] { $($func),* } [$($($undeclared),*)?] }
        )*

        /// A function table: which one it is.
        pub trait Table: Copy + 'static {
            /// The table's id.
            const ID: TableId;
        }

        impl Table for Core {
            const ID: TableId = TableId::Core;
        }
        $(
            impl Table for $table {
                const ID: TableId = TableId::$table;
            }
        )*

        /// Names every function table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum TableId {
            /// The [`Core`] table.
            Core,
            $(
                #[doc = concat!("The [`", stringify!($table), "`] table.")]
                $table,
            )*
        }

        /// What a table stands for.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum TableKind {
            /// The table every build has.
            Core,
            /// The table of one capability.
            Capability(Capability),
            /// Functions that need two capabilities at once: present only
            /// when both are, never a capability of its own.
            Joint,
            /// The part of a capability whose signatures differ between
            /// majors: one such table per range of majors, and the
            /// capability is present only with the one of the library's
            /// major.
            Part(Capability),
            /// Core functions whose signatures differ between majors: one
            /// such table per range of majors, each typed from a release of
            /// its range; the library must have the one of its major, as
            /// it must have `Core`.
            CorePart,
            /// Functions a later major added to `Core` or to a capability:
            /// absent from older majors without taking the capability away;
            /// what needs them returns an error naming the version.
            Addition,
        }

        impl TableId {
            /// Every table, `Core` first; a table's requirements come before it.
            pub const ALL: &'static [TableId] = &[TableId::Core, $(TableId::$table),*];

            /// The table of `capability`.
            pub fn for_capability(capability: Capability) -> TableId {
                let mut i = 0;
                while i < TableId::ALL.len() {
                    if let TableKind::Capability(c) = TableId::ALL[i].kind() {
                        if c == capability {
                            return TableId::ALL[i];
                        }
                    }
                    i += 1;
                }
                unreachable!("every capability has a table of kind TableKind::Capability")
            }

            /// The table's name, as in the source (`"Core"`, `"Gc"`...).
            pub fn name(self) -> &'static str {
                match self {
                    TableId::Core => "Core",
                    $(TableId::$table => stringify!($table),)*
                }
            }

            /// What the table stands for.
            pub fn kind(self) -> TableKind {
                match self {
                    TableId::Core => TableKind::Core,
                    $(TableId::$table => TableKind::$($kind)*,)*
                }
            }

            /// The Wasmtime majors whose libraries this table is loaded from:
            /// the majors that export its functions with these signatures.
            pub fn majors(self) -> ::core::ops::RangeInclusive<u32> {
                match self {
                    TableId::Core => crate::versions::TABLE_MAJORS,
                    $(TableId::$table => majors_of!($($lo, $hi)?),)*
                }
            }

            /// The tables that must be present for this one to load.
            pub fn requires(self) -> &'static [TableId] {
                match self {
                    TableId::Core => &[],
                    $(TableId::$table => &[$(TableId::$requires),*],)*
                }
            }

            /// The declared functions of the table (its fields).
            pub const fn functions(self) -> &'static [&'static str] {
                match self {
                    TableId::Core => Core::FUNCTIONS,
                    $(TableId::$table => $table::FUNCTIONS,)*
                }
            }

            /// The exported but undeclared functions the table requires.
            pub const fn undeclared(self) -> &'static [&'static str] {
                match self {
                    TableId::Core => Core::UNDECLARED,
                    $(TableId::$table => $table::UNDECLARED,)*
                }
            }
        }

        /// Why an optional table is absent.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum Absence {
            /// These of its functions did not resolve. All of them missing
            /// means the feature is off; some means a partial or mismatched
            /// build.
            Missing(Vec<&'static str>),
            /// A table it requires is absent.
            Requires(TableId),
            /// The library's major is outside the table's majors: its
            /// functions are missing there, or have other signatures.
            NotInVersion {
                /// The majors the table holds for.
                majors: ::core::ops::RangeInclusive<u32>,
                /// The library's major.
                found: u32,
            },
        }

        /// Every table of one library: `Core`, and each optional table
        /// where the library has all of its functions.
        #[derive(Clone, Copy)]
        pub struct Tables {
            /// The table every build has.
            pub core: Core,
            $(
                #[doc = concat!("The [`", stringify!($table), "`] table, if present.")]
                pub $field: Option<$table>,
            )*
        }

        impl Tables {
            /// Resolves every table that holds for `major`. Fails with the
            /// missing names when `Core` does not resolve completely;
            /// otherwise returns the tables with the reason each absent one
            /// is absent.
            ///
            /// # Safety
            ///
            /// The library is of Wasmtime major `major`, and, as for each
            /// table's `load`: every non-null pointer `resolve` returns is
            /// the C function of that name with the signature that major's
            /// headers declare, valid for as long as the tables are used.
            pub unsafe fn load(
                resolve: &mut dyn FnMut(&::core::ffi::CStr) -> *const ::core::ffi::c_void,
                major: u32,
            ) -> Result<(Self, Vec<(TableId, Absence)>), Vec<&'static str>> {
                // SAFETY: this function's contract is `Core::load`'s.
                let core = unsafe { Core::load(resolve) }?;
                // SAFETY: this function's contract is `with_core`'s.
                Ok(unsafe { Self::with_core(core, resolve, major) })
            }

            /// As [`Tables::load`], with `Core` already resolved from the
            /// same library (the loader resolves it first when it has to
            /// ask the library its major).
            ///
            /// # Safety
            ///
            /// As for [`Tables::load`]; `core` comes from the library
            /// `resolve` looks names up in.
            pub unsafe fn with_core(
                core: Core,
                resolve: &mut dyn FnMut(&::core::ffi::CStr) -> *const ::core::ffi::c_void,
                major: u32,
            ) -> (Self, Vec<(TableId, Absence)>) {
                let mut present = vec![TableId::Core];
                let mut absent = Vec::new();
                $(
                    let id = TableId::$table;
                    let $field = match id.requires().iter().find(|r| !present.contains(r)) {
                        _ if !id.majors().contains(&major) => {
                            absent.push((id, Absence::NotInVersion { majors: id.majors(), found: major }));
                            None
                        }
                        Some(&required) => {
                            absent.push((id, Absence::Requires(required)));
                            None
                        }
                        // SAFETY: this function's contract is the table's.
                        None => match unsafe { $table::load(resolve) } {
                            Ok(table) => {
                                present.push(id);
                                Some(table)
                            }
                            Err(missing) => {
                                absent.push((id, Absence::Missing(missing)));
                                None
                            }
                        },
                    };
                )*
                (Self { core, $($field),* }, absent)
            }
        }
    };
}

pub(crate) use {c_name, define_tables, majors_of, table_struct};
