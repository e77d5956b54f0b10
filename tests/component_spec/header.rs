//! The `;;! name = value` lines a test file begins with: the Wasmtime
//! settings its own runner turns on for the file (`TestConfig` in
//! Wasmtime's `crates/test-util/src/wast.rs`, applied by
//! `apply_test_config` in `crates/test-util/src/wasmtime_wast.rs`). As
//! there, every proposal a file does not name is off, typed function
//! references imply reference types, and GC implies both.
//!
//! Each setting maps onto this crate's [`Config`]; the component-model
//! proposals this crate's `Config` has no setter for (nor, for some, the C
//! API) are kept in [`Header::unset`], and the runner skips what fails in
//! such a file with that reason.

use wasmtime_dyn::{Capabilities, Capability, Config};

/// One file's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Header {
    pub bulk_memory: bool,
    pub multi_memory: bool,
    pub memory64: bool,
    pub reference_types: bool,
    pub function_references: bool,
    pub gc: bool,
    pub exceptions: bool,
    pub simd: bool,
    pub component_model_async: bool,
    pub component_model_async_stackful: bool,
    pub component_model_more_async_builtins: bool,
    pub component_model_map: bool,
    pub component_model_implements: bool,
    /// The settings turned on that cannot be set here, each with why.
    pub unset: Vec<(String, String)>,
}

/// The component-model settings of Wasmtime's runner that the C API
/// cannot set, with why (checked in the headers of 45 to 50).
fn unsettable(name: &str) -> Option<&'static str> {
    Some(match name {
        "component_model_error_context" => {
            "the C API has no setter for it (no `wasmtime_config_wasm_component_model_error_\
             context_set` in 45 to 50)"
        }
        "component_model_gc" => {
            "the C API has no setter for it (no `wasmtime_config_wasm_component_model_gc_set` \
             in 45 to 50)"
        }
        "component_model_memory64" => {
            "the C API has no setter for it (no `wasmtime_config_wasm_component_model_memory64\
             _set` in 45 to 50)"
        }
        "component_model_threading" => {
            "the C API has no setter for it (no `wasmtime_config_wasm_component_model_\
             threading_set` in 45 to 50), so the threading built-ins (`thread.new-indirect`, \
             `thread.switch-to`...) are refused"
        }
        "component_model_fixed_length_lists" => {
            "the C API has no setter for it (no `wasmtime_config_wasm_component_model_fixed_\
             length_lists_set` in 45 to 50)"
        }
        _ => return None,
    })
}

/// The settings at the top of `text`, for a library of Wasmtime `major`;
/// an error names a line this runner does not understand.
pub fn parse(text: &str, major: u32) -> Result<Header, String> {
    let mut header = Header::default();
    for line in text.lines().take_while(|l| l.starts_with(";;!")) {
        let setting = &line[3..];
        let (name, value) = setting
            .split_once('=')
            .ok_or_else(|| format!("a `;;!` line without `=`: {line:?}"))?;
        let name = name.trim();
        let value = match value.trim() {
            "true" => true,
            "false" => false,
            other => return Err(format!("`{name}` is neither true nor false: {other:?}")),
        };
        match name {
            "bulk_memory" => header.bulk_memory = value,
            "multi_memory" => header.multi_memory = value,
            "memory64" => header.memory64 = value,
            "reference_types" => header.reference_types = value,
            "function_references" => header.function_references = value,
            "gc" => header.gc = value,
            "exceptions" => header.exceptions = value,
            "simd" => header.simd = value,
            "component_model_async" => header.component_model_async = value,
            "component_model_async_stackful" => header.component_model_async_stackful = value,
            "component_model_more_async_builtins" => {
                header.component_model_more_async_builtins = value
            }
            "component_model_map" => header.component_model_map = value,
            "component_model_implements" => header.component_model_implements = value,
            // Wasmtime's runner reads these two for other purposes: the
            // first keeps the file from its pooling-allocator runs (this
            // runner uses the default allocator), the second chooses GC
            // collectors; neither is an engine setting.
            "hogs_memory" | "gc_types" => {}
            other => match unsettable(other) {
                // Off is every setting's default: nothing to set.
                Some(_) if !value => {}
                Some(why) => header.unset.push((other.to_string(), why.to_string())),
                None => return Err(format!("a setting this runner does not know: `{other}`")),
            },
        }
    }
    header.function_references |= header.gc;
    header.reference_types |= header.function_references;
    // From 49 on Wasmtime refuses the component-model async proposal
    // without reference types (its adapters use `ref.func`: 49's
    // config.rs:2786); the v48 files that turn async on predate that, so
    // it comes with async here, as GC brings typed function references.
    header.reference_types |= header.component_model_async && major >= 49;
    if header.component_model_implements && major < 49 {
        header.unset.push((
            "component_model_implements".to_string(),
            format!(
                "Wasmtime {major} has no setter for it (the C API's \
                 `wasmtime_config_wasm_component_model_implements_set` came in 49)"
            ),
        ));
    }
    Ok(header)
}

impl Header {
    /// Sets the proposals on `config`, whose library of Wasmtime `major`
    /// has the capabilities `target`; an error names a proposal it cannot
    /// turn on.
    pub fn configure(
        &self,
        config: &mut Config,
        major: u32,
        target: Capabilities,
    ) -> Result<(), String> {
        config
            .wasm_component_model(true)
            .wasm_bulk_memory(self.bulk_memory)
            .wasm_multi_memory(self.multi_memory)
            .wasm_memory64(self.memory64)
            .wasm_simd(self.simd)
            .wasm_relaxed_simd(false);
        if target.contains(Capability::Gc) {
            if let Some(mut gc) = config.gc() {
                gc.wasm_reference_types(self.reference_types)
                    .wasm_function_references(self.function_references)
                    .wasm_gc(self.gc)
                    .wasm_exceptions(self.exceptions);
            }
        } else {
            let needed: Vec<&str> = [
                (self.gc, "GC"),
                (self.exceptions, "exceptions"),
                (self.function_references, "typed function references"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| *name)
            .collect();
            if !needed.is_empty() {
                return Err(format!(
                    "the proposals {} (capability `gc`)",
                    needed.join(", ")
                ));
            }
        }
        // As Wasmtime's runner, every component-model proposal is set, off
        // unless the file turns it on (async off leaves the concurrency
        // support on, as there).
        config.wasm_component_model_map(self.component_model_map);
        if target.contains(Capability::ComponentModelAsync) {
            config
                .wasm_component_model_async(self.component_model_async)
                .wasm_component_model_async_stackful(self.component_model_async_stackful)
                .wasm_component_model_more_async_builtins(self.component_model_more_async_builtins);
        } else if self.component_model_async
            || self.component_model_async_stackful
            || self.component_model_more_async_builtins
        {
            return Err(
                "the component-model async proposal (capability `component-model-async`)"
                    .to_string(),
            );
        }
        if major >= 49 {
            config.wasm_component_model_implements(self.component_model_implements);
        }
        Ok(())
    }

    /// The skip reason for what fails in a file with settings this runner
    /// cannot make, if any.
    pub fn unset_reason(&self) -> Option<String> {
        (!self.unset.is_empty()).then(|| {
            let parts: Vec<String> = self
                .unset
                .iter()
                .map(|(name, why)| format!("`{name} = true` cannot be set: {why}"))
                .collect();
            parts.join("; ")
        })
    }
}
