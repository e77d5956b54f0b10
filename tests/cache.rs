//! The compilation cache: a second compilation is served from disk.

mod common;

use common::{kind, round_has, Flavour};
use std::time::Instant;
use wasmtime_dyn::{Config, Engine, ErrorKind, Module};

/// A module big enough that compiling it takes measurable time.
fn big_module() -> String {
    let mut wat = String::from("(module\n");
    for i in 0..300 {
        wat += &format!(
            "(func (export \"f{i}\") (param i64) (result i64) (local i64)
               (local.set 1 (i64.const {i}))
               (block (loop
                 (br_if 1 (i64.eqz (local.get 0)))
                 (local.set 1 (i64.add (i64.mul (local.get 1) (i64.const 6364136223846793005)) (i64.const 1442695040888963407)))
                 (local.set 0 (i64.sub (local.get 0) (i64.const 1)))
                 (br 0)))
               (local.get 1))\n"
        );
    }
    wat + ")"
}

/// The compiled-module entries under the cache directory (not the
/// worker's `.stats` and clean-up files).
fn entries(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.join("modules")];
    while let Some(d) = stack.pop() {
        for path in std::fs::read_dir(&d)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
        {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_none() {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn second_compile_is_served_from_the_cache() {
    let full = Flavour::Full.load();
    let dir = std::env::temp_dir().join(format!("wasmtime-dyn-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let wat = big_module();
    let compile = || {
        let mut config = Config::new(full);
        config.cache().unwrap().directory(&dir);
        let engine = Engine::new(full, &config).unwrap();
        let start = Instant::now();
        let module = Module::new(&engine, &wat).unwrap();
        (start.elapsed(), module)
    };
    let (cold, _) = compile();
    let first = entries(&dir);
    assert_eq!(
        first.len(),
        1,
        "compiling with the cache on writes one entry under {}",
        dir.display()
    );
    let (warm, module) = compile();
    assert_eq!(
        entries(&dir),
        first,
        "the second compilation adds no entry: it was served from the cache"
    );
    assert_eq!(module.exports().len(), 300);
    println!(
        "compile with a cold cache: {cold:?}, with a warm cache: {warm:?} ({:.1}x faster)",
        cold.as_secs_f64() / warm.as_secs_f64()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cache_configuration_errors() {
    if !round_has(Flavour::Min) {
        return;
    }
    let full = Flavour::Full.load();
    let mut config = Config::new(full);
    config.cache().unwrap().from_file("/nonexistent/cache.toml");
    let err = Engine::new(full, &config).unwrap_err();
    assert!(matches!(kind(&err), Some(ErrorKind::Io { .. })), "{err:?}");
    let dir = std::env::temp_dir().join(format!("wasmtime-dyn-badcache-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(&file, "[cache]\nno-such-setting = 1\n").unwrap();
    let mut config = Config::new(full);
    config.cache().unwrap().from_file(&file);
    let err = Engine::new(full, &config).unwrap_err();
    assert!(
        matches!(kind(&err), Some(ErrorKind::Wasmtime { .. })),
        "{err:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    for flavour in [Flavour::Min, Flavour::CompilerOnly] {
        assert!(Config::new(flavour.load()).cache().is_none());
    }
}
