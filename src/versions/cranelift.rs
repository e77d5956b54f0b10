//! What Cranelift accepts that an artifact does not record: the values of
//! its enumerated settings, the usable values of its numeric ones, and its
//! presets (named groups of CPU features for `cranelift_flag_enable`). The
//! settings themselves, with their kinds, are learned from each library
//! (see `config_rules`).
//!
//! Read from `cranelift-codegen-meta` 0.135 and 0.137 (Wasmtime 48 and 50;
//! `shared/settings.rs` and `isa/*.rs`), identical in both, and checked on
//! the official Wasmtime 45 to 50 libraries for x86-64: every enumerated
//! value and every x86-64 preset below creates an engine there.

use super::ByMajor;

/// The values of Cranelift's enumerated settings, shared and per ISA.
pub(crate) const ENUM_VALUES: ByMajor<&[(&str, &[&str])]> = ByMajor(&[
    (36..=36, ENUM_VALUES_36),
    (37..=40, ENUM_VALUES_37),
    (41..=50, ENUM_VALUES_41),
]);

/// Wasmtime 36 (`cranelift-codegen-meta` 0.123): only the backtracking
/// register allocator, and `libcall_call_conv` with `cold` but without
/// `preserve_all` (`VERSIONS-36-44.md` §1D).
const ENUM_VALUES_36: &[(&str, &[&str])] = &[
    ("regalloc_algorithm", &["backtracking"]),
    ("opt_level", &["none", "speed", "speed_and_size"]),
    ("tls_model", &["none", "elf_gd", "macho", "coff"]),
    (
        "stack_switch_model",
        &["none", "basic", "update_windows_tib"],
    ),
    ("libcall_call_conv", LIBCALL_CALL_CONV_36),
    ("probestack_strategy", &["outline", "inline"]),
    ("pointer_width", &["pointer32", "pointer64"]),
];

/// `libcall_call_conv` up to Wasmtime 40.
const LIBCALL_CALL_CONV_36: &[&str] = &[
    "isa_default",
    "fast",
    "cold",
    "system_v",
    "windows_fastcall",
    "apple_aarch64",
    "probestack",
];

/// Wasmtime 37 to 40: 36's, with the single-pass register allocator.
const ENUM_VALUES_37: &[(&str, &[&str])] = &[
    ("regalloc_algorithm", &["backtracking", "single_pass"]),
    ("opt_level", &["none", "speed", "speed_and_size"]),
    ("tls_model", &["none", "elf_gd", "macho", "coff"]),
    (
        "stack_switch_model",
        &["none", "basic", "update_windows_tib"],
    ),
    ("libcall_call_conv", LIBCALL_CALL_CONV_36),
    ("probestack_strategy", &["outline", "inline"]),
    ("pointer_width", &["pointer32", "pointer64"]),
];

/// Wasmtime 41 to 50.
const ENUM_VALUES_41: &[(&str, &[&str])] = &[
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
];

/// Cranelift's presets for each architecture (as `target-lexicon` names
/// it): `cranelift_flag_enable` applies them, `cranelift_flag_set` refuses
/// them.
#[rustfmt::skip]
///
/// The last x86-64 presets are named differently up to 43: 36 to 41 have
/// Cranelift's `x84_64_v3` and `x86_64_v4` misspellings, 42 spells them
/// `x86_64_v2` to `x86_64_v4` (the official libraries' strings, and
/// `cranelift-codegen-meta` 0.123.23 and 0.131.3's `isa/x86.rs`; 42's
/// `x86-64` was not found next to its description, so it is not passed on
/// there). The s390x and riscv64 presets are the same 36 to 50.
pub(crate) const PRESETS: ByMajor<&[(&str, &[&str])]> = ByMajor(&[(
    36..=41,
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
            "znver2", "znver3", "znver4", "x86-64", "x86-64-v2", "x84_64_v3", "x86_64_v4",
        ]),
        ("s390x", &["arch13", "arch14", "arch15", "z15", "z16", "z17"]),
        ("riscv64gc", &[
            "has_c", "zvl32b", "zvl64b", "zvl128b", "zvl256b", "zvl512b", "zvl1024b",
            "zvl2048b", "zvl4096b", "zvl8192b", "zvl16384b", "zvl32768b", "zvl65536b",
        ]),
    ],
), (
    42..=42,
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
            "znver2", "znver3", "znver4", "x86_64_v2", "x86_64_v3", "x86_64_v4",
        ]),
        ("s390x", &["arch13", "arch14", "arch15", "z15", "z16", "z17"]),
        ("riscv64gc", &[
            "has_c", "zvl32b", "zvl64b", "zvl128b", "zvl256b", "zvl512b", "zvl1024b",
            "zvl2048b", "zvl4096b", "zvl8192b", "zvl16384b", "zvl32768b", "zvl65536b",
        ]),
    ],
), (
    43..=50,
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

/// The values of one of Cranelift's numeric settings that it can use.
#[derive(Debug)]
pub(crate) struct NumericRange {
    /// The setting.
    pub name: &'static str,
    /// The smallest and largest value accepted.
    pub min: u8,
    pub max: u8,
    /// Why, for the error message.
    pub why: &'static str,
}

/// The numeric settings of Cranelift (`add_num` in `shared/settings.rs`;
/// no ISA has any) and the values this crate passes on. Cranelift's
/// definitions give them a `u8` and nothing more; the bounds come from
/// the code that uses them, the same in 0.132 to 0.137 (Wasmtime 45 to
/// 50: `machinst/abi.rs`, `machinst/vcode.rs`, `machinst/buffer.rs`,
/// `isa/*/abi.rs`), where a value outside them aborts or crashes the
/// process when code is compiled or run (checked on the official 45 to
/// 50 libraries on x86-64: `probestack_size_log2` 0, 1, 32, 33 crash
/// the compiled code; `log2_min_function_alignment` 31 and above, and
/// `bb_padding_log2_minus_one` 31 and above, abort the compiler).
///
/// The padding and alignment bounds keep what the setting adds to the
/// largest code Wasmtime accepts under 1 GiB, half of the ±2 GiB that
/// x86-64 jumps and calls reach (a function body is at most 7,654,321
/// bytes, about one block per byte at most; a module has at most
/// 1,000,000 functions, each with up to two trampolines), where a value
/// that only fits small modules would abort on a large one.
// 36 to 44 keep 45's bounds (not re-measured there): they only narrow what
// is passed on.
pub(crate) const NUMERIC_RANGES: ByMajor<&[NumericRange]> = ByMajor(&[(
    36..=50,
    &[
        NumericRange {
            name: "probestack_size_log2",
            min: 4,
            max: 31,
            why: "the stack probe step is 1 << value bytes as a u32 (32 and above wrap \
                  around), and a step below 16 bytes misaligns the stack pointer (AArch64 \
                  faults) or, below 4 bytes, makes x86-64's 4-byte probe overwrite the \
                  caller's frame",
        },
        NumericRange {
            name: "bb_padding_log2_minus_one",
            min: 0,
            max: 8,
            why: "each basic block gets 1 << (value - 1) bytes of padding: above 128 bytes a \
                  function of the largest size Wasmtime accepts no longer fits the ±2 GiB \
                  reach of a jump (the compiler aborts), and from 31 on small functions \
                  already do not",
        },
        NumericRange {
            name: "log2_min_function_alignment",
            min: 0,
            max: 8,
            why: "every function and trampoline is aligned to 1 << value bytes: above 256 \
                  bytes a module with the most functions Wasmtime accepts no longer fits the \
                  ±2 GiB reach of a call (the compiler aborts), from 31 on a single function \
                  does not, and from 32 on the alignment does not fit Cranelift's u32",
        },
    ],
)]);
