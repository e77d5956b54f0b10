//! Resolving a loaded library: where its functions are (addresses from the
//! file's symbol values where the loaded object is shown to be that file,
//! `dlsym` otherwise), its major (from the file, or confirmed by a probe)
//! and its function tables, leaked as the `Wasmtime` handed out.

use super::*;

/// Where the addresses of the functions of `library`, loaded from the file
/// `plan` was read from, come from; and the plan, no longer borrowing the
/// file's tables.
pub(super) fn locate(
    library: library::Handle,
    plan: Plan<'_>,
    path: &Path,
    origin: &Origin,
) -> Result<(Plan<'static>, Addresses), LoadError> {
    // Only names the file exports are looked up: a failed `dlsym` costs
    // more than all the others (it formats an error message). Where the
    // file's dynamic symbol table and string table are, byte for byte, the
    // ones the dynamic linker uses for the loaded object, an address is the
    // load base plus the symbol's value, with no `dlsym` at all: together
    // the lookups cost more than the rest of `Wasmtime::open` beyond the
    // `dlopen`. Otherwise every address comes from `dlsym`. Either way an
    // address outside the object's code is refused before anything is
    // called.
    let addresses = addresses(library, &plan.exports).map_err(|reason| LoadError::Open {
        path: path.to_path_buf(),
        origin: origin.clone(),
        reason,
    })?;
    let plan = Plan {
        exports: plan.exports.detach(),
        version: plan.version,
    };
    Ok((plan, addresses))
}

/// Finds the library's major, resolves its tables and leaks it as a
/// `Wasmtime`.
///
/// # Safety
///
/// `library` is a Wasmtime C API library, and `plan` was read from its file.
pub(super) unsafe fn resolve(
    library: library::Handle,
    plan: Plan<'static>,
    addresses: Addresses,
    path: PathBuf,
    file: Option<FileId>,
    origin: Origin,
) -> Result<&'static Wasmtime, LoadError> {
    let exports = &plan.exports;
    let outside_code = std::cell::Cell::new(None);
    let mut cursor = exports::Cursor::new();
    let mut lookup = |name: &CStr| -> *const c_void {
        let address = match (&addresses, exports.next(&mut cursor, name.to_bytes())) {
            (_, None) => return std::ptr::null(),
            (Addresses::Computed(object), Some(Some(value))) => match usize::try_from(value) {
                Ok(value) => object.base.wrapping_add(value) as *const c_void,
                Err(_) => library::symbol(library, name),
            },
            _ => library::symbol(library, name),
        };
        if !address.is_null() && !addresses.is_code(address as usize) {
            let first = outside_code.take();
            outside_code.set(first.or(Some((
                name.to_string_lossy().into_owned(),
                address as usize,
            ))));
            return std::ptr::null();
        }
        address
    };
    let not_wasmtime = |missing| LoadError::NotWasmtime {
        path: path.clone(),
        origin: origin.clone(),
        missing,
        total: Core::FUNCTIONS.len(),
    };
    // Called once a table is resolved, before any of it is called.
    let check_code = |outside: Option<(String, usize)>| match outside {
        Some((symbol, address)) => Err(LoadError::SymbolOutsideCode {
            path: path.clone(),
            origin: origin.clone(),
            symbol,
            address,
        }),
        None => Ok(()),
    };
    // Builds without the versioned symbol: the version text of the loaded
    // object's read-only data, when it names one version and the exports
    // agree with its major; else the probe.
    let text = match (&plan.version, &addresses) {
        (Known::Candidates(candidates), Addresses::Computed(object)) => {
            match version_text(object, exports) {
                VersionText::One(version) if candidates.contains(&version.major()) => Some(version),
                _ => None,
            }
        }
        _ => None,
    };
    let version = match (text, &plan.version) {
        (Some(version), _) => version,
        (None, Known::Exact(version)) if matches!(addresses, Addresses::Computed(_)) => *version,
        (None, Known::Exact(version)) => {
            let name = exports::versioned_name(*version);
            if library::symbol(library, &name).is_null() {
                return Err(unsupported(
                    &path,
                    &origin,
                    format!(
                        "of an unknown version (the file names {version}, the library in memory \
                         does not export {})",
                        name.to_string_lossy()
                    ),
                ));
            }
            *version
        }
        (None, Known::Candidates(candidates)) => {
            let unsupported = |found| unsupported(&path, &origin, found);
            // SAFETY: as for `Tables::load` below.
            unsafe {
                probe_major(
                    &mut lookup,
                    &|| check_code(outside_code.take()),
                    &not_wasmtime,
                    &unsupported,
                    candidates,
                )
            }?
        }
    };
    let major = version.major();
    // SAFETY: the caller vouches that the library is a Wasmtime C API
    // library, of major `major` (read above), so each exported name of a
    // table that holds for that major is the C function with the signature
    // the table declares; the library is never closed, so the addresses
    // stay valid. Each address is the dynamic linker's for the name
    // (`dlsym`, or the same symbol table entry plus the same base), and
    // lies in the object's code (checked next, before anything is called).
    let loaded = unsafe { load_tables(&mut lookup, major) };
    check_code(outside_code.take())?;
    let (tables, absent) = loaded.map_err(not_wasmtime)?;
    // The core functions whose signature changed are part of the core: the
    // table of this major's signature must be there.
    let missing_part: Vec<&'static str> = absent
        .iter()
        .filter(|(id, _)| id.kind() == TableKind::CorePart && id.majors().contains(&major))
        .flat_map(|(_, why)| match why {
            Absence::Missing(names) => names.clone(),
            _ => Vec::new(),
        })
        .collect();
    if !missing_part.is_empty() {
        return Err(not_wasmtime(missing_part));
    }
    let is_absent = |table: TableId| absent.iter().any(|(id, _)| *id == table);
    let capabilities: Capabilities = Capability::ALL
        .into_iter()
        .filter(|&c| {
            !is_absent(TableId::for_capability(c))
                && TableId::ALL.iter().all(|&t| {
                    t.kind() != TableKind::Part(c) || !t.majors().contains(&major) || !is_absent(t)
                })
        })
        .collect();
    // Only where the capability is not handed out (`Wasmtime::built_with`
    // answers the others from `capabilities`): no look-up on 42 and later.
    let built_with: Capabilities = crate::versions::BUILD_MARKERS
        .iter()
        .filter(|&&(capability, _)| !capabilities.contains(capability))
        .filter(|(_, marker)| exports.get(marker.as_bytes()).is_some())
        .map(|&(capability, _)| capability)
        .collect();
    let proposal_setters: Vec<(Capability, ProposalSetter)> =
        crate::versions::BUILT_PROPOSAL_SETTERS
            .iter()
            .filter(|(capability, _)| built_with.contains(*capability))
            .filter_map(|&(capability, name)| {
                let address = lookup(name);
                if address.is_null() {
                    return None;
                }
                // SAFETY: a non-null address from `lookup` is the library's
                // function of that name (checked to lie in its code just
                // below, before anything is called), which every major
                // declares `void (wasm_config_t *, bool)`
                // (`versions::BUILT_PROPOSAL_SETTERS`).
                let setter =
                    unsafe { std::mem::transmute::<*const c_void, ProposalSetter>(address) };
                Some((capability, setter))
            })
            .collect();
    check_code(outside_code.take())?;
    let val_abi = ValAbi::of_major(major, tables.gc.is_some())
        .expect("the value layout tables cover every supported major");
    // Written in place: a `Wasmtime` built on the stack and then moved
    // would take fresh stack pages (a fault each).
    let boxed = Box::new(std::mem::MaybeUninit::<Wasmtime>::uninit());
    let p = Box::into_raw(boxed).cast::<Wasmtime>();
    // SAFETY: `p` points to a heap allocation for a `Wasmtime` (the layout
    // of `MaybeUninit<Wasmtime>` is `Wasmtime`'s), uninitialized: every
    // field is written once, through raw field pointers (no reference to
    // uninitialized memory is made), before the box is rebuilt from it.
    let wasmtime = unsafe {
        std::ptr::addr_of_mut!((*p).tables).write(tables);
        std::ptr::addr_of_mut!((*p).path).write(path);
        std::ptr::addr_of_mut!((*p).canonical).write(std::sync::OnceLock::new());
        std::ptr::addr_of_mut!((*p).file).write(file);
        std::ptr::addr_of_mut!((*p).absent).write(absent);
        std::ptr::addr_of_mut!((*p).capabilities).write(capabilities);
        std::ptr::addr_of_mut!((*p).val_abi).write(val_abi);
        std::ptr::addr_of_mut!((*p).version).write(version);
        std::ptr::addr_of_mut!((*p).winch).write(std::sync::OnceLock::new());
        std::ptr::addr_of_mut!((*p).built_with).write(built_with);
        std::ptr::addr_of_mut!((*p).proposal_setters).write(proposal_setters);
        Box::from_raw(p)
    };
    Ok(Box::leak(wasmtime))
}

/// [`Tables::load`], out of line: its `Core` and the tables it builds take
/// their own stack, not [`resolve`]'s (fresh stack pages cost a fault each).
///
/// # Safety
///
/// As for [`Tables::load`].
#[inline(never)]
#[allow(clippy::type_complexity)]
unsafe fn load_tables(
    lookup: &mut dyn FnMut(&CStr) -> *const c_void,
    major: u32,
) -> Result<(Tables, Vec<(TableId, Absence)>), Vec<&'static str>> {
    // SAFETY: this function's contract is `Tables::load`'s.
    unsafe { Tables::load(lookup, major) }
}

/// The major of a library whose file does not tell it, confirmed by asking
/// the library to check a probe artifact's version (out of line: the
/// tables it loads would otherwise take stack on the common path too).
///
/// # Safety
///
/// As for [`resolve`]: `lookup` gives the addresses of the library's
/// functions, which `check` confirms lie in its code.
#[inline(never)]
unsafe fn probe_major(
    lookup: &mut dyn FnMut(&CStr) -> *const c_void,
    check: &dyn Fn() -> Result<(), LoadError>,
    not_wasmtime: &dyn Fn(Vec<&'static str>) -> LoadError,
    unsupported: &dyn Fn(String) -> LoadError,
    candidates: &[u32],
) -> Result<Version, LoadError> {
    // SAFETY: the caller vouches that the library is a Wasmtime C API
    // library of a supported major (its file's exports fit one), so each
    // exported core name is the C function with the signature the core
    // table declares, which every supported major shares.
    let core = unsafe { Core::load(lookup) };
    // The probe turns signal handlers off where the C API can (39 and
    // later): it needs those majors' settings.
    // SAFETY: as for `Core::load`; these names have one signature in every
    // major that exports them.
    let since39 = unsafe { crate::sys::tables::CoreSince39::load(lookup) }.ok();
    check()?;
    let core = core.map_err(not_wasmtime)?;
    match MajorProbe::new(&core, since39.as_ref()).map(|p| p.find(candidates)) {
        Some(Verdict::Confirmed(major)) => Ok(Version::major_only(major)),
        Some(Verdict::Refuted) => Err(unsupported(
            "of another major (it refuses artifacts of every supported one)".into(),
        )),
        Some(Verdict::Unknown(why)) => Err(unsupported(format!(
            "of an unknown major (its version check answered: {why})"
        ))),
        None => Err(unsupported(
            "of an unknown major (it made no engine to check it with)".into(),
        )),
    }
}
