//! Loading the compilation cache's configuration: the
//! [`Cache`](crate::Capability::Cache) capability.

use crate::config::CacheSource;
use crate::error::{ErrorKind, Result};
use crate::loader::Wasmtime;
use crate::sys::tables;
use crate::sys::types::wasm_config_t;
use std::ffi::CString;
use std::path::Path;

/// Applies `source` to `config` through `wasmtime_config_cache_config_load`.
pub(crate) fn load(
    wasmtime: &Wasmtime,
    table: &tables::Cache,
    config: *mut wasm_config_t,
    source: &CacheSource,
) -> Result<()> {
    let call = |path: Option<&Path>| -> Result<()> {
        let c_path = path
            .map(|p| {
                p.to_str()
                    .and_then(|s| CString::new(s).ok())
                    .ok_or_else(|| {
                        ErrorKind::Invalid(format!(
                            "{} is not a valid UTF-8 path without NUL bytes",
                            p.display()
                        ))
                    })
            })
            .transpose()?;
        let ptr = c_path.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
        // SAFETY: `config` is live; `ptr` is null or a NUL-terminated path
        // that outlives the call.
        let error = unsafe { (table.wasmtime_config_cache_config_load)(config, ptr) };
        // SAFETY: the error, if any, is fresh and owned.
        unsafe { crate::error::check(wasmtime.core(), error) }
    };
    match source {
        CacheSource::Default => call(None),
        CacheSource::File(path) => {
            if !path.is_file() {
                return Err(ErrorKind::Io {
                    path: path.clone(),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                }
                .into());
            }
            call(Some(path))
        }
        CacheSource::Directory(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| ErrorKind::Io {
                path: dir.clone(),
                source,
            })?;
            let dir_text = dir.to_str().ok_or_else(|| {
                ErrorKind::Invalid(format!("{} is not valid UTF-8", dir.display()))
            })?;
            // Wasmtime reads its cache settings from a file only: write a
            // temporary one (not in the cache directory, which Wasmtime's
            // cache worker cleans), load it, remove it.
            static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let file = std::env::temp_dir().join(format!(
                "wasmtime-dyn-cache-{}-{n}.toml",
                std::process::id()
            ));
            let toml = format!("[cache]\ndirectory = {}\n", toml_string(dir_text));
            // `create_new` refuses an existing name, so a link planted
            // there by someone else is never followed.
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&file)
                .and_then(|mut f| std::io::Write::write_all(&mut f, toml.as_bytes()))
                .map_err(|source| ErrorKind::Io {
                    path: file.clone(),
                    source,
                })?;
            let result = call(Some(&file));
            let _ = std::fs::remove_file(&file);
            result
        }
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
