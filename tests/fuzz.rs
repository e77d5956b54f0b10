//! Fuzz-style robustness tests of every safe function that parses untrusted
//! bytes: `cwasm::inspect`, `cwasm::preflight`, `Module::new` (binary and
//! text), `Compiler::validate` and `Wat::to_wasm`.
//!
//! The inputs are deterministic: a seeded splitmix64 generator mutates real
//! inputs (a `.wasm` made from WAT, `.cwasm` files precompiled by the full
//! library, the WAT text itself) and makes random ones. Each case runs its
//! loop in a CHILD process (this test binary again, selected with
//! `WASMTIME_DYN_FUZZ_CHILD`), so a panic across the C boundary or an abort
//! inside libwasmtime fails the test instead of killing the test runner, and
//! a case that runs too long is killed and reported.
//!
//! `cwasm::inspect` and `cwasm::preflight` must also run in time linear in
//! the input size: they are measured at N and 16N bytes on inputs crafted to
//! expose per-section rescans, and once on a 4 MiB crafted ELF.
//!
//! `Wasmtime::open` reads a library file's headers before loading it:
//! [`elf_headers`] mutates the fields that size its tables, in a sparse
//! file as large as a claimed table can be.
//!
//! Stores run under random `Store::limiter` limits in [`limits`]: guest
//! growth, GC allocation and host references at the edge of each limit.
//! GC type constructors get random shapes around Wasmtime's limits in
//! [`gc_types`].

mod common;
#[path = "fuzz/elf_headers.rs"]
mod elf_headers;
#[path = "fuzz/gc_types.rs"]
mod gc_types;
#[path = "fuzz/limits.rs"]
mod limits;

use common::{engine_with, kind, Flavour};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wasmtime_dyn::{cwasm, Error, ErrorKind, Module};

/// The environment variable naming the case a child process runs.
const CHILD: &str = "WASMTIME_DYN_FUZZ_CHILD";

// ------------------------------------------------------------ child process

/// Runs `body` in a child process (this test binary, `--exact name`), waits
/// at most `timeout`, and fails if the child failed, aborted or was killed.
/// In the child itself (the environment variable names this case), runs
/// `body` directly.
fn in_child(name: &str, timeout: Duration, on_timeout: &str, body: impl FnOnce()) {
    if std::env::var_os(CHILD).is_some_and(|case| case == name) {
        body();
        return;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, name)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the child test process");
    let collect = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = collect(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = collect(Box::new(child.stderr.take().expect("piped stderr")));
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the child") {
            break Some(status);
        }
        if started.elapsed() > timeout {
            // The child is ours: killed by its own handle, not by name.
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().expect("stdout reader");
    let stderr = stderr.join().expect("stderr reader");
    println!("--- child `{name}` stdout ---\n{stdout}--- child `{name}` stderr ---\n{stderr}");
    println!("child `{name}` took {:.1?}", started.elapsed());
    match status {
        None => panic!("`{name}` was killed after {timeout:?}: {on_timeout}"),
        Some(status) => assert!(
            status.success(),
            "`{name}` failed in its child process ({status}): a panic or an abort in the \
             code under test; its output is above"
        ),
    }
}

// ------------------------------------------------------------ randomness

/// splitmix64: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    /// Random bytes, fewer than `bound` of them.
    fn some_bytes(&mut self, bound: usize) -> Vec<u8> {
        let len = self.below(bound);
        self.bytes(len)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const INTERESTING_BYTES: [u8; 8] = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff, 0x40];
const INTERESTING_WORDS: [u64; 10] = [
    0,
    1,
    0x7f,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x7fff_ffff_ffff_ffff,
    u64::MAX,
];

/// One to four random edits of `input`. Half of the positions fall in `hot`
/// (for example a `.cwasm`'s engine section) when it is given; `tokens` are
/// spliced in by one kind of edit.
fn mutate(rng: &mut Rng, input: &[u8], hot: Option<(usize, usize)>, tokens: &[&[u8]]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        let pos = |rng: &mut Rng, len: usize| match hot {
            Some((start, end)) if rng.below(2) == 0 && start < end && end <= len => {
                start + rng.below(end - start)
            }
            _ => rng.below(len.max(1)),
        };
        match rng.below(10) {
            // Flip a bit.
            0 if len > 0 => {
                let at = pos(rng, len);
                out[at] ^= 1 << rng.below(8);
            }
            // An interesting byte.
            1 if len > 0 => {
                let at = pos(rng, len);
                out[at] = *rng.pick(&INTERESTING_BYTES);
            }
            // An interesting 2-, 4- or 8-byte little-endian word.
            2 if len >= 8 => {
                let width = *rng.pick(&[2, 4, 8]);
                let at = pos(rng, len).min(len - width);
                let word = rng.pick(&INTERESTING_WORDS).to_le_bytes();
                out[at..at + width].copy_from_slice(&word[..width]);
            }
            // A maximal LEB128 (five bytes, the top bits set).
            3 if len >= 5 => {
                let at = pos(rng, len).min(len - 5);
                out[at..at + 5].copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
            }
            // Insert random bytes.
            4 => {
                let at = pos(rng, len + 1).min(len);
                let mut extra = rng.some_bytes(16);
                extra.push(rng.next() as u8);
                out.splice(at..at, extra);
            }
            // Delete a range.
            5 if len > 0 => {
                let at = pos(rng, len);
                let end = (at + 1 + rng.below(64)).min(len);
                out.drain(at..end);
            }
            // Duplicate a chunk somewhere else.
            6 if len > 0 => {
                let at = rng.below(len);
                let end = (at + 1 + rng.below(256)).min(len);
                let chunk = out[at..end].to_vec();
                let to = rng.below(len + 1);
                out.splice(to..to, chunk);
            }
            // Truncate.
            7 if len > 0 => out.truncate(rng.below(len)),
            // Splice in a token.
            8 if !tokens.is_empty() => {
                let at = pos(rng, len + 1).min(len);
                let token = rng.pick(tokens).to_vec();
                out.splice(at..at, token);
            }
            // Overwrite a range with random bytes.
            _ if len > 0 => {
                let at = pos(rng, len);
                let end = (at + 1 + rng.below(32)).min(len);
                let fill = rng.bytes(end - at);
                out[at..end].copy_from_slice(&fill);
            }
            _ => out.push(rng.next() as u8),
        }
    }
    out
}

// ------------------------------------------------------------ real inputs

/// A module touching most sections and instruction kinds.
const WAT: &str = r#"(module
  (type $binary (func (param i32 i32) (result i32)))
  (import "env" "host" (func $host (param i32) (result i32)))
  (import "env" "counter" (global $counter (mut i64)))
  (memory $mem 1 4)
  (table $tab 4 16 funcref)
  (global $g (mut i32) (i32.const 7))
  (global $pi f64 (f64.const 3.14159))
  (func $add (export "add") (type $binary)
    local.get 0 local.get 1 i32.add)
  (func $sum (export "sum") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $again
        local.get $n i32.eqz br_if $done
        local.get $acc local.get $n i32.add local.set $acc
        local.get $n i32.const 1 i32.sub local.set $n
        br $again))
    local.get $acc)
  (func $mem (export "mem") (param i32) (result i64)
    (drop (memory.grow (i32.const 1)))
    local.get 0 i64.load offset=8)
  (func $indirect (export "indirect") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 call_indirect (type $binary))
  (func $floats (export "floats") (param f32 f64) (result f64)
    local.get 0 f64.promote_f32 local.get 1 f64.mul global.get $pi f64.add)
  (func $switch (export "switch") (param i32) (result i32)
    (block (block (block local.get 0 br_table 0 1 2) i32.const 10 return)
      i32.const 20 return)
    local.get 0 call $host)
  (func $vec (export "vec") (param i32) (result i32)
    local.get 0 i32x4.splat local.get 0 i32x4.splat i32x4.add i32x4.extract_lane 2)
  (func $globals (export "globals") (result i64)
    global.get $g i64.extend_i32_s global.get $counter i64.add)
  (elem (table $tab) (i32.const 0) func $add $add)
  (data (i32.const 16) "hello, world\00\01\02")
  (export "memory" (memory $mem))
  (export "table" (table $tab))
  (export "g" (global $g)))"#;

/// Text fragments the text mutations splice in.
const WAT_TOKENS: [&[u8]; 16] = [
    b"(",
    b")",
    b"(func",
    b"(param i32)",
    b"(result v128)",
    b"i32.const 0xffffffff",
    b"i64.const -9223372036854775808",
    b"(memory i64 1)",
    b"(table i64 0 funcref)",
    b"\"\\ff\\00\"",
    b";; comment\n",
    b"(;",
    b"$x",
    b"unreachable",
    b"(ref null func)",
    b"\xff\xfe",
];

/// Numbers and instruction names the text mutations swap in.
const WAT_NUMBERS: [&str; 10] = [
    "0",
    "-1",
    "65536",
    "4294967295",
    "0x7fffffff",
    "18446744073709551615",
    "-0x8000000000000000",
    "nan:0x1",
    "inf",
    "1e400",
];
const WAT_WORDS: [&str; 10] = [
    "i32.add",
    "i64.div_s",
    "f32.sqrt",
    "drop",
    "select",
    "memory.size",
    "table.grow",
    "ref.null",
    "return",
    "nop",
];

/// A text-aware edit of WAT: a number or a word (a run of letters, digits,
/// `.` and `_`) replaced by another, or a generic [`mutate`].
fn mutate_text(rng: &mut Rng, text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    for _ in 0..1 + rng.below(3) {
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'_';
        if out.is_empty() || rng.below(4) == 0 {
            out = mutate(rng, &out, None, &WAT_TOKENS);
            continue;
        }
        let at = rng.below(out.len());
        if !word(out[at]) {
            continue;
        }
        let start = (0..at)
            .rev()
            .take_while(|&i| word(out[i]))
            .last()
            .unwrap_or(at);
        let end = (at..out.len())
            .find(|&i| !word(out[i]))
            .unwrap_or(out.len());
        let replacement = if out[start].is_ascii_digit() {
            *rng.pick(&WAT_NUMBERS)
        } else {
            *rng.pick(&WAT_WORDS)
        };
        out.splice(start..end, replacement.bytes());
    }
    out
}

/// Binary fragments the `.wasm` mutations splice in.
const WASM_TOKENS: [&[u8]; 8] = [
    b"\0asm\x01\0\0\0",
    &[0xff, 0xff, 0xff, 0xff, 0x0f],
    &[0x80, 0x80, 0x80, 0x80, 0x00],
    &[0x00],
    &[0x0b],
    &[0x04, 0x01, 0x70, 0x05, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10],
    &[0xfd, 0x0f],
    &[0x60, 0x00, 0x00],
];

struct Inputs {
    wasm: Vec<u8>,
    /// Precompiled by the full library with its default settings.
    cwasm_full: Vec<u8>,
    /// Precompiled by the full library for the minimal one.
    cwasm_min: Vec<u8>,
}

fn inputs() -> Inputs {
    let full = engine_with(Flavour::Full, |_| {});
    let wasm = full.wat().expect("full has WAT").to_wasm(WAT).expect("WAT");
    let compiler = full.compiler().expect("full has a compiler");
    let cwasm_full = compiler.precompile(&wasm).expect("precompiling");
    let min = Flavour::Min.load();
    let cwasm_min = wasmtime_dyn::precompile_for(Flavour::Full.load(), min.capabilities(), WAT)
        .expect("precompiling for min");
    Inputs {
        wasm,
        cwasm_full,
        cwasm_min,
    }
}

/// The byte range of a `.cwasm`'s engine section and of its section header
/// table, found with `object` (not with the code under test).
fn hot_ranges(cwasm: &[u8]) -> [(usize, usize); 2] {
    use object::{Object, ObjectSection};
    let file = object::File::parse(cwasm).expect("a real .cwasm parses");
    let section = file
        .section_by_name(cwasm::ENGINE_SECTION)
        .expect("a real .cwasm has an engine section");
    let (start, size) = section.file_range().expect("the section is in the file");
    let shoff = u64::from_le_bytes(cwasm[40..48].try_into().unwrap()) as usize;
    [
        (start as usize, (start + size) as usize),
        (shoff, cwasm.len()),
    ]
}

/// A crafted ELF of `total` bytes (at least 192): the section header table
/// fills the first half and the section name string table the second.
/// Extended numbering: `e_shnum` is 0 and section 0's `sh_size` holds the
/// count, `e_shstrndx` is `SHN_XINDEX` and section 0's `sh_link` names the
/// string table. Every section names string offset 0, and the string table
/// has no NUL byte at all (`nul_at_end = false`) or only its last byte
/// (`true`): an implementation that rescans the string table for each
/// section does `sections × table size` work. With `distinct_names`, section
/// `i` names offset `i` instead of 0, so that remembering the last name looked
/// up is not enough.
fn crafted_elf(total: usize, nul_at_end: bool, distinct_names: bool) -> Vec<u8> {
    assert!(total >= 192);
    let count = (total - 64) / 2 / 64;
    let str_off = 64 + count * 64;
    let str_len = total - str_off;
    let mut b = vec![b'A'; total];
    b[..str_off].fill(0);
    let put =
        |b: &mut Vec<u8>, at: usize, bytes: &[u8]| b[at..at + bytes.len()].copy_from_slice(bytes);
    put(&mut b, 0, b"\x7fELF\x02\x01\x01");
    b[7] = cwasm::ELFOSABI_WASMTIME;
    put(&mut b, 16, &3u16.to_le_bytes()); // e_type: ET_DYN
    put(&mut b, 18, &62u16.to_le_bytes()); // e_machine: x86-64
    put(&mut b, 20, &1u32.to_le_bytes()); // e_version
    put(&mut b, 40, &64u64.to_le_bytes()); // e_shoff
    put(&mut b, 48, &cwasm::EF_WASMTIME_MODULE.to_le_bytes()); // e_flags
    put(&mut b, 52, &64u16.to_le_bytes()); // e_ehsize
    put(&mut b, 58, &64u16.to_le_bytes()); // e_shentsize
    put(&mut b, 60, &0u16.to_le_bytes()); // e_shnum: extended numbering
    put(&mut b, 62, &0xffffu16.to_le_bytes()); // e_shstrndx: SHN_XINDEX
    let header = |index: usize| 64 + index * 64;
    // Section 0: the real count and the string table's index.
    put(&mut b, header(0) + 32, &(count as u64).to_le_bytes());
    put(&mut b, header(0) + 40, &((count - 1) as u32).to_le_bytes());
    for index in 1..count {
        let h = header(index);
        let last = index == count - 1;
        // sh_name 0 (or `index`); PROGBITS, or STRTAB for the last one.
        if distinct_names {
            put(&mut b, h, &(index as u32).to_le_bytes());
        }
        put(
            &mut b,
            h + 4,
            &(if last { 3u32 } else { 1u32 }).to_le_bytes(),
        );
        put(&mut b, h + 24, &(str_off as u64).to_le_bytes());
        let size = if last { str_len as u64 } else { 0 };
        put(&mut b, h + 32, &size.to_le_bytes());
    }
    if nul_at_end {
        b[total - 1] = 0;
    }
    b
}

/// The fewest nanoseconds per input byte `f` takes, over five rounds of at
/// least 20 ms each.
fn nanos_per_byte(input: &[u8], mut f: impl FnMut(&[u8])) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let started = Instant::now();
        let mut runs = 0u32;
        while runs == 0 || started.elapsed() < Duration::from_millis(20) {
            f(input);
            runs += 1;
        }
        let nanos = started.elapsed().as_nanos() as f64 / f64::from(runs);
        best = best.min(nanos / input.len() as f64);
    }
    best
}

/// Linear time: the time per byte at 16N is at most 4 times that at N. A
/// linear parser stays near 1 (cache effects aside); one that rescans per
/// section grows 16-fold.
const SIZE_FACTOR: usize = 16;
const MAX_PER_BYTE_GROWTH: f64 = 4.0;

fn assert_linear(what: &str, small: &[u8], large: &[u8], mut f: impl FnMut(&[u8])) {
    let a = nanos_per_byte(small, &mut f);
    let b = nanos_per_byte(large, &mut f);
    let growth = b / a;
    println!(
        "{what}: {a:.3} ns/byte at {} bytes, {b:.3} ns/byte at {} bytes: x{growth:.2}",
        small.len(),
        large.len()
    );
    assert!(
        growth <= MAX_PER_BYTE_GROWTH,
        "{what} is not linear: the time per byte grew x{growth:.1} from {} to {} bytes \
         (allowed x{MAX_PER_BYTE_GROWTH}); a quadratic rescan (of the section name table \
         per section?)",
        small.len(),
        large.len()
    );
}

/// The errors a parser of untrusted `.cwasm` bytes may return.
fn expected_cwasm_error(result: &Result<cwasm::CwasmInfo, Error>) {
    if let Err(err) = result {
        match kind(err) {
            Some(
                ErrorKind::Invalid(_)
                | ErrorKind::IncompatibleArtifact(_)
                | ErrorKind::UnknownArtifactLayout { .. },
            ) => {}
            _ => panic!("unexpected error kind from a .cwasm parser: {err:?}"),
        }
    }
}

// ------------------------------------------------------------ cwasm

/// The version string the round's full library writes into its artifacts
/// (its full version on 36 and 37, its major alone from 38 on), read from
/// one it makes.
fn own_version() -> String {
    let engine = engine_with(Flavour::Full, |_| {});
    let bytes = engine
        .compiler()
        .expect("full has a compiler")
        .precompile(b"\0asm\x01\0\0\0")
        .expect("precompiling");
    let version = section_version(&bytes).expect("a real .cwasm has a version");
    let lib = Flavour::Full.load().version();
    assert!(
        version == lib.major().to_string() || version == lib.to_string(),
        "{version} names the library {lib} as Wasmtime does"
    );
    version
}

/// The version string the artifacts of `lib`, a library of the round's
/// major, carry, given `full_own`, what the full library's carry: the
/// major alone for both, or each library's full version.
fn library_artifact_version(lib: &wasmtime_dyn::Wasmtime, full_own: &str) -> String {
    let major = lib.version().major().to_string();
    if full_own == major {
        major
    } else {
        lib.version().to_string()
    }
}

/// Whether `version` names the round's major as its artifacts do (`own`
/// is the full library's): the major alone, or where the artifacts carry
/// the full version, `major.minor.patch` of any patch.
fn names_the_rounds_major(version: &str, own: &str) -> bool {
    let major = common::expected_major().to_string();
    if own == major {
        return version == major;
    }
    let number = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() == 3 && parts[0] == major && number(parts[1]) && number(parts[2])
}

/// The version string in a `.cwasm`'s engine section (a format byte, a
/// length byte, the text), read with `object`, not with the code under
/// test; `None` when `object` cannot find it.
fn section_version(cwasm: &[u8]) -> Option<String> {
    use object::{Object, ObjectSection};
    let file = object::File::parse(cwasm).ok()?;
    let data = file.section_by_name(cwasm::ENGINE_SECTION)?.data().ok()?;
    let len = usize::from(*data.get(1)?);
    let text = data.get(2..2 + len)?;
    String::from_utf8(text.to_vec()).ok()
}

/// `inspect` on mutated real `.cwasm` files, mutated crafted ELFs and random
/// bytes: no panic, only `Invalid`/`IncompatibleArtifact` errors, and an
/// accepted artifact always names the round's major as Wasmtime writes it
/// (`48`; `36.0.0` or another patch of 36, whose artifacts carry the full
/// version).
#[test]
fn fuzz_cwasm_inspect() {
    in_child(
        "fuzz_cwasm_inspect",
        Duration::from_secs(60),
        "cwasm::inspect took too long on small inputs",
        || {
            let inputs = inputs();
            let mut rng = Rng(0x1517_c3a5_0001);
            let real = [&inputs.cwasm_full, &inputs.cwasm_min];
            let own = own_version();
            for cwasm in real {
                let info = cwasm::inspect(cwasm).expect("a real .cwasm inspects");
                assert_eq!(info.version, own);
            }
            let crafted = crafted_elf(4096, true, false);
            let (mut tried, mut accepted) = ([0usize; 3], 0usize);
            for i in 0..100_000 {
                let input = match i % 4 {
                    0 | 1 => {
                        let cwasm = real[i % 2];
                        let hot = *rng.pick(&hot_ranges(cwasm));
                        tried[0] += 1;
                        mutate(&mut rng, cwasm, Some(hot), &[b"\0", b".wasmtime.engine\0"])
                    }
                    2 => {
                        tried[1] += 1;
                        mutate(&mut rng, &crafted, Some((0, 256)), &[])
                    }
                    _ => {
                        tried[2] += 1;
                        let mut bytes = rng.some_bytes(512);
                        if rng.below(2) == 0 && bytes.len() >= 64 {
                            bytes[..8].copy_from_slice(b"\x7fELF\x02\x01\x01\xc8");
                        }
                        bytes
                    }
                };
                let result = cwasm::inspect(&input);
                expected_cwasm_error(&result);
                if let Ok(info) = &result {
                    accepted += 1;
                    assert!(
                        names_the_rounds_major(&info.version, &own),
                        "an accepted artifact is of the round's Wasmtime: {:?}",
                        info.version
                    );
                }
            }
            println!(
                "cwasm::inspect: {} inputs ({} mutated real .cwasm, {} mutated crafted ELF, \
                 {} random), {accepted} accepted",
                tried.iter().sum::<usize>(),
                tried[0],
                tried[1],
                tried[2]
            );
        },
    );
}

/// `preflight` on the full and the minimal engine agrees with `inspect` on
/// mutated real `.cwasm` files: the same error when `inspect` refuses, and
/// when it accepts, either acceptance with the same information or a list of
/// incompatibilities.
#[test]
fn fuzz_cwasm_preflight() {
    in_child(
        "fuzz_cwasm_preflight",
        Duration::from_secs(60),
        "cwasm::preflight took too long on small inputs",
        || {
            let inputs = inputs();
            let engines = [
                ("full", engine_with(Flavour::Full, |_| {})),
                ("min", engine_with(Flavour::Min, |_| {})),
            ];
            // The unmutated artifacts fit the engines they were made for.
            cwasm::preflight(&engines[0].1, &inputs.cwasm_full).expect("full fits full");
            cwasm::preflight(&engines[1].1, &inputs.cwasm_min).expect("min's fits min");
            let mut rng = Rng(0x1517_c3a5_0002);
            let real = [&inputs.cwasm_full, &inputs.cwasm_min];
            let mut counts = [(0usize, 0usize, 0usize); 2];
            // What each engine's own artifacts carry.
            let full_own = own_version();
            let owns = [
                full_own.clone(),
                library_artifact_version(Flavour::Min.load(), &full_own),
            ];
            let mut other_version = 0usize;
            for i in 0..30_000 {
                let cwasm = real[i % 2];
                let hot = *rng.pick(&hot_ranges(cwasm));
                let input = mutate(&mut rng, cwasm, Some(hot), &[]);
                let inspected = cwasm::inspect(&input);
                for (e, (_, engine)) in engines.iter().enumerate() {
                    let result = cwasm::preflight(engine, &input);
                    expected_cwasm_error(&result);
                    counts[e].0 += 1;
                    match (&inspected, &result) {
                        // An artifact of a layout inspect cannot decode:
                        // preflight may first see it is of another version.
                        (Err(a), Err(_))
                            if matches!(kind(a), Some(ErrorKind::UnknownArtifactLayout { .. })) => {
                        }
                        (Err(a), Err(b)) if a.to_string() == b.to_string() => {}
                        // An artifact of another version than the engine's:
                        // preflight, as Wasmtime, says so before reading the
                        // metadata that inspect refused.
                        (Err(_), Err(b)) if refused_as_another_version(b, &input, &owns[e]) => {
                            other_version += 1;
                        }
                        (Ok(a), Ok(b)) => {
                            counts[e].1 += 1;
                            assert_eq!(format!("{a:?}"), format!("{b:?}"));
                        }
                        (Ok(_), Err(b))
                            if matches!(kind(b), Some(ErrorKind::IncompatibleArtifact(_))) =>
                        {
                            counts[e].2 += 1;
                            let Some(ErrorKind::IncompatibleArtifact(why)) = kind(b) else {
                                unreachable!()
                            };
                            assert!(!why.is_empty());
                        }
                        (a, b) => panic!("inspect gave {a:?} but preflight {b:?}"),
                    }
                }
            }
            for ((name, _), (tried, fits, incompatible)) in engines.iter().zip(counts) {
                println!(
                    "cwasm::preflight ({name} engine): {tried} inputs, {fits} fit, \
                     {incompatible} incompatible, {} refused as invalid",
                    tried - fits - incompatible
                );
            }
            println!(
                "{other_version} refused as of another version where inspect found the \
                 metadata malformed"
            );
        },
    );
}

/// Whether preflight's `err` is the refusal of `input` as the artifact of
/// another Wasmtime version than `own`, naming the version the engine
/// section holds (read with `object`), as Wasmtime checks the version
/// before it decodes the metadata.
fn refused_as_another_version(err: &Error, input: &[u8], own: &str) -> bool {
    let Some(ErrorKind::IncompatibleArtifact(why)) = kind(err) else {
        return false;
    };
    let Some(version) = section_version(input) else {
        return false;
    };
    version != own
        && why.contains(&format!(
            "'{version}': made by Wasmtime {version}, this engine is Wasmtime {own}: "
        ))
}

/// Time per byte of `inspect` and `preflight` does not grow with the size
/// on crafted ELFs (many sections naming one long or unterminated string)
/// and on a real `.cwasm` with trailing bytes.
#[test]
fn cwasm_parsers_are_linear() {
    in_child(
        "cwasm_parsers_are_linear",
        Duration::from_secs(40),
        "cwasm::inspect/preflight are quadratic: a 256 KiB crafted ELF did not finish \
         in time (the section name table is rescanned for every section)",
        || {
            let inputs = inputs();
            let engine = engine_with(Flavour::Full, |_| {});
            let small = 16 * 1024;
            let large = small * SIZE_FACTOR;
            for (nul_at_end, distinct) in [(true, false), (true, true), (false, false)] {
                let (a, b) = (
                    crafted_elf(small, nul_at_end, distinct),
                    crafted_elf(large, nul_at_end, distinct),
                );
                // Both crafted files are refused (no engine section), not
                // accepted: the work measured is the work of refusing them.
                let inspected = cwasm::inspect(&a);
                assert!(
                    matches!(
                        inspected.as_ref().err().and_then(kind),
                        Some(ErrorKind::Invalid(_))
                    ),
                    "{inspected:?}"
                );
                assert_linear(
                    &format!("inspect, crafted ELF (NUL at end: {nul_at_end}, distinct names: {distinct})"),
                    &a,
                    &b,
                    |x| drop(cwasm::inspect(x)),
                );
                assert_linear(
                    &format!("preflight, crafted ELF (NUL at end: {nul_at_end}, distinct names: {distinct})"),
                    &a,
                    &b,
                    |x| drop(cwasm::preflight(&engine, x)),
                );
            }
            let padded = |len: usize| {
                let mut bytes = inputs.cwasm_full.clone();
                bytes.resize(len.max(bytes.len()), 0xa5);
                bytes
            };
            let (a, b) = (
                padded(inputs.cwasm_full.len() * 2),
                padded(inputs.cwasm_full.len() * 2 * SIZE_FACTOR),
            );
            assert!(cwasm::inspect(&b).is_ok(), "trailing bytes do not matter");
            assert_linear("inspect, padded real .cwasm", &a, &b, |x| {
                drop(cwasm::inspect(x))
            });
            assert_linear("preflight, padded real .cwasm", &a, &b, |x| {
                drop(cwasm::preflight(&engine, x))
            });
        },
    );
}

/// The 4 MiB crafted ELF: 32 767 sections naming offset 0 of a 2 MiB string
/// table, with extended numbering. A linear parser refuses it in
/// milliseconds; one that rescans the table per section needs minutes.
#[test]
fn cwasm_crafted_4mib_elf_is_refused_quickly() {
    in_child(
        "cwasm_crafted_4mib_elf_is_refused_quickly",
        Duration::from_secs(15),
        "cwasm::inspect did not refuse the 4 MiB crafted ELF within 15 s: it is quadratic \
         (the section name table is rescanned for every one of the 32 767 sections)",
        || {
            let engine = engine_with(Flavour::Full, |_| {});
            for nul_at_end in [false, true] {
                let elf = crafted_elf(4 << 20, nul_at_end, false);
                let started = Instant::now();
                let result = cwasm::inspect(&elf);
                println!(
                    "inspect, 4 MiB crafted ELF (NUL at end: {nul_at_end}): {:.1?}: {result:?}",
                    started.elapsed()
                );
                assert!(
                    matches!(
                        result.as_ref().err().and_then(kind),
                        Some(ErrorKind::Invalid(_))
                    ),
                    "{result:?}"
                );
                let started = Instant::now();
                let result = cwasm::preflight(&engine, &elf);
                println!(
                    "preflight, 4 MiB crafted ELF (NUL at end: {nul_at_end}): {:.1?}",
                    started.elapsed()
                );
                assert!(
                    matches!(
                        result.as_ref().err().and_then(kind),
                        Some(ErrorKind::Invalid(_))
                    ),
                    "{result:?}"
                );
            }
        },
    );
}

// ------------------------------------------------------------ modules

/// What compiling untrusted bytes may end in: a module, or Wasmtime's error.
fn check_compiled(what: &str, result: Result<Module, Error>) -> Option<Module> {
    match result {
        Ok(module) => Some(module),
        Err(err) if matches!(kind(&err), Some(ErrorKind::Wasmtime { .. })) => None,
        Err(other) => panic!("{what}: unexpected error kind {other:?}"),
    }
}

/// Whether `err` is the library's refusal of the tags that `wasm` imports
/// or exports as too new for the round's major (before 44 the C API aborts
/// the process describing a tag's extern type); asserts that `wasm` really
/// declares such an import or export.
fn refused_tags_as_too_new(err: &Error, wasm: &[u8]) -> bool {
    let refused = common::too_old_why(err).is_some()
        && err
            .to_string()
            .contains("modules importing or exporting tags");
    if refused {
        assert!(
            tag_externs(wasm),
            "tags refused in a module with no tag import or export: {err}"
        );
    }
    refused
}

/// Whether the module `wasm` imports or exports a tag, read with
/// `wasmparser` (not with the code under test) from its import and export
/// sections.
fn tag_externs(wasm: &[u8]) -> bool {
    use wasmparser::{ExternalKind, Payload, TypeRef};
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(Payload::ImportSection(reader)) => {
                for import in reader.into_imports() {
                    match import {
                        Ok(import) if matches!(import.ty, TypeRef::Tag(_)) => return true,
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
            }
            Ok(Payload::ExportSection(reader)) => {
                for export in reader {
                    match export {
                        Ok(export) if export.kind == ExternalKind::Tag => return true,
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
            }
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

/// A compiled module's imports and exports read back without trouble.
fn read_types(module: &Module) {
    match module.try_imports() {
        Ok(_) => {}
        Err(err) if matches!(kind(&err), Some(ErrorKind::Invalid(_))) => {}
        Err(other) => panic!("imports: {other:?}"),
    }
    match module.try_exports() {
        Ok(_) => {}
        Err(err) if matches!(kind(&err), Some(ErrorKind::Invalid(_))) => {}
        Err(other) => panic!("exports: {other:?}"),
    }
}

fn fuzz_binary(flavour: Flavour, seed: u64, iterations: usize) {
    let wasm = inputs().wasm;
    let engine = engine_with(flavour, |_| {});
    let compiler = engine.compiler().expect("a library with a compiler");
    check_compiled("the real module", Module::new(&engine, &wasm)).expect("the real module");
    let mut rng = Rng(seed);
    let (mut compiled, mut valid) = (0usize, 0usize);
    // Refusals of tag imports and exports by a library too old for them:
    // by `validate` once Wasmtime validated the module, by `Module::new`.
    let (mut tags_refused_valid, mut tags_refused_before_compiling) = (0usize, 0usize);
    for i in 0..iterations {
        let input = if i % 8 == 7 {
            // A header, then random sections.
            let mut bytes = b"\0asm\x01\0\0\0".to_vec();
            bytes.extend(rng.some_bytes(64));
            bytes
        } else {
            let mut bytes = mutate(&mut rng, &wasm, None, &WASM_TOKENS);
            // Keep most inputs on the binary path.
            if i % 8 != 6 && bytes.len() >= 4 {
                bytes[..4].copy_from_slice(b"\0asm");
            }
            bytes
        };
        let validated = compiler.validate(&input);
        match &validated {
            Ok(()) => valid += 1,
            Err(err) if matches!(kind(err), Some(ErrorKind::Wasmtime { .. })) => {}
            Err(err) if refused_tags_as_too_new(err, &input) => tags_refused_valid += 1,
            Err(other) => panic!("validate: unexpected error kind {other:?}"),
        }
        let result = Module::new(&engine, &input);
        let tags_refused = result
            .as_ref()
            .err()
            .is_some_and(|err| refused_tags_as_too_new(err, &input));
        let module = if tags_refused {
            tags_refused_before_compiling += 1;
            None
        } else {
            check_compiled("Module::new (binary)", result)
        };
        if let Some(module) = module {
            compiled += 1;
            assert!(
                validated.is_ok(),
                "a module that compiles also validates: {validated:?}"
            );
            read_types(&module);
        }
    }
    println!(
        "{flavour:?}: Module::new (binary) and Compiler::validate: {iterations} inputs each, \
         {valid} valid, {compiled} compiled; refused as importing or exporting tags, which \
         the library is too old for: {tags_refused_valid} by validate, \
         {tags_refused_before_compiling} by Module::new"
    );
}

/// `Module::new` and `Compiler::validate` on mutated `.wasm` on the full
/// library; the imports and exports of what compiles are read back.
#[test]
fn fuzz_module_binary_full() {
    in_child(
        "fuzz_module_binary_full",
        Duration::from_secs(60),
        "compiling small mutated modules took too long",
        || fuzz_binary(Flavour::Full, 0x1517_c3a5_0003, 20_000),
    );
}

/// The same on the compiler-only library (no GC, no WASI: another set of
/// compiled-in features).
#[test]
fn fuzz_module_binary_compiler_only() {
    in_child(
        "fuzz_module_binary_compiler_only",
        Duration::from_secs(60),
        "compiling small mutated modules took too long",
        || fuzz_binary(Flavour::CompilerOnly, 0x1517_c3a5_0004, 10_000),
    );
}

/// `Module::new` with text and `Wat::to_wasm` on mutated WAT and token soup:
/// what translates compiles or fails with Wasmtime's error, and
/// `Module::new` agrees with translating then compiling.
#[test]
fn fuzz_module_text() {
    in_child(
        "fuzz_module_text",
        Duration::from_secs(60),
        "translating small mutated WAT took too long",
        || {
            let engine = engine_with(Flavour::Full, |_| {});
            let wat = engine.wat().expect("full has WAT");
            let mut rng = Rng(0x1517_c3a5_0005);
            let (mut translated, mut compiled) = (0usize, 0usize);
            let iterations = 10_000;
            for i in 0..iterations {
                let input = if i % 5 == 4 {
                    let mut soup = b"(module ".to_vec();
                    for _ in 0..rng.below(24) {
                        let token = *rng.pick(&WAT_TOKENS);
                        soup.extend_from_slice(token);
                        soup.push(b' ');
                    }
                    soup
                } else {
                    mutate_text(&mut rng, WAT.as_bytes())
                };
                if input.starts_with(b"\0asm") {
                    continue;
                }
                let binary = match wat.to_wasm(&input) {
                    Ok(binary) => {
                        translated += 1;
                        Some(binary)
                    }
                    Err(err) if matches!(kind(&err), Some(ErrorKind::Wasmtime { .. })) => None,
                    Err(other) => panic!("to_wasm: unexpected error kind {other:?}"),
                };
                let module = check_compiled("Module::new (text)", Module::new(&engine, &input));
                if let Some(module) = &module {
                    compiled += 1;
                    read_types(module);
                }
                if binary.is_none() {
                    assert!(module.is_none(), "text that does not translate compiled");
                }
            }
            println!(
                "Module::new (text) and Wat::to_wasm: {iterations} inputs each, \
                 {translated} translated, {compiled} compiled"
            );
        },
    );
}

/// Random bytes given to every parser at once, including text that is not
/// UTF-8 and binaries that are only a header.
#[test]
fn fuzz_random_bytes_everywhere() {
    in_child(
        "fuzz_random_bytes_everywhere",
        Duration::from_secs(60),
        "parsing small random inputs took too long",
        || {
            let full = engine_with(Flavour::Full, |_| {});
            let min = engine_with(Flavour::Min, |_| {});
            let mut rng = Rng(0x1517_c3a5_0006);
            let iterations = 30_000;
            for i in 0..iterations {
                let mut input = rng.some_bytes(256);
                match i % 4 {
                    0 if input.len() >= 8 => input[..8].copy_from_slice(b"\0asm\x01\0\0\0"),
                    1 if input.len() >= 8 => input[..8].copy_from_slice(b"\x7fELF\x02\x01\x01\xc8"),
                    2 => input.iter_mut().for_each(|b| *b = b' ' + (*b % 95)),
                    _ => {}
                }
                expected_cwasm_error(&cwasm::inspect(&input));
                expected_cwasm_error(&cwasm::preflight(&full, &input));
                expected_cwasm_error(&cwasm::preflight(&min, &input));
                check_compiled("Module::new", Module::new(&full, &input));
                let result = Module::new(&min, &input);
                assert!(
                    matches!(
                        result.as_ref().err().and_then(kind),
                        Some(ErrorKind::Unsupported(_))
                    ),
                    "the minimal library has no compiler: {result:?}"
                );
            }
            println!(
                "random bytes: {iterations} inputs each to inspect, preflight (full, min), \
                 Module::new (full, min)"
            );
        },
    );
}

/// Fixed edge cases of untrusted modules the mutations rarely reach: their
/// imports and exports must read back (or be refused with an error) on the
/// full and the compiler-only library. Table64 limits above `u32::MAX` would
/// reach the `u32::try_from(..).unwrap()` of `wasm_tabletype_limits`.
#[test]
fn edge_modules_read_back() {
    in_child(
        "edge_modules_read_back",
        Duration::from_secs(60),
        "reading back edge-case modules took too long",
        || {
            let cases = [
                // Table64 limits at and above u32::MAX, which
                // `wasm_tabletype_limits` aborts on (issue 10, finding 5).
                r#"(module (table (export "t") i64 0xffffffff funcref))"#,
                r#"(module (table (export "t") i64 0x100000001 funcref))"#,
                r#"(module (table (export "t") i64 0 0xffffffffffffffff funcref))"#,
                r#"(module (import "a" "t" (table i64 0x100000001 funcref)))"#,
                r#"(module (table (export "t") 0 0xffffffff funcref))"#,
                r#"(module (memory (export "m") i64 0x10000 0x1000000000000))"#,
                r#"(module (import "a" "m" (memory i64 0x1000000000000)))"#,
                r#"(module (global (export "g") (mut anyref) (ref.null any)))"#,
                r#"(module (type $f (func)) (table (export "t") 1 (ref null $f)))"#,
                r#"(module (table (export "t") 0 funcref) (global (export "g") funcref (ref.null func)))"#,
                r#"(module (func (export "v") (param v128) (result v128) local.get 0))"#,
            ];
            for flavour in [Flavour::Full, Flavour::CompilerOnly] {
                let engine = engine_with(flavour, |_| {});
                for wat in cases {
                    println!("{flavour:?}: {wat}");
                    match Module::new(&engine, wat) {
                        Ok(module) => {
                            let imports = module.try_imports().map(Vec::from_iter);
                            let exports = module.try_exports().map(Vec::from_iter);
                            println!("  imports {imports:?}\n  exports {exports:?}");
                            for result in [imports.map(|_| ()), exports.map(|_| ())] {
                                match result {
                                    Ok(()) => {}
                                    Err(err)
                                        if matches!(kind(&err), Some(ErrorKind::Invalid(_))) => {}
                                    Err(other) => panic!("{wat}: {other:?}"),
                                }
                            }
                        }
                        Err(err) => match kind(&err) {
                            Some(ErrorKind::Wasmtime { message }) => {
                                println!("  refused: {message}")
                            }
                            _ => panic!("{wat}: unexpected error kind {err:?}"),
                        },
                    }
                }
            }
        },
    );
}
