//! The core modules a component exports, read from its binary: what
//! Wasmtime's runner gets with `Instance::get_module` to define a named
//! component's exported modules in the linker. The C API has no way to
//! take a module out of a component instance, so the runner compiles the
//! exported module's own bytes (the same core module, so the same type
//! for the linker to check) or, for a module the component re-exports
//! from an imported instance, uses the module the runner defined there.

use std::ops::Range;
use wasmparser::{
    Chunk, ComponentAlias, ComponentExternalKind, ComponentOuterAliasKind, ComponentTypeRef,
    Parser, Payload,
};

/// Where an exported core module comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A module defined in the component: its bytes.
    Defined(Range<usize>),
    /// A module exported by the imported instance `.0`, as `.1`.
    Imported(String, String),
    /// Anything else (nested components' modules...), described.
    Other(&'static str),
}

/// An entry of the component's instance index space, as far as needed.
enum InstanceEntry {
    Imported(String),
    Other,
}

/// The core modules `bytes`, a component, exports: (name, source).
pub fn modules(bytes: &[u8]) -> Result<Vec<(String, Source)>, String> {
    let mut modules: Vec<Source> = Vec::new();
    let mut instances: Vec<InstanceEntry> = Vec::new();
    let mut exports = Vec::new();
    let mut parser = Parser::new(0);
    let mut offset = 0;
    loop {
        let chunk = parser
            .parse(&bytes[offset..], true)
            .map_err(|e| format!("reading the component: {e}"))?;
        let Chunk::Parsed { consumed, payload } = chunk else {
            return Err("the component ends early".to_string());
        };
        offset += consumed;
        match payload {
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                let range = unchecked_range.start as usize..unchecked_range.end as usize;
                // The outer parser goes on after the nested module's bytes,
                // which are not parsed here.
                offset += range.len();
                modules.push(Source::Defined(range));
            }
            Payload::ComponentSection {
                unchecked_range, ..
            } => {
                offset += (unchecked_range.end - unchecked_range.start) as usize;
            }
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    let import = import.map_err(|e| e.to_string())?;
                    match import.ty {
                        ComponentTypeRef::Module(_) => {
                            modules.push(Source::Other("a module the component imports"))
                        }
                        ComponentTypeRef::Instance(_) => {
                            instances.push(InstanceEntry::Imported(import.name.name.to_string()))
                        }
                        _ => {}
                    }
                }
            }
            Payload::ComponentInstanceSection(reader) => {
                for _ in reader {
                    instances.push(InstanceEntry::Other);
                }
            }
            Payload::ComponentAliasSection(reader) => {
                for alias in reader {
                    match alias.map_err(|e| e.to_string())? {
                        ComponentAlias::InstanceExport {
                            kind: ComponentExternalKind::Module,
                            instance_index,
                            name,
                        } => modules.push(match instances.get(instance_index as usize) {
                            Some(InstanceEntry::Imported(instance)) => {
                                Source::Imported(instance.clone(), name.to_string())
                            }
                            _ => Source::Other("a module of an instance the component makes"),
                        }),
                        ComponentAlias::InstanceExport {
                            kind: ComponentExternalKind::Instance,
                            ..
                        } => instances.push(InstanceEntry::Other),
                        ComponentAlias::Outer {
                            kind: ComponentOuterAliasKind::CoreModule,
                            ..
                        } => modules.push(Source::Other("a module of an enclosing component")),
                        _ => {}
                    }
                }
            }
            Payload::ComponentExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| e.to_string())?;
                    match export.kind {
                        ComponentExternalKind::Module => {
                            let source = modules
                                .get(export.index as usize)
                                .cloned()
                                .ok_or("an export of a module index out of bounds")?;
                            exports.push((export.name.name.to_string(), source.clone()));
                            // An export is a new entry of its index space.
                            modules.push(source);
                        }
                        ComponentExternalKind::Instance => instances.push(InstanceEntry::Other),
                        _ => {}
                    }
                }
            }
            Payload::End(_) => return Ok(exports),
            _ => {}
        }
    }
}
