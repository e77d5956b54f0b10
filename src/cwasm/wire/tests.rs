//! The postcard crate decodes the metadata as the hand-written reader it
//! replaced did, names the field of every error, and allocates nothing
//! from an untrusted length.

use super::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::num::NonZeroU32;

/// The system allocator, recording the largest single request made on each
/// thread (this binary's only global allocator: the lib's unit tests).
struct Largest;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

// SAFETY: every call forwards to `System` with the caller's arguments,
// which upholds `GlobalAlloc`'s contract; noting a size allocates nothing.
unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: forwarded as received (see the impl).
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as received (see the impl).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: forwarded as received (see the impl).
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Largest = Largest;

/// The largest single allocation `f` made on this thread.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    let out = f();
    (out, LARGEST.with(Cell::get))
}

fn error_of<T: fmt::Debug>(result: Result<T>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn varints_follow_postcard() {
    let u64_of = |bytes: &[u8]| Fields::new(bytes).field::<u64>("x");
    let u32_of = |bytes: &[u8]| Fields::new(bytes).field::<u32>("x");
    assert_eq!(u64_of(&[0x7f]).unwrap(), 127);
    assert_eq!(u64_of(&[0x80, 0x01]).unwrap(), 128);
    assert_eq!(u32_of(&[0xff, 0xff, 0xff, 0xff, 0x0f]).unwrap(), u32::MAX);
    // Overflowing in the last byte, too long, or cut short.
    assert!(error_of(u32_of(&[0xff, 0xff, 0xff, 0xff, 0x10])).contains("overflows"));
    assert!(error_of(u64_of(&[0xff; 10])).contains("too long"));
    let mut max = [0xff; 10];
    max[9] = 1;
    assert_eq!(u64_of(&max).unwrap(), u64::MAX);
    max[9] = 2;
    assert!(u64_of(&max).is_err());
    assert!(error_of(u64_of(&[0x80])).contains("the section ends"));
}

#[test]
fn fields_are_read_in_order_and_errors_name_theirs() {
    // "ab", [("opt", Enum("x")), ("n", Num(7)), ("b", Bool(true))], Some(Null),
    // Inlining::No, Some(5), Default, 300.
    let bytes = [
        2, b'a', b'b', //
        3, 3, b'o', b'p', b't', 0, 1, b'x', 1, b'n', 1, 7, 1, b'b', 2, 1, //
        1, 1, //
        4, //
        1, 5, //
        1, //
        0xac, 0x02,
    ];
    let mut r = Fields::new(&bytes);
    assert_eq!(r.field::<&str>("target").unwrap(), "ab");
    assert_eq!(
        r.flags("flags").unwrap(),
        [
            ("opt".to_string(), FlagValue::Enum("x".into())),
            ("n".to_string(), FlagValue::Num(7)),
            ("b".to_string(), FlagValue::Bool(true)),
        ]
    );
    assert_eq!(
        r.collector("collector", true).unwrap(),
        Some(Collector::Null)
    );
    assert_eq!(r.inlining("inlining").unwrap(), Inlining::No);
    assert_eq!(
        r.field::<Option<NonZeroU32>>("zeal").unwrap(),
        NonZeroU32::new(5)
    );
    assert_eq!(r.operator_cost("cost", 3).unwrap(), OperatorCost::Default);
    assert_eq!(r.field::<u64>("features").unwrap(), 300);
    assert!(error_of(r.field::<bool>("after")).contains("at `after`: the section ends"));

    let bad = |bytes: &[u8], read: &dyn Fn(&mut Fields<'_>) -> Result<()>| {
        error_of(read(&mut Fields::new(bytes)))
    };
    let why = bad(&[2], &|r| {
        r.field::<bool>("tunables.consume_fuel").map(drop)
    });
    assert!(
        why.contains("malformed at `tunables.consume_fuel`: a bool is neither 0 nor 1"),
        "{why}"
    );
    let why = bad(&[5], &|r| r.inlining("tunables.inlining").map(drop));
    assert!(
        why.contains("`tunables.inlining`: not a valid `Inlining`"),
        "{why}"
    );
    let why = bad(&[1, 3], &|r| {
        r.collector("tunables.collector", true).map(drop)
    });
    assert!(why.contains("not a valid `Option<Collector>`"), "{why}");
    // 36 to 44 have no copying collector (variant 2) and record the
    // intra-module inlining mode in an enum of three.
    let why = bad(&[1, 2], &|r| {
        r.collector("tunables.collector", false).map(drop)
    });
    assert!(
        why.contains("not a valid `Option<CollectorDrcNull>`"),
        "{why}"
    );
    assert_eq!(
        Fields::new(&[1, 1]).collector("c", false).unwrap(),
        Some(Collector::Null)
    );
    assert_eq!(
        Fields::new(&[2]).intra_module_inlining("i").unwrap(),
        IntraModuleInlining::WhenUsingGc
    );
    let why = bad(&[3], &|r| {
        r.intra_module_inlining("tunables.inlining_intra_module")
            .map(drop)
    });
    assert!(why.contains("not a valid `IntraModuleInlining`"), "{why}");
    let why = bad(&[2], &|r| r.collector("tunables.collector", true).map(drop));
    assert!(why.contains("an Option tag is neither 0 nor 1"), "{why}");
    let why = bad(&[1, 0], &|r| {
        r.field::<Option<NonZeroU32>>("zeal").map(drop)
    });
    assert!(why.contains("not a valid `Option<NonZero"), "{why}");
    let why = bad(&[2, 0xff, 0xfe], &|r| r.field::<&str>("target").map(drop));
    assert!(why.contains("at `target`: a string is not UTF-8"), "{why}");
    let why = bad(&[2], &|r| r.operator_cost("cost", 3).map(drop));
    assert!(
        why.contains("at `cost`: not a valid `OperatorCost`"),
        "{why}"
    );
    let why = bad(&[0, 1, 2], &|r| r.operator_cost("cost", 3).map(drop));
    assert!(why.contains("at `cost`: the section ends"), "{why}");
    let mut r = Fields::new(&[0, 1, 2, 3, 9]);
    assert_eq!(
        r.operator_cost("cost", 4).unwrap(),
        OperatorCost::Table(vec![1, 2, 3, 9])
    );
}

/// A length prefix of 2^62 (or a count of 2^62 flags) in a few bytes fails
/// at once, without allocating for it (what is allocated is the error and
/// its backtrace).
#[test]
fn huge_lengths_fail_fast_without_allocating() {
    let huge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40];
    let mut input = huge.to_vec();
    input.extend_from_slice(&[1, b'a', 2, 1]); // one well-formed flag
    let started = std::time::Instant::now();
    let (result, largest) = largest_allocation(|| Fields::new(&input).flags("shared_flags"));
    let why = error_of(result);
    assert!(why.contains("at `shared_flags`: the section ends"), "{why}");
    assert!(
        largest < 16 * 1024,
        "{largest} bytes allocated for a 13-byte input"
    );
    let (result, largest) = largest_allocation(|| Fields::new(&input).field::<&str>("target"));
    assert!(error_of(result).contains("at `target`: the section ends"));
    assert!(
        largest < 16 * 1024,
        "{largest} bytes allocated for a 13-byte input"
    );
    // A count as large as the bytes left reserves at most in proportion.
    let mut input = vec![0u8; 2 + 1024];
    input[..2].copy_from_slice(&[0x80, 0x08]); // 1024 flags
    let (result, largest) = largest_allocation(|| Fields::new(&input).flags("isa_flags"));
    assert!(error_of(result).contains("the section ends"));
    assert!(largest <= 64 * 1024, "{largest} bytes for 1 KiB of input");
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn type_names_are_short() {
    assert_eq!(
        short_type_name::<Option<std::vec::Vec<WireInlining>>>(),
        "Option<Vec<Inlining>>"
    );
    assert_eq!(
        short_type_name::<Option<WireCollector>>(),
        "Option<Collector>"
    );
    assert_eq!(short_type_name::<(&str, u8)>(), "(&str, u8)");
}
