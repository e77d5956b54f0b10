//! `target-lexicon` 0.13's names, for parsing a triple as Wasmtime does.

#[rustfmt::skip]
pub const VENDORS: &[&str] = &[
    "unknown", "amd", "apple", "espressif", "experimental", "fortanix", "ibm", "kmc",
    "nintendo", "nvidia", "pc", "rumprun", "sun", "uwp", "wrs",
];
/// Darwin-family systems, which may carry a version (`macosx10.7`).
pub const VERSIONED_SYSTEMS: &[&str] = &[
    "darwin", "ios", "macosx", "tvos", "visionos", "watchos", "xros",
];
#[rustfmt::skip]
pub const SYSTEMS: &[&str] = &[
    "unknown", "aix", "amdhsa", "bitrig", "cloudabi", "cuda", "cygwin", "dragonfly",
    "emscripten", "freebsd", "fuchsia", "haiku", "hermit", "horizon", "hurd", "illumos", "l4re",
    "linux", "nebulet", "netbsd", "none", "openbsd", "psp", "redox", "solaris", "solid_asp3",
    "uefi", "vxworks", "wasi", "wasip1", "wasip2", "windows", "espidf",
];
#[rustfmt::skip]
pub const ENVIRONMENTS: &[&str] = &[
    "unknown", "amdgiz", "android", "androideabi", "eabi", "eabihf", "gnu", "gnuabi64",
    "gnueabi", "gnueabihf", "gnuspe", "gnux32", "gnu_ilp32", "gnullvm", "hermitkernel",
    "hurdkernel", "linuxkernel", "macabi", "musl", "musleabi", "musleabihf", "muslabi64",
    "msvc", "newlib", "none", "kernel", "uclibc", "uclibceabi", "uclibceabihf", "sgx", "sim",
    "softfloat", "spe", "threads", "ohos",
];
pub const BINARY_FORMATS: &[&str] = &["unknown", "elf", "coff", "macho", "wasm", "xcoff"];
/// Common architecture names (not all of `target-lexicon`'s): a custom
/// vendor may not be one.
#[rustfmt::skip]
pub const ARCHITECTURES: &[&str] = &[
    "x86_64", "x86_64h", "i386", "i586", "i686", "aarch64", "arm64", "arm", "armv7", "riscv64",
    "riscv64gc", "riscv32", "s390x", "wasm32", "wasm64", "pulley32", "pulley64", "pulley32be",
    "pulley64be", "powerpc", "powerpc64", "powerpc64le", "mips", "mips64",
];

/// `OperatingSystem::from_str`.
pub fn is_system(s: &str) -> bool {
    if let Some(name) = VERSIONED_SYSTEMS.iter().find(|n| s.starts_with(*n)) {
        let version = &s[name.len()..];
        if version.is_empty() {
            return true;
        }
        let parts: Vec<&str> = version.split('.').collect();
        return parts.len() <= 3 && parts.iter().all(|p| p.parse::<u16>().is_ok());
    }
    SYSTEMS.contains(&s)
}

/// `Vendor::from_str`, custom vendors included.
pub fn is_vendor(s: &str) -> bool {
    if VENDORS.contains(&s) {
        return true;
    }
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        && !ARCHITECTURES.contains(&s)
        && !is_system(s)
        && !ENVIRONMENTS.contains(&s)
        && !BINARY_FORMATS.contains(&s)
}

/// The architecture and operating system of `triple`, parsed as
/// `Triple::from_str` does: `arch[-vendor][-os][-env][-format]` with
/// each part optional after the architecture but nothing left over.
pub fn parse(triple: &str) -> Result<(&str, &str), String> {
    components(triple).map(|c| (c.arch, c.os))
}

/// The parts of a triple that decide what Wasmtime does with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Components<'a> {
    /// The architecture, as written (the first part).
    pub arch: &'a str,
    /// The operating system (`unknown` when absent).
    pub os: &'a str,
    /// The environment (`unknown` when absent).
    pub env: &'a str,
}

impl Components<'_> {
    /// A Pulley (interpreter bytecode) target.
    pub fn is_pulley(&self) -> bool {
        self.arch.starts_with("pulley")
    }

    /// Whether the target's pointers are 32-bit, as `Triple::pointer_width`
    /// says for the architectures this crate names (an ILP32 environment
    /// of a 64-bit architecture included).
    pub fn is_32_bit(&self) -> bool {
        matches!(self.env, "gnux32" | "gnu_ilp32")
            || matches!(
                self.arch,
                "pulley32"
                    | "pulley32be"
                    | "i386"
                    | "i586"
                    | "i686"
                    | "arm"
                    | "armv7"
                    | "riscv32"
                    | "wasm32"
                    | "powerpc"
                    | "mips"
            )
    }

    /// Whether Wasmtime's stack switching has a model on this target with
    /// Cranelift (x86-64 Linux and macOS).
    pub fn has_stack_switching(&self) -> bool {
        matches!(self.arch, "x86_64" | "x86_64h")
            && (self.os == "linux"
                || self.os.starts_with("darwin")
                || self.os.starts_with("macosx"))
    }
}

/// The [`Components`] of `triple`, parsed as `Triple::from_str` does.
pub fn components(triple: &str) -> Result<Components<'_>, String> {
    let mut parts = triple.split('-').peekable();
    let arch = parts.next().unwrap_or("");
    let mut next_if = |ok: &dyn Fn(&str) -> bool| parts.next_if(|p| ok(p));
    next_if(&is_vendor);
    let os = next_if(&is_system).unwrap_or("unknown");
    let env = next_if(&|p| ENVIRONMENTS.contains(&p)).unwrap_or("unknown");
    next_if(&|p| BINARY_FORMATS.contains(&p));
    match parts.next() {
        Some(rest) => Err(format!(
            "the target triple '{triple}' does not parse (at '{rest}')"
        )),
        None => Ok(Components { arch, os, env }),
    }
}

/// What Wasmtime compiles for (`Config::compiler_target`): the configured
/// triple, else the host. A configured triple this module cannot read
/// (`Config::target` refuses those on libraries with a compiler) keeps its
/// first part as the architecture.
pub fn compile_target(triple: Option<&str>) -> Components<'_> {
    match triple {
        Some(triple) => components(triple).unwrap_or(Components {
            arch: triple.split('-').next().unwrap_or(""),
            os: "unknown",
            env: "unknown",
        }),
        None => Components {
            arch: super::host::architecture(),
            os: super::host::operating_system(),
            env: "unknown",
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn triples_parse_like_target_lexicon() {
        let parse = super::parse;
        assert_eq!(parse("x86_64-unknown-linux-gnu"), Ok(("x86_64", "linux")));
        assert_eq!(parse("aarch64-apple-darwin"), Ok(("aarch64", "darwin")));
        assert_eq!(
            parse("x86_64-apple-macosx10.7"),
            Ok(("x86_64", "macosx10.7"))
        );
        assert_eq!(parse("x86_64-pc-windows-msvc"), Ok(("x86_64", "windows")));
        assert_eq!(parse("x86_64-linux"), Ok(("x86_64", "linux")));
        assert_eq!(parse("x86_64-linux-gnu"), Ok(("x86_64", "linux")));
        assert_eq!(parse("x86_64-acme-linux-gnu"), Ok(("x86_64", "linux")));
        assert_eq!(parse("x86_64-unknown"), Ok(("x86_64", "unknown")));
        assert_eq!(parse("pulley64"), Ok(("pulley64", "unknown")));
        assert!(parse("x86_64-unknown-linux-gnv").is_err());
        assert!(parse("x86_64-unknown-linux-gnu-elf-x").is_err());
        assert!(parse("x86_64-Acme-linux").is_err());
        assert!(parse("x86_64-unknown-macosx1.x").is_err());
    }

    #[test]
    fn components_name_what_wasmtime_decides_on() {
        let c = super::components("x86_64-unknown-linux-gnux32").unwrap();
        assert_eq!((c.arch, c.os, c.env), ("x86_64", "linux", "gnux32"));
        assert!(c.is_32_bit() && !c.is_pulley() && c.has_stack_switching());
        let p = super::components("pulley64").unwrap();
        assert!(p.is_pulley() && !p.is_32_bit() && !p.has_stack_switching());
        assert!(super::components("pulley32be").unwrap().is_32_bit());
        assert!(!super::components("x86_64-pc-windows-msvc")
            .unwrap()
            .has_stack_switching());
        assert!(super::components("x86_64-apple-darwin")
            .unwrap()
            .has_stack_switching());
    }
}
