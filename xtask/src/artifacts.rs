//! `cargo xtask artifacts`: the real libraries every test runs against,
//! produced once and cached outside the build tree.
//!
//! - the official full library of every major 36 to 50 (the LTS 36 up), from
//!   the PyPI wheels;
//! - minimal and compiler-only builds of 36, 48 and 50, and run-only
//!   builds of 48 and 50 ([`BUILDS`]), from crates.io
//!   `wasmtime-c-api-impl`, with the lock files committed under
//!   `xtask/libwasmtime-build/<major>[-components]/`.
//!
//! Cache layout: `<cache>/<version>/<flavour>/libwasmtime.so`, where `<cache>`
//! is `$WASMTIME_DYN_CACHE`, else `$XDG_CACHE_HOME/wasmtime-dyn`, else
//! `~/.cache/wasmtime-dyn`, and `<version>` is the wheel's or the crate's. A
//! `stamp` file beside each library records the inputs it was made from; a
//! library whose stamp differs is made again.

use crate::{root, run, Result};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The official release libraries: (PyPI wheel version, the version of the
/// library it holds, read from its `resolve_vmctx_memory_ptr_X_Y_Z` export).
pub const WHEELS: &[(&str, &str)] = &[
    ("36.0.0", "36.0.0"),
    ("37.0.0", "37.0.2"),
    ("38.0.0", "38.0.1"),
    ("39.0.0", "39.0.0"),
    ("40.0.0", "40.0.0"),
    ("41.0.0", "41.0.0"),
    ("42.0.0", "42.0.0"),
    ("43.0.0", "43.0.0"),
    ("44.0.0", "44.0.0"),
    ("45.0.0", "45.0.0"),
    ("46.0.1", "46.0.1"),
    ("47.0.1", "47.0.0"),
    ("48.0.0", "48.0.0"),
    ("49.0.0", "49.0.0"),
    ("50.0.1", "50.0.0"),
];

/// The majors built from crates.io, and the flavours each has.
pub struct Build {
    pub major: u32,
    /// The `wasmtime-c-api-impl` version its builders pin (the cache
    /// directory's name).
    pub version: &'static str,
    /// Names of [`BUILT_FLAVOURS`].
    pub flavours: &'static [&'static str],
}

impl Build {
    /// Whether this major has a build of `flavour`.
    pub fn has(&self, flavour: &str) -> bool {
        self.flavours.contains(&flavour)
    }
}

/// The majors with builds of their own. 36, the LTS line, has the minimal
/// and compiler-only flavours; no run-only build, as this crate hands the
/// component model out from 40 only (36's C API lacks most of it).
pub const BUILDS: &[Build] = &[
    Build {
        major: 36,
        version: "36.0.0",
        flavours: &["min", "compiler-only"],
    },
    Build {
        major: 48,
        version: "48.0.0",
        flavours: &["min", "compiler-only", "run-only"],
    },
    Build {
        major: 50,
        version: "50.0.1",
        flavours: &["min", "compiler-only", "run-only"],
    },
];

/// The flavours built from crates.io: the name, the builder directory's
/// suffix (`xtask/libwasmtime-build/<major><suffix>`), the builder
/// feature and the cargo profile (defined in the builder's manifest: the
/// minimal flavour's `release` is fat LTO, one codegen unit, `opt-level =
/// "s"`, stripped, the recipe README documents; `compiler-only` keeps the
/// quicker build for Cranelift). `run-only` is the component model, WASI and
/// async without a compiler (a builder of its own, so the others' lock file
/// stays as it is).
const BUILT_FLAVOURS: [(&str, &str, Option<&str>, &str); 3] = [
    ("min", "", None, "release"),
    ("compiler-only", "", Some("compiler-only"), "compiler-only"),
    ("run-only", "-components", None, "release"),
];

/// One cached library.
#[derive(Clone, Debug)]
pub struct Library {
    /// `full`, `min`, `compiler-only` or `run-only`.
    pub flavour: &'static str,
    /// Its Wasmtime major.
    pub major: u32,
    /// Its exact version where known (official libraries).
    pub version: Option<&'static str>,
    pub path: PathBuf,
}

impl Library {
    /// The environment variable the tests find it through, e.g.
    /// `WASMTIME_DYN_TEST_LIB_FULL_45`.
    pub fn env_var(&self) -> String {
        format!(
            "WASMTIME_DYN_TEST_LIB_{}_{}",
            self.flavour.to_uppercase().replace('-', "_"),
            self.major
        )
    }
}

/// Every cached library, and the test components made beside them.
pub struct Libraries(pub Vec<Library>, pub Fixtures);

/// The test components `crate::fixtures` makes.
pub struct Fixtures {
    /// The WASI 0.2 command component.
    pub p2_command: PathBuf,
}

impl Libraries {
    pub fn print(&self) {
        for lib in &self.0 {
            eprintln!("xtask: {}={}", lib.env_var(), lib.path.display());
        }
        eprintln!(
            "xtask: {}={}",
            crate::fixtures::P2_COMMAND_VAR,
            self.1.p2_command.display()
        );
    }

    /// The library of `flavour` and `major`, if one is made.
    pub fn find(&self, flavour: &str, major: u32) -> Option<&Library> {
        self.0
            .iter()
            .find(|l| l.flavour == flavour && l.major == major)
    }

    /// The full library of `major`.
    pub fn full(&self, major: u32) -> &Library {
        self.find("full", major)
            .expect("every supported major has a full library")
    }

    /// The round variables of `major`, each with its value, or `None` for
    /// one the round must not have: `WASMTIME_DYN_TEST_FULL` and
    /// `WASMTIME_DYN_TEST_VERSION` always; `WASMTIME_DYN_TEST_MIN` and
    /// `WASMTIME_DYN_TEST_COMPILER_ONLY` where that major has those builds,
    /// else `WASMTIME_DYN_TEST_FULL_ONLY=1`; `WASMTIME_DYN_TEST_NO_RUN_ONLY=1`
    /// where it has no run-only build (the tests find one that is made as
    /// `WASMTIME_DYN_TEST_LIB_RUN_ONLY_<major>`). What a round lacks is
    /// always said, never left for a test to guess from a missing variable.
    pub fn round_vars(&self, major: u32) -> Vec<(&'static str, Option<OsString>)> {
        let full = self.full(major);
        let path = |lib: &Library| Some(lib.path.clone().into_os_string());
        let said = || Some(OsString::from("1"));
        let mut vars = vec![
            ("WASMTIME_DYN_TEST_FULL", path(full)),
            (
                "WASMTIME_DYN_TEST_VERSION",
                Some(
                    full.version
                        .expect("official libraries have a version")
                        .into(),
                ),
            ),
        ];
        match (self.find("min", major), self.find("compiler-only", major)) {
            (Some(min), Some(co)) => vars.extend([
                ("WASMTIME_DYN_TEST_MIN", path(min)),
                ("WASMTIME_DYN_TEST_COMPILER_ONLY", path(co)),
                ("WASMTIME_DYN_TEST_FULL_ONLY", None),
            ]),
            _ => vars.extend([
                ("WASMTIME_DYN_TEST_MIN", None),
                ("WASMTIME_DYN_TEST_COMPILER_ONLY", None),
                ("WASMTIME_DYN_TEST_FULL_ONLY", said()),
            ]),
        }
        // The run-only build itself is `WASMTIME_DYN_TEST_LIB_RUN_ONLY_<major>`.
        let no_run_only = self.find("run-only", major).is_none().then(said).flatten();
        vars.push(("WASMTIME_DYN_TEST_NO_RUN_ONLY", no_run_only));
        vars
    }

    /// Sets the round variables of `major` on `cmd` ([`Self::round_vars`]),
    /// removing those the round must not have.
    pub fn set_round(&self, cmd: &mut Command, major: u32) {
        for (var, value) in self.round_vars(major) {
            match value {
                Some(value) => cmd.env(var, value),
                None => cmd.env_remove(var),
            };
        }
    }

    /// Writes [`MANIFEST`] at the repository root: every library's
    /// variable, and the round variables of the newest major with built
    /// flavours ([`Self::round_vars`]), so a plain `cargo test` finds the
    /// libraries without `cargo xtask test` setting them.
    pub fn write_manifest(&self) -> Result<()> {
        let mut text = String::from(
            "# Written by `cargo xtask artifacts` (and every xtask command that makes the\n\
             # test libraries): what a plain `cargo test` reads when the variables\n\
             # `cargo xtask test` sets are absent. Not committed.\n",
        );
        for lib in &self.0 {
            text += &format!("{}={}\n", lib.env_var(), lib.path.display());
        }
        let major = BUILDS.last().expect("some majors are built").major;
        for (var, value) in self.round_vars(major) {
            if let Some(value) = value {
                text += &format!("{var}={}\n", value.to_string_lossy());
            }
        }
        text += &format!(
            "{}={}\n",
            crate::fixtures::P2_COMMAND_VAR,
            self.1.p2_command.display()
        );
        let path = root().join(MANIFEST);
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Sets every library's variable on `cmd`.
    pub fn set_env(&self, cmd: &mut Command) {
        for lib in &self.0 {
            cmd.env(lib.env_var(), &lib.path);
        }
        cmd.env(crate::fixtures::P2_COMMAND_VAR, &self.1.p2_command);
    }
}

fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("WASMTIME_DYN_CACHE") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("wasmtime-dyn"));
    }
    let home = std::env::var_os("HOME")
        .ok_or("neither WASMTIME_DYN_CACHE, XDG_CACHE_HOME nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cache/wasmtime-dyn"))
}

fn builder_dir(major: u32, suffix: &str) -> PathBuf {
    root().join(format!("xtask/libwasmtime-build/{major}{suffix}"))
}

/// What a built flavour is made from, written beside the library: when it
/// changes the library is made again.
fn build_stamp(major: u32, flavour: &str, suffix: &str, profile: &str) -> Result<String> {
    let builder = builder_dir(major, suffix);
    // The profile is named only where it is not `release`, so the run-only
    // libraries built before profiles were per flavour stay valid.
    let mut text = format!("flavour {flavour}\n");
    if profile != "release" {
        text += &format!("profile {profile}\n");
    }
    for file in ["Cargo.toml", "Cargo.lock", "src/lib.rs"] {
        let path = builder.join(file);
        text += &fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(text)
}

/// Makes `dir/libwasmtime.so` with `make` unless its stamp says it is
/// already made from `stamp`.
fn ensure(dir: &Path, stamp: &str, make: impl FnOnce() -> Result<PathBuf>) -> Result<PathBuf> {
    let lib = dir.join("libwasmtime.so");
    let stamp_path = dir.join("stamp");
    let fresh = lib.is_file() && fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp);
    if !fresh {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let made = make()?;
        // Copy then rename, so an interrupted run never leaves a truncated
        // library that a later run would take as cached.
        let partial = dir.join("libwasmtime.so.partial");
        fs::copy(&made, &partial).map_err(|e| format!("{}: {e}", partial.display()))?;
        fs::rename(&partial, &lib).map_err(|e| format!("{}: {e}", lib.display()))?;
        fs::write(&stamp_path, stamp).map_err(|e| e.to_string())?;
    }
    Ok(lib)
}

/// The file, at the repository root, that tells a plain `cargo test` where
/// the libraries are (see [`Libraries::write_manifest`]); `tests/common`
/// reads it.
pub const MANIFEST: &str = ".test-libraries";

/// Makes (or finds in the cache) every test library and writes the
/// [`MANIFEST`].
pub fn ensure_all() -> Result<Libraries> {
    let libs = ensure_every_library()?;
    libs.write_manifest()?;
    Ok(libs)
}

fn ensure_every_library() -> Result<Libraries> {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Err("the test libraries are only produced for x86_64 Linux".into());
    }
    let cache = cache_dir()?;
    let mut libs = Vec::new();
    for &(wheel, version) in WHEELS {
        let dir = cache.join(wheel);
        let stamp = format!("PyPI wheel wasmtime=={wheel}\n");
        let path = ensure(&dir.join("full"), &stamp, || fetch_full(&dir, wheel))?;
        libs.push(Library {
            flavour: "full",
            major: major_of(version),
            version: Some(version),
            path,
        });
    }
    for major_build in BUILDS {
        if let Some(unknown) = major_build
            .flavours
            .iter()
            .find(|f| !BUILT_FLAVOURS.iter().any(|(name, ..)| name == *f))
        {
            return Err(format!(
                "BUILDS names the flavour {unknown:?} of {}, which BUILT_FLAVOURS lacks",
                major_build.major
            ));
        }
        let (major, crate_version) = (major_build.major, major_build.version);
        let dir = cache.join(crate_version);
        for (flavour, suffix, feature, profile) in BUILT_FLAVOURS {
            if !major_build.has(flavour) {
                continue;
            }
            let stamp = build_stamp(major, flavour, suffix, profile)?;
            let path = ensure(&dir.join(flavour), &stamp, || {
                let started = std::time::Instant::now();
                let made = build(&dir, &builder_dir(major, suffix), feature, profile)?;
                eprintln!(
                    "xtask: built {flavour} {crate_version} (profile {profile}) in {:.0} s",
                    started.elapsed().as_secs_f64()
                );
                Ok(made)
            })?;
            libs.push(Library {
                flavour,
                major,
                version: None,
                path,
            });
        }
    }
    let fixtures = Fixtures {
        p2_command: crate::fixtures::p2_command(&cache)?,
    };
    Ok(Libraries(libs, fixtures))
}

fn major_of(version: &str) -> u32 {
    version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .expect("versions in WHEELS are X.Y.Z")
}

fn require(tool: &str, probe: &mut Command, install: &str) -> Result<()> {
    match probe.output() {
        Ok(out) if out.status.success() => Ok(()),
        _ => Err(format!(
            "{tool} is required to make the test libraries; install it with: {install}"
        )),
    }
}

/// Downloads the official release library from the PyPI wheel.
fn fetch_full(dir: &Path, wheel: &str) -> Result<PathBuf> {
    require(
        "pip",
        Command::new("python3").args(["-m", "pip", "--version"]),
        "apt-get install -y python3-pip",
    )?;
    let download = dir.join("wheel");
    let _ = fs::remove_dir_all(&download);
    run(Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args([
            "--platform",
            "manylinux1_x86_64",
            "--python-version",
            "3.11",
        ])
        .arg(format!("wasmtime=={wheel}"))
        .arg("-d")
        .arg(&download))?;
    let file = fs::read_dir(&download)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("pip downloaded no wheel")?;
    let member = "wasmtime/linux-x86_64/_libwasmtime.so";
    run(Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])",
        ])
        .arg(&file)
        .arg(member)
        .arg(&download))?;
    Ok(download.join(member))
}

/// Builds a library with the builder in `builder` (a flavour of one
/// major) from crates.io sources with the committed lock file, in the cargo
/// `profile` its manifest defines.
fn build(dir: &Path, builder: &Path, feature: Option<&str>, profile: &str) -> Result<PathBuf> {
    require(
        "cmake",
        Command::new("cmake").arg("--version"),
        "apt-get install -y cmake",
    )?;
    let target = dir.join("build-target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    // Wasmtime 49 and 50 declare a newer minimum Rust than some machines
    // have; they build with it all the same (checked on Rust 1.95).
    cmd.args([
        "build",
        "--profile",
        profile,
        "--locked",
        "--ignore-rust-version",
        "--manifest-path",
    ])
    .arg(builder.join("Cargo.toml"))
    .env("CARGO_TARGET_DIR", &target);
    if let Some(feature) = feature {
        cmd.args(["--features", feature]);
    }
    run(&mut cmd)?;
    Ok(target.join(profile).join("libwasmtime.so"))
}
