//! Prints a compatibility matrix of the libwasmtime files given on the
//! command line (or the one `Wasmtime::load` finds): one row per library
//! with its version, value layout and capabilities, or why it is refused;
//! then, for each loaded library, why each absent capability is absent.
//!
//! ```text
//! cargo run --example capabilities -- /path/to/libwasmtime.so [...]
//! ```

use wasmtime_dyn::sys::tables::{Absence, TableId};
use wasmtime_dyn::{Capability, LoadError, Wasmtime};

fn main() -> wasmtime_dyn::Result<()> {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let opened: Vec<(String, Result<&'static Wasmtime, LoadError>)> = if paths.is_empty() {
        // SAFETY: the library WASMTIME_DYN_LIB names or the system search
        // finds is taken to be a Wasmtime C API library.
        vec![("(found)".to_string(), unsafe { Wasmtime::load() })]
    } else {
        paths
            .iter()
            // SAFETY: the paths given are taken to be Wasmtime C API
            // libraries; those outside the supported window are refused
            // before any of their code runs.
            .map(|p| (p.clone(), unsafe { Wasmtime::open(p) }))
            .collect()
    };
    println!("| library | version | value layout | capabilities |\n|---|---|---|---|");
    for (path, result) in &opened {
        match result {
            Ok(w) => println!(
                "| {path} | {} | {} | {} |",
                w.version(),
                w.val_abi(),
                w.capabilities()
            ),
            Err(LoadError::UnsupportedVersion {
                found, supported, ..
            }) => println!(
                "| {path} | {found} | refused: outside {}..={} | |",
                supported.start(),
                supported.end()
            ),
            Err(err) => println!("| {path} | | refused: {err} | |"),
        }
    }
    for (path, result) in &opened {
        let Ok(wasmtime) = result else { continue };
        println!(
            "\n{path} (Wasmtime {}): absent capabilities",
            wasmtime.version()
        );
        for capability in Capability::ALL {
            let Some(why) = wasmtime.capability_absence(capability) else {
                continue;
            };
            let table = TableId::for_capability(capability);
            let status = match why {
                Absence::Requires(table) => format!("requires {}", table.name()),
                Absence::NotInVersion { majors, found } => format!(
                    "its functions have these signatures in Wasmtime {}..={} only, not {found}",
                    majors.start(),
                    majors.end()
                ),
                Absence::Missing(names) => {
                    let total = table.functions().len() + table.undeclared().len();
                    if names.len() == total {
                        format!("not built in (0 of its {total} functions exported)")
                    } else {
                        format!("partial build: {} of {total} missing", names.len())
                    }
                }
            };
            println!("  {:<24}{status}", capability.name());
        }
    }
    let unknown: Vec<_> = Wasmtime::undetectable_features()
        .iter()
        .map(|f| f.name())
        .collect();
    println!(
        "\nunknown on every library (no functions of their own): {}",
        unknown.join(", ")
    );
    Ok(())
}
