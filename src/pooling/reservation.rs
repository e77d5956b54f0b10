//! The address space a pooling engine reserves when it is created, and
//! the check that the process can map it.
//!
//! Wasmtime maps every pool in `PoolingInstanceAllocator::new`, inside
//! `wasm_engine_new_with_config`, and the C API unwraps the result: a
//! pool the process cannot map (an address-space limit, or the room that
//! earlier pooling engines took: a default pool reserves about 4 TiB, so
//! the 32nd in one x86-64 process finds no room left) aborts the process.
//! [`Reservation::of`] computes the mappings as Wasmtime does (the
//! numbers are in [`versions::pooling`](crate::versions::pooling)), and
//! [`Reservation::check`] refuses, before the call, a reservation the
//! process cannot satisfy: more than `RLIMIT_AS` leaves, more than the
//! user address space leaves, or mappings that do not fit now (tried
//! with `mmap` and released at once). Pooling engines are created one at
//! a time so that two of them do not both pass the probe; what another
//! thread maps between the probe and Wasmtime's own mapping cannot be
//! seen.

use crate::config::{config_error, Settings};
use crate::cwasm::lexicon;
use crate::error::Result;
use crate::loader::Wasmtime;
use crate::versions::{self, pooling::POOL_DEFAULTS};
use std::sync::{Mutex, MutexGuard};

use super::PoolingConfig;

/// The mappings Wasmtime makes for a pooling engine, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reservation {
    /// Memory slots (one `PROT_NONE` mapping).
    pub memories: u64,
    /// How many memory slots, and the bytes of each.
    pub memory_slots: u64,
    pub memory_slot_bytes: u64,
    /// Table slots (one read-write mapping).
    pub tables: u64,
    /// Async stacks (one read-write mapping; none without `async`).
    pub stacks: u64,
    /// Wasmtime's heap allocations for the slots (an upper bound).
    pub bookkeeping: u64,
}

/// The host's page size, to which Wasmtime rounds every slot.
fn host_page() -> u64 {
    #[cfg(unix)]
    {
        // SAFETY: `sysconf` reads a constant of the system.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if let Ok(page) = u64::try_from(page) {
            if page.is_power_of_two() {
                return page;
            }
        }
    }
    4096
}

/// `bytes` rounded up to `page`, or `None` past `u64` (Wasmtime's
/// `HostAlignedByteCount::new_rounded_up` fails there).
fn round_up(bytes: u64, page: u64) -> Option<u64> {
    bytes.checked_next_multiple_of(page)
}

/// Refuses a pool whose sizes Wasmtime cannot compute, naming what to
/// lower.
fn too_large(what: &str, lower: &str) -> crate::error::Error {
    config_error(format!(
        "the pool's {what} is too large to compute in this process's address space (Wasmtime \
         would abort the process creating the engine): lower {lower}"
    ))
}

impl Reservation {
    /// What creating a pooling engine with `s` and `pool` maps, as
    /// Wasmtime's `MemoryPool::new`, `TablePool::new` and `StackPool::new`
    /// compute it; errors for what Wasmtime refuses there (a
    /// `max_memory_size` above the reservation, a size past the address
    /// space).
    pub(crate) fn of(wasmtime: &Wasmtime, s: &Settings, pool: &PoolingConfig) -> Result<Self> {
        let d = POOL_DEFAULTS.of(versions::major_of(wasmtime));
        let page = host_page();
        let target = lexicon::compile_target(s.target.as_deref());
        // Tunables::default_for_target
        let tunables = if target.is_32_bit() {
            &d.tunables_32
        } else {
            &d.tunables_64
        };
        let default_guard = if target.is_pulley() && !d.pulley_has_guard {
            0
        } else {
            tunables.guard
        };
        let reservation = s.memory_reservation.unwrap_or(tunables.reservation);
        let guard = s.memory_guard_size.unwrap_or(default_guard);
        let max_memory = pool.max_memory_size.map_or(d.max_memory_size, |m| m as u64);
        // memory_pool.rs, MemoryPool::new
        if max_memory > reservation {
            return Err(config_error(format!(
                "the pool's max_memory_size ({max_memory} bytes) exceeds memory_reservation \
                 ({reservation} bytes{}): lower max_memory_size or raise memory_reservation",
                if s.memory_reservation.is_none() {
                    ", Wasmtime's default for this target"
                } else {
                    ""
                }
            )));
        }
        let memory_slots = pool.total_memories.map_or(d.total_memories, u64::from);
        // SlabConstraints::new and calculate: without memory protection
        // keys a slot is the reservation (or the largest memory) plus the
        // guard, and the slab has one guard before the first slot.
        let lower_memories = "total_memories, memory_reservation or memory_guard_size";
        let expected = round_up(reservation, page);
        let max_bytes = round_up(max_memory, page);
        let guard_bytes = round_up(guard, page);
        let (Some(expected), Some(max_bytes), Some(guard_bytes)) =
            (expected, max_bytes, guard_bytes)
        else {
            return Err(too_large("memory reservation or guard", lower_memories));
        };
        let memory_slot_bytes = expected
            .max(max_bytes)
            .checked_add(guard_bytes)
            .ok_or_else(|| too_large("memory slot", lower_memories))?;
        let pre_guard = if d.guard_before_linear_memory {
            guard_bytes
        } else {
            0
        };
        let memories = memory_slot_bytes
            .checked_mul(memory_slots)
            .and_then(|slab| slab.checked_add(pre_guard))
            .filter(|total| usize::try_from(*total).is_ok())
            .ok_or_else(|| too_large("memory slab", lower_memories))?;
        // table_pool.rs, TablePool::new
        let elements = pool.table_elements.map_or(d.table_elements, |e| e as u64);
        let table_slots = pool.total_tables.map_or(d.total_tables, u64::from);
        let tables = elements
            .checked_mul(d.table_element_bytes)
            .and_then(|bytes| round_up(bytes, page))
            .and_then(|slot| slot.checked_mul(table_slots))
            .filter(|total| usize::try_from(*total).is_ok())
            .ok_or_else(|| too_large("table slab", "total_tables or table_elements"))?;
        // unix_stack_pool.rs, StackPool::new, in builds with `async`
        // (build_allocator gives it `async_stack_size`), whatever the
        // engine's configuration: 36 to 41 too, where async is not handed out.
        let stacks = if wasmtime.built_with(crate::Capability::Async) && d.async_stack_size != 0 {
            round_up(d.async_stack_size, page)
                .map_or(0, |stack| (stack + page).saturating_mul(d.total_stacks))
        } else {
            0
        };
        let slots = memory_slots
            .saturating_add(table_slots)
            .saturating_add(d.total_stacks)
            .saturating_add(d.total_gc_heaps);
        Ok(Reservation {
            memories,
            memory_slots,
            memory_slot_bytes,
            tables,
            stacks,
            bookkeeping: slots.saturating_mul(versions::pooling::BOOKKEEPING_PER_SLOT),
        })
    }

    /// Every byte the engine's creation maps.
    pub(crate) fn total(&self) -> u64 {
        self.memories
            .saturating_add(self.tables)
            .saturating_add(self.stacks)
            .saturating_add(self.bookkeeping)
    }

    /// What the reservation is made of, for messages.
    fn breakdown(&self) -> String {
        format!(
            "{} for {} memory slots of {} bytes (memory_reservation or max_memory_size, plus \
             memory_guard_size), {} for tables, {} for async stacks, {} of bookkeeping",
            self.memories,
            self.memory_slots,
            self.memory_slot_bytes,
            self.tables,
            self.stacks,
            self.bookkeeping
        )
    }

    /// Refuses the reservation when this process cannot map it now; on
    /// success, returns the permit under which the engine is created (one
    /// pooling engine at a time), which becomes the engine's
    /// [`PoolTicket`].
    pub(crate) fn check(self) -> Result<Creating> {
        let live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        let needed = self.total();
        let held = if live.engines == 0 {
            String::new()
        } else {
            format!(
                "; {} pooling engines of this process hold {} bytes",
                live.engines, live.bytes
            )
        };
        let advice = "lower total_memories, memory_reservation or memory_guard_size (with \
                      max_memory_size at most memory_reservation), or total_tables or \
                      table_elements; or drop other pooling engines";
        let space = AddressSpace::now();
        if let (Some(limit), Some(mapped)) = (space.limit, space.mapped) {
            let available = limit.saturating_sub(mapped);
            if needed > available {
                return Err(config_error(format!(
                    "a pooling engine with this configuration reserves {needed} bytes of address \
                     space when it is created ({}), but this process can map {available} more \
                     bytes (its address-space limit, RLIMIT_AS, is {limit} bytes and {mapped} are \
                     mapped{held}): {advice}, or raise the limit. Wasmtime would abort the process",
                    self.breakdown()
                )));
            }
        }
        if let (Some(user), Some(mapped)) = (space.user, space.mapped) {
            let available = user.saturating_sub(mapped);
            if needed > available {
                return Err(config_error(format!(
                    "a pooling engine with this configuration reserves {needed} bytes of address \
                     space when it is created ({}), but this process's user address space is \
                     {user} bytes of which {mapped} are mapped, leaving {available}{held}: \
                     {advice}. Wasmtime would abort the process",
                    self.breakdown()
                )));
            }
        }
        if let Err((what, bytes, why)) = probe(&self) {
            return Err(config_error(format!(
                "a pooling engine with this configuration reserves {needed} bytes of address \
                 space when it is created ({}), and this process cannot map them now: a mapping \
                 of {bytes} bytes for the {what} failed ({why}){held}: {advice}. Wasmtime would \
                 abort the process",
                self.breakdown()
            )));
        }
        Ok(Creating {
            live,
            bytes: needed,
        })
    }
}

/// The pooling engines of this process that this crate created and that
/// are alive, and what they reserved.
struct Live {
    engines: u64,
    bytes: u64,
}

static LIVE: Mutex<Live> = Mutex::new(Live {
    engines: 0,
    bytes: 0,
});

/// The permit under which one pooling engine is created: no other is
/// checked or created until it is dropped or made a [`PoolTicket`].
pub(crate) struct Creating {
    live: MutexGuard<'static, Live>,
    bytes: u64,
}

impl Creating {
    /// The engine was created: count its reservation while it lives.
    pub(crate) fn created(mut self) -> PoolTicket {
        self.live.engines += 1;
        self.live.bytes = self.live.bytes.saturating_add(self.bytes);
        PoolTicket { bytes: self.bytes }
    }
}

/// A live pooling engine's share of [`LIVE`], returned when it drops.
#[derive(Debug)]
pub(crate) struct PoolTicket {
    bytes: u64,
}

impl Drop for PoolTicket {
    fn drop(&mut self) {
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        live.engines = live.engines.saturating_sub(1);
        live.bytes = live.bytes.saturating_sub(self.bytes);
    }
}

/// What the process may map, where the platform says.
struct AddressSpace {
    /// `RLIMIT_AS`, when set.
    limit: Option<u64>,
    /// The bytes mapped now (`VmSize`).
    mapped: Option<u64>,
    /// The user address space: the highest user mapping (the stack sits
    /// at the top) rounded up to a power of two, 2^47 on x86-64.
    user: Option<u64>,
}

impl AddressSpace {
    fn now() -> AddressSpace {
        AddressSpace {
            limit: address_space_limit(),
            mapped: mapped_bytes(),
            user: user_address_space(),
        }
    }
}

#[cfg(unix)]
fn address_space_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid `rlimit` to fill.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    // `rlim_t` is `u64` on Linux, not on every Unix.
    #[allow(clippy::unnecessary_cast)]
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
fn address_space_limit() -> Option<u64> {
    None
}

/// `VmSize` of `/proc/self/status`.
fn mapped_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmSize:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The end of the highest mapping of `/proc/self/maps` below the kernel's
/// half, rounded up to a power of two.
fn user_address_space() -> Option<u64> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    let top = maps
        .lines()
        .filter_map(|line| {
            let range = line.split_whitespace().next()?;
            let (_, end) = range.split_once('-')?;
            u64::from_str_radix(end, 16).ok()
        })
        .filter(|end| *end < 1 << 63)
        .max()?;
    top.checked_next_power_of_two()
}

/// Maps what Wasmtime will map, with the same protections and flags
/// (so the kernel's overcommit policy judges them alike), all at once,
/// then unmaps them: which mapping failed, its size and why.
#[cfg(unix)]
fn probe(r: &Reservation) -> std::result::Result<(), (&'static str, u64, String)> {
    let none = libc::PROT_NONE;
    let rw = libc::PROT_READ | libc::PROT_WRITE;
    let regions = [
        ("memory slots", r.memories, none),
        ("tables", r.tables, rw),
        ("async stacks", r.stacks, rw),
        ("bookkeeping", r.bookkeeping, none),
    ];
    let mut mapped: Vec<(*mut libc::c_void, usize)> = Vec::new();
    let mut failed = None;
    for (what, bytes, prot) in regions {
        let Ok(len) = usize::try_from(bytes) else {
            failed = Some((what, bytes, "larger than the address space".to_string()));
            break;
        };
        if len == 0 {
            continue;
        }
        #[cfg(target_os = "linux")]
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE;
        #[cfg(not(target_os = "linux"))]
        let flags = libc::MAP_PRIVATE | libc::MAP_ANON;
        // SAFETY: a new anonymous mapping at an address the kernel picks;
        // nothing else refers to it, and it is never touched.
        let ptr = unsafe { libc::mmap(std::ptr::null_mut(), len, prot, flags, -1, 0) };
        if ptr == libc::MAP_FAILED {
            failed = Some((what, bytes, std::io::Error::last_os_error().to_string()));
            break;
        }
        mapped.push((ptr, len));
    }
    for (ptr, len) in mapped {
        // SAFETY: mapped above with this length, untouched, unmapped once.
        unsafe { libc::munmap(ptr, len) };
    }
    match failed {
        Some(failure) => Err(failure),
        None => Ok(()),
    }
}

#[cfg(not(unix))]
fn probe(_: &Reservation) -> std::result::Result<(), (&'static str, u64, String)> {
    Ok(())
}
