//! The host, as Wasmtime sees it: its architecture and operating system as
//! `target-lexicon` names them, and the CPU features Wasmtime probes before
//! it runs code compiled for them.

/// The host, as `target-lexicon` names its architecture.
pub(crate) fn architecture() -> &'static str {
    if cfg!(target_arch = "x86_64") {
        "x86_64"
    } else if cfg!(target_arch = "aarch64") {
        "aarch64"
    } else if cfg!(target_arch = "s390x") {
        "s390x"
    } else if cfg!(target_arch = "riscv64") {
        "riscv64gc"
    } else if cfg!(target_arch = "x86") {
        "i686"
    } else if cfg!(target_arch = "arm") {
        "arm"
    } else {
        "unknown"
    }
}

/// The host, as `target-lexicon` names its operating system.
pub(crate) fn operating_system() -> &'static str {
    if cfg!(target_os = "linux") {
        "linux"
    } else if cfg!(target_os = "macos") {
        "darwin"
    } else if cfg!(target_os = "windows") {
        "windows"
    } else if cfg!(target_os = "android") {
        "android"
    } else if cfg!(target_os = "freebsd") {
        "freebsd"
    } else if cfg!(target_os = "netbsd") {
        "netbsd"
    } else if cfg!(target_os = "openbsd") {
        "openbsd"
    } else if cfg!(target_os = "illumos") {
        "illumos"
    } else if cfg!(target_os = "ios") {
        "ios"
    } else {
        "unknown"
    }
}

/// Wasmtime's `detect_host_feature`, for the architectures the standard
/// library can probe; s390x and riscv64 hosts are assumed to have the
/// feature (Wasmtime probes s390x with `stfle` and assumes riscv64).
pub(super) fn detect_feature(feature: &str) -> Option<bool> {
    #[cfg(target_arch = "x86_64")]
    {
        return match feature {
            "cmpxchg16b" => Some(std::is_x86_feature_detected!("cmpxchg16b")),
            "sse3" => Some(std::is_x86_feature_detected!("sse3")),
            "ssse3" => Some(std::is_x86_feature_detected!("ssse3")),
            "sse4.1" => Some(std::is_x86_feature_detected!("sse4.1")),
            "sse4.2" => Some(std::is_x86_feature_detected!("sse4.2")),
            "popcnt" => Some(std::is_x86_feature_detected!("popcnt")),
            "avx" => Some(std::is_x86_feature_detected!("avx")),
            "avx2" => Some(std::is_x86_feature_detected!("avx2")),
            "fma" => Some(std::is_x86_feature_detected!("fma")),
            // Leaf 7.1 EAX bit 4, with the OS saving AVX state.
            "avxvnni" => Some(std::is_x86_feature_detected!("avx") && cpuid_leaf7(1, Reg::Eax, 4)),
            "bmi1" => Some(std::is_x86_feature_detected!("bmi1")),
            "bmi2" => Some(std::is_x86_feature_detected!("bmi2")),
            "avx512bitalg" => Some(has_avx512(Reg::Ecx, 12)),
            "avx512dq" => Some(has_avx512(Reg::Ebx, 17)),
            "avx512f" => Some(std::is_x86_feature_detected!("avx512f")),
            "avx512vl" => Some(has_avx512(Reg::Ebx, 31)),
            "avx512vbmi" => Some(has_avx512(Reg::Ecx, 1)),
            "avx512vnni" => Some(has_avx512(Reg::Ecx, 11)),
            "lzcnt" => Some(std::is_x86_feature_detected!("lzcnt")),
            _ => None,
        };
    }
    #[cfg(target_arch = "aarch64")]
    {
        return match feature {
            "lse" => Some(std::arch::is_aarch64_feature_detected!("lse")),
            "paca" => Some(std::arch::is_aarch64_feature_detected!("paca")),
            "fp16" => Some(std::arch::is_aarch64_feature_detected!("fp16")),
            "dotprod" => Some(std::arch::is_aarch64_feature_detected!("dotprod")),
            "i8mm" => Some(std::arch::is_aarch64_feature_detected!("i8mm")),
            _ => None,
        };
    }
    #[allow(unreachable_code)]
    {
        let _ = feature;
        (cfg!(target_arch = "s390x") || cfg!(target_arch = "riscv64")).then_some(true)
    }
}

/// Which CPUID register a feature bit is in.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
enum Reg {
    Eax,
    Ebx,
    Ecx,
}

/// A CPUID leaf-7 feature bit (sub-leaf `subleaf`), for the features whose
/// `is_x86_feature_detected!` names are younger than this crate's Rust
/// version. The caller checks that the OS saves the state they need.
#[cfg(target_arch = "x86_64")]
fn cpuid_leaf7(subleaf: u32, reg: Reg, bit: u32) -> bool {
    use std::arch::x86_64::{__cpuid, __cpuid_count};
    // SAFETY: CPUID exists on every x86-64 processor; leaf 0 reports the
    // highest leaf, checked before reading leaf 7. (`unsafe` is needed on
    // Rust versions where these intrinsics are unsafe functions.)
    #[allow(unused_unsafe)]
    let regs = unsafe {
        if __cpuid(0).eax < 7 || (subleaf > 0 && __cpuid_count(7, 0).eax < subleaf) {
            return false;
        }
        __cpuid_count(7, subleaf)
    };
    let value = match reg {
        Reg::Eax => regs.eax,
        Reg::Ebx => regs.ebx,
        Reg::Ecx => regs.ecx,
    };
    value & (1 << bit) != 0
}

/// AVX-512 sub-features as `std_detect` finds them: the CPUID bit, with
/// the OS saving AVX-512 state (which `avx512f` detection includes).
#[cfg(target_arch = "x86_64")]
fn has_avx512(reg: Reg, bit: u32) -> bool {
    std::is_x86_feature_detected!("avx512f") && cpuid_leaf7(0, reg, bit)
}
