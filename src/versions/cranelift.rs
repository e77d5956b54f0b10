//! What Cranelift accepts that an artifact does not record: the values of
//! its enumerated settings and its presets (named groups of CPU features
//! for `cranelift_flag_enable`). The settings themselves, with their kinds,
//! are learned from each library (see `config_rules`).
//!
//! Read from `cranelift-codegen-meta` 0.135 and 0.137 (Wasmtime 48 and 50;
//! `shared/settings.rs` and `isa/*.rs`), identical in both, and checked on
//! the official Wasmtime 45 to 50 libraries for x86-64: every enumerated
//! value and every x86-64 preset below creates an engine there.

use super::ByMajor;

/// The values of Cranelift's enumerated settings, shared and per ISA.
pub(crate) const ENUM_VALUES: ByMajor<&[(&str, &[&str])]> = ByMajor(&[(
    45..=50,
    &[
        ("regalloc_algorithm", &["backtracking", "single_pass"]),
        ("opt_level", &["none", "speed", "speed_and_size"]),
        ("tls_model", &["none", "elf_gd", "macho", "coff"]),
        (
            "stack_switch_model",
            &["none", "basic", "update_windows_tib"],
        ),
        (
            "libcall_call_conv",
            &[
                "isa_default",
                "fast",
                "system_v",
                "windows_fastcall",
                "apple_aarch64",
                "probestack",
                "preserve_all",
            ],
        ),
        ("probestack_strategy", &["outline", "inline"]),
        // Pulley's only ISA enumeration.
        ("pointer_width", &["pointer32", "pointer64"]),
    ],
)]);

/// Cranelift's presets for each architecture (as `target-lexicon` names
/// it): `cranelift_flag_enable` applies them, `cranelift_flag_set` refuses
/// them.
#[rustfmt::skip]
pub(crate) const PRESETS: ByMajor<&[(&str, &[&str])]> = ByMajor(&[(
    45..=50,
    &[
        ("x86_64", &[
            "sse3", "ssse3", "sse41", "sse42", "baseline", "nocona", "core2", "penryn", "atom",
            "bonnell", "silvermont", "slm", "goldmont", "goldmont-plus", "tremont", "alderlake",
            "sierraforest", "grandridge", "nehalem", "corei7", "westmere", "sandybridge",
            "corei7-avx", "ivybridge", "core-avx-i", "haswell", "core-avx2", "broadwell",
            "skylake", "knl", "knm", "skylake-avx512", "skx", "cascadelake", "cooperlake",
            "cannonlake", "icelake-client", "icelake", "icelake-server", "tigerlake",
            "sapphirerapids", "raptorlake", "meteorlake", "graniterapids", "opteron", "k8",
            "athlon64", "athlon-fx", "opteron-sse3", "k8-sse3", "athlon64-sse3", "barcelona",
            "amdfam10", "btver1", "btver2", "bdver1", "bdver2", "bdver3", "bdver4", "znver1",
            "znver2", "znver3", "znver4", "x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4",
        ]),
        ("s390x", &["arch13", "arch14", "arch15", "z15", "z16", "z17"]),
        ("riscv64gc", &[
            "has_c", "zvl32b", "zvl64b", "zvl128b", "zvl256b", "zvl512b", "zvl1024b",
            "zvl2048b", "zvl4096b", "zvl8192b", "zvl16384b", "zvl32768b", "zvl65536b",
        ]),
    ],
)]);

/// The RISC-V extensions Cranelift's riscv64 backend cannot do without
/// (the G set): turning one off makes the engine fail to build.
pub(crate) const RISCV_REQUIRED: &[&str] = &[
    "has_m",
    "has_a",
    "has_f",
    "has_d",
    "has_zicsr",
    "has_zifencei",
];

/// The values Cranelift's boolean settings take (`parse_bool_value`).
pub(crate) const BOOL_VALUES: &[&str] = &["true", "on", "yes", "1", "false", "off", "no", "0"];

/// Of [`BOOL_VALUES`], those that turn a setting off.
pub(crate) const FALSE_VALUES: &[&str] = &["false", "off", "no", "0"];
