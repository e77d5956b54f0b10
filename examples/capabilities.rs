//! Prints, for each libwasmtime given on the command line (or the one
//! `Wasmtime::load` finds), its path, version, value layout and capability
//! table.
//!
//! ```text
//! cargo run --example capabilities -- /path/to/libwasmtime.so [...]
//! ```

use wasmtime_dyn::sys::tables::Absence;
use wasmtime_dyn::{Capability, Wasmtime};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let libraries = if paths.is_empty() {
        // SAFETY: the library WASMTIME_DYN_LIB names or the system search
        // finds is taken to be a Wasmtime C API library.
        vec![unsafe { Wasmtime::load() }?]
    } else {
        paths
            .iter()
            // SAFETY: the paths given are taken to be Wasmtime C API libraries.
            .map(|p| unsafe { Wasmtime::open(p) })
            .collect::<Result<_, _>>()?
    };
    for wasmtime in &libraries {
        println!("library:      {}", wasmtime.path().display());
        match wasmtime.version() {
            Some(version) => println!("version:      {version}"),
            None => println!("version:      unknown"),
        }
        println!("value ABI:    {}", wasmtime.val_abi());
        println!("capabilities: {}", wasmtime.capabilities());
        for capability in Capability::ALL {
            let status = match wasmtime.capability_absence(capability) {
                None => "yes".to_string(),
                Some(Absence::Requires(table)) => format!("no (requires {})", table.name()),
                Some(Absence::Missing(names)) => {
                    let table = wasmtime_dyn::sys::tables::TableId::for_capability(capability);
                    let total = table.functions().len() + table.undeclared().len();
                    if names.len() == total {
                        format!("no (0 of its {total} functions exported)")
                    } else {
                        format!("no (partial: {} of {total} missing)", names.len())
                    }
                }
            };
            println!("  {:<24}{status}", capability.name());
        }
        let unknown: Vec<_> = Wasmtime::undetectable_features()
            .iter()
            .map(|f| f.name())
            .collect();
        println!(
            "  unknown (no functions of their own): {}",
            unknown.join(", ")
        );
        println!();
    }
    Ok(())
}
