//! Where the loader takes the addresses of a library's functions from:
//! the symbol values read from its file plus the load base, where the file
//! is shown to describe the loaded object, `dlsym` otherwise; and the check
//! that each lies in the object's code (its executable sections, where the
//! file read is the same build, else its executable segments).

use super::{exports, library};

/// Where the loader takes function addresses from.
pub(super) enum Addresses {
    /// The load base plus the symbol values read from the file: the file's
    /// dynamic symbol and string tables are those of the loaded object.
    Computed(library::LoadedObject),
    /// `dlsym`, checked against the loaded object's code where the platform
    /// describes it.
    Dlsym(Option<library::LoadedObject>),
}

impl Addresses {
    /// Whether `address` may be a function of the library: it lies in the
    /// loaded object's code, when that is known.
    pub(super) fn is_code(&self, address: usize) -> bool {
        match self {
            Addresses::Computed(object) | Addresses::Dlsym(Some(object)) => object.is_code(address),
            Addresses::Dlsym(None) => true,
        }
    }
}

/// How to find the addresses of `library`'s functions, whose file the
/// loader read `exports` from.
///
/// Computed from the file's symbol values when every one of them is known
/// to give `dlsym`'s answer: the file's dynamic symbol table and string
/// table are, byte for byte, the ones the dynamic linker looks names up in
/// for the loaded object (so the same name finds the same entry and its
/// value plus the load base is the linker's address), and the anchor
/// `dlsym` found is that base plus its value. Comparing the tables (some
/// 50 KB, already in memory) costs a few microseconds; confirming each of
/// the 900 functions with `dlsym` would cost about 90. Otherwise (a file
/// whose section headers name another table than the dynamic linker uses,
/// or one rewritten after the object was loaded) every address comes from
/// `dlsym`.
///
/// An error when the object in memory is another build than the file read
/// (the system loader handed back an object already loaded under that name
/// before the file was replaced): the exports and version read from the
/// file then do not describe its code.
pub(super) fn addresses(
    library: library::Handle,
    exports: &exports::Exports,
) -> Result<Addresses, String> {
    let anchor = library::symbol(library, c"wasm_engine_new");
    let Some(mut object) = library::loaded_object(anchor) else {
        return Ok(Addresses::Dlsym(None));
    };
    if let (Some(file), Some(loaded)) = (exports.build_id, &object.build_id) {
        if *file != loaded[..] {
            return Err(
                "the library in memory is another build than the file at this path (the file \
                 was replaced after this process loaded it): restart the process to load the \
                 new file"
                    .into(),
            );
        }
        // The same build: the file's executable sections are where the
        // object's functions lie, a finer bound than its executable
        // segments.
        object.narrow_code(exports.code);
    }
    let same_tables = match (exports.tables, object.symbols, object.strings) {
        (Some((file_symbols, file_strings)), Some(symbols), Some(strings)) => {
            symbols.get(..file_symbols.len()) == Some(file_symbols)
                && strings.get(..file_strings.len()) == Some(file_strings)
        }
        _ => false,
    };
    let anchor_value = exports
        .get(b"wasm_engine_new")
        .flatten()
        .and_then(|v| usize::try_from(v).ok());
    let anchored = anchor_value.is_some_and(|v| object.base.wrapping_add(v) == anchor as usize);
    Ok(if same_tables && anchored {
        Addresses::Computed(object)
    } else {
        Addresses::Dlsym(Some(object))
    })
}
