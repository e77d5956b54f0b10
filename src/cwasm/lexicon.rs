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
    let mut parts = triple.split('-').peekable();
    let arch = parts.next().unwrap_or("");
    let mut next_if = |ok: &dyn Fn(&str) -> bool| parts.next_if(|p| ok(p));
    next_if(&is_vendor);
    let os = next_if(&is_system).unwrap_or("unknown");
    next_if(&|p| ENVIRONMENTS.contains(&p));
    next_if(&|p| BINARY_FORMATS.contains(&p));
    match parts.next() {
        Some(rest) => Err(format!(
            "the target triple '{triple}' does not parse (at '{rest}')"
        )),
        None => Ok((arch, os)),
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
}
