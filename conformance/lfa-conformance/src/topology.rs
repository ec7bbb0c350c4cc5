// SPDX-License-Identifier: MIT OR Apache-2.0
//! Which CPUs the platform describes, so that `CPU_ON` never names one it
//! did not: `mpidrs=`, else the device tree's `/cpus` node (at `dtb=`, else
//! at x0 of the entry, else at the base of RAM where QEMU and TF-A's QEMU
//! port leave it), else Aff0 = 0..N-1 when `cpus=N` says so, else none.

use core::fmt::Write as _;

use crate::cpus::MAX_CPUS;
use crate::fdt::{self, FdtError};
use crate::options::{Dtb, Options};
use crate::report::{self, Text};

/// Where QEMU `virt` leaves the DTB for firmware and TF-A's QEMU port keeps
/// it for BL33 (`PLAT_QEMU_DT_BASE`, the base of RAM); read only when it
/// lies in the image's 1 GiB block.
pub const RAM_DTB: u64 = 0x4000_0000;
/// CPU nodes read from a device tree (more are counted, not kept).
const MAX_DT_CPUS: usize = 64;
/// MPIDR affinity fields (Aff3, Aff2..Aff0).
pub const AFFINITY: u64 = 0xFF_00FF_FFFF;

/// Where the list of secondaries came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `mpidrs=`.
    Option,
    /// A device tree at this address.
    DeviceTree(u64),
    /// `cpus=N` without a device tree: Aff0 = 0..N-1 of the boot CPU's
    /// cluster, stopping at the first CPU_ON that says "no such CPU".
    Sweep,
    /// Nothing describes the CPUs: only the boot CPU runs.
    None,
}

/// The secondaries to start, in order.
#[derive(Clone, Copy, Debug)]
pub struct Topology {
    /// Their MPIDRs, the first `count`.
    pub mpidrs: [u64; MAX_CPUS],
    /// How many are set.
    pub count: usize,
    /// Where they came from.
    pub source: Source,
}

impl Topology {
    /// The secondaries' MPIDRs.
    #[must_use]
    pub fn secondaries(&self) -> &[u64] {
        self.mpidrs.get(..self.count).unwrap_or_default()
    }
}

/// Decides the secondaries (boot CPU, MMU on) and prints where they came
/// from and every device tree candidate that was rejected.
#[must_use]
pub fn discover(options: &Options, x0: u64, image: u64) -> Topology {
    let own = crate::mpidr() & AFFINITY;
    let mut topology = Topology {
        mpidrs: [0; MAX_CPUS],
        count: 0,
        source: Source::None,
    };
    let want = options.cpus.saturating_sub(1);
    let push = |topology: &mut Topology, mpidr: u64| {
        if mpidr & AFFINITY == own || topology.count >= want {
            return;
        }
        if let Some(slot) = topology.mpidrs.get_mut(topology.count) {
            *slot = mpidr;
            topology.count += 1;
        }
    };
    if options.mpidr_count > 0 {
        topology.source = Source::Option;
        for &m in options
            .mpidrs
            .get(..options.mpidr_count)
            .unwrap_or_default()
        {
            push(&mut topology, m);
        }
        report::info(
            "cpus",
            format_args!("secondaries from mpidrs=: {}", List(&topology)),
        );
        return topology;
    }
    let candidates: [(Option<u64>, &str); 2] = match options.dtb {
        Dtb::At(address) => [(Some(address), "dtb="), (None, "")],
        Dtb::None => [(None, ""), (None, "")],
        Dtb::Auto => [
            (Some(x0).filter(|&a| a != 0), "x0 at entry"),
            (Some(RAM_DTB), "the base of RAM"),
        ],
    };
    for (address, what) in candidates {
        let Some(address) = address else { continue };
        match read_cpus(address, image) {
            Ok(list) => {
                topology.source = Source::DeviceTree(address);
                for &m in list.as_slice() {
                    push(&mut topology, m);
                }
                report::info(
                    "cpus",
                    format_args!(
                        "device tree at {address:#x} ({what}): {} CPU node(s){}{}; secondaries {}",
                        list.count + list.dropped,
                        if list.failed > 0 {
                            ", some with status fail (left out)"
                        } else {
                            ""
                        },
                        if list.dropped > 0 {
                            ", more than the checker keeps"
                        } else {
                            ""
                        },
                        List(&topology)
                    ),
                );
                return topology;
            }
            Err(why) => report::info(
                "cpus",
                format_args!("no device tree at {address:#x} ({what}): {why}"),
            ),
        }
    }
    if options.cpus_given {
        topology.source = Source::Sweep;
        for aff0 in 0..=u64::try_from(MAX_CPUS).unwrap_or(8) {
            push(&mut topology, (own & !0xFF) | aff0);
        }
        report::info(
            "cpus",
            format_args!(
                "cpus={} and no device tree: secondaries {}",
                options.cpus,
                List(&topology)
            ),
        );
    } else {
        report::info(
            "cpus",
            format_args!(
                "nothing describes the CPUs (no device tree, no mpidrs= or cpus=): only the boot CPU runs; CPU_ON never names a CPU the platform did not describe"
            ),
        );
    }
    topology
}

/// Why no CPU list was read at an address.
enum Why {
    /// Outside the block the image maps as Normal memory (RAM).
    Outside,
    /// Not 8-byte aligned, as an FDT must be.
    Unaligned,
    /// The reader's error.
    Fdt(FdtError),
}

impl core::fmt::Display for Why {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Outside => f.write_str("outside the image's 1 GiB RAM block"),
            Self::Unaligned => f.write_str("not 8-byte aligned"),
            Self::Fdt(e) => write!(f, "{e}"),
        }
    }
}

/// The `/cpus` of the FDT at `address`, which must lie, whole, in the
/// image's 1 GiB block.
fn read_cpus(address: u64, image: u64) -> Result<fdt::CpuList<MAX_DT_CPUS>, Why> {
    let block_end = ((image >> 30) + 1) << 30;
    let inside = |len: u64| {
        address >> 30 == image >> 30 && address.checked_add(len).is_some_and(|end| end <= block_end)
    };
    if address % 8 != 0 {
        return Err(Why::Unaligned);
    }
    let Ok(pointer) = usize::try_from(address) else {
        return Err(Why::Outside);
    };
    if !inside(40) {
        return Err(Why::Outside);
    }
    // SAFETY: [address, address + 40) lies in the 1 GiB block that holds the
    // image (checked above), which `mmu::build` maps as Normal memory and
    // the README requires to be RAM; only the boot CPU runs now and nothing
    // writes that memory while the slice lives (this function).
    let header = unsafe { core::slice::from_raw_parts(pointer as *const u8, 40) };
    let size = fdt::total_size(header).map_err(Why::Fdt)?;
    if !inside(u64::try_from(size).unwrap_or(u64::MAX)) {
        return Err(Why::Outside);
    }
    // SAFETY: As above for [address, address + size), checked just now.
    let blob = unsafe { core::slice::from_raw_parts(pointer as *const u8, size) };
    fdt::cpus(blob).map_err(Why::Fdt)
}

/// `0x1,0x2` or `none`.
struct List<'a>(&'a Topology);

impl core::fmt::Display for List<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.0.count == 0 {
            return f.write_str("none");
        }
        let mut text: Text<160> = Text::new();
        for (i, m) in self.0.secondaries().iter().enumerate() {
            let _ = write!(text, "{}{m:#x}", if i == 0 { "" } else { "," });
        }
        f.write_str(text.as_str())
    }
}
