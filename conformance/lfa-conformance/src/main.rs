// SPDX-License-Identifier: MIT OR Apache-2.0
//! lfa-conformance: a bootable checker of an Arm Live Firmware Activation
//! (LFA, DEN0147) agent, for firmware developers.
//!
//! Boot it as the non-secure payload (BL33) of your firmware: it is entered
//! at NS-EL2 or NS-EL1 with the MMU off at the address it was linked for
//! (`LFA_CONFORMANCE_BASE`, default 0x6000_0000, TF-A's BL33 address on
//! QEMU), sets up its own stacks, page tables and vectors, talks to the
//! agent over `smc` (or `hvc`), starts the CPUs the platform describes
//! ([`topology`]: `mpidrs=`, the device tree) with PSCI `CPU_ON` for the
//! rendezvous checks, prints its report on the PL011, and ends with
//! semihosting `SYS_EXIT` (status 0 when no check failed) or PSCI
//! `SYSTEM_OFF` (no check failed) / `SYSTEM_RESET` (one did).
//!
//! The catalogue of checks is in [`checks`]; options in [`options`]. Each
//! check prints one human line and one JSON line:
//!
//! ```text
//! [PASS] INFO-01  LFA_GET_INFO(0) status, count and x2: 7 components, x2 = 0
//! [WARN] INV-04   GET_INVENTORY reports versions in x4/x5: x4/x5 came back as sent ...
//!          rule: docs/protocol.md#values (BET1): x4 current, x5 pending version
//!          call: LFA_GET_INVENTORY(#0) with sentinels in x4/x5
//!          sent: x0=0xc40002e3 x1=0x0 x2=0x0 x3=0x0 x4=0x5e04... x5=0x5e05...
//!          got:  x0=0x0 x1=0x4698fe4c6d08d447 x2=0x5ab8d... x3=0x3 x4=0x5e04... x5=0x5e05...
//! {"lfac":"check","id":"INV-04","verdict":"WARN",...}
//! == lfa-conformance: FAIL: 33 pass, 6 warn, 2 fail, 0 skip (41 checks)
//! ```
#![no_std]
#![no_main]

mod config {
    include!(concat!(env!("OUT_DIR"), "/config.rs"));
}

pub mod checks;
mod cpus;
mod exit;
pub mod fdt;
mod mmu;
pub mod options;
mod probe;
mod psci;
mod report;
mod semihosting;
mod time;
pub mod topology;
mod uart;

use core::arch::asm;
use core::sync::atomic::{AtomicBool, Ordering};

use options::Options;

core::arch::global_asm!(include_str!("boot.S"), options(raw));

unsafe extern "C" {
    /// First byte of the image (link.ld.in).
    static __image_start: u8;
    /// The vector table (boot.S).
    static lfac_vectors: u8;
    /// A `wfi` loop (boot.S).
    fn lfac_hang() -> !;
}

/// Stops this CPU for good.
pub fn hang() -> ! {
    // SAFETY: `lfac_hang` is an assembly `wfi` loop that touches no memory
    // and never returns.
    unsafe { lfac_hang() }
}

/// Points VBAR of `el` (2 or 1, the current level) at the vector table.
pub fn install_vectors(el: u64) {
    let table = &raw const lfac_vectors;
    if el == 2 {
        // SAFETY: Runs at EL2; the table is 2 KiB aligned code in boot.S whose
        // every entry reports the exception and stops the run.
        unsafe { asm!("msr vbar_el2, {}", "isb", in(reg) table, options(nostack)) };
    } else {
        // SAFETY: As above, at EL1.
        unsafe { asm!("msr vbar_el1, {}", "isb", in(reg) table, options(nostack)) };
    }
}

/// The current exception level.
fn current_el() -> u64 {
    let el: u64;
    // SAFETY: Reading CurrentEL has no side effects.
    unsafe { asm!("mrs {}, CurrentEL", out(reg) el, options(nomem, nostack, preserves_flags)) };
    (el >> 2) & 3
}

/// This CPU's MPIDR_EL1.
fn mpidr() -> u64 {
    let mpidr: u64;
    // SAFETY: Reading MPIDR_EL1 has no side effects.
    unsafe { asm!("mrs {}, mpidr_el1", out(reg) mpidr, options(nomem, nostack, preserves_flags)) };
    mpidr
}

/// The options: the build-time defaults, then the command line; with
/// `print`, every word with what it did.
fn load_options(print: bool) -> Options {
    let mut options = Options::DEFAULT;
    options.apply(
        config::DEFAULT_ARGS.as_bytes(),
        "LFA_CONFORMANCE_ARGS",
        false,
        print,
    );
    let mut line = [0_u8; 512];
    match semihosting::command_line(&mut line) {
        Some(length) => {
            let words = line.get(..length).unwrap_or_default();
            options.apply(words, "semihosting", true, print);
            if print && words.iter().all(|&b| b == b' ' || b == 0) {
                report::info(
                    "option",
                    format_args!("the semihosting command line is empty"),
                );
            }
        }
        None if print && cfg!(feature = "semihosting") => {
            report::info(
                "notice",
                format_args!("no semihosting command line (the host refused SYS_GET_CMDLINE)"),
            );
        }
        None => {}
    }
    options
}

/// Rust entry of every CPU (boot.S): `cpu` is the logical index, `el` the
/// level the firmware entered the image at.
#[unsafe(no_mangle)]
extern "C" fn lfac_start(cpu: usize, el: u64, x0: u64) -> ! {
    if cpu != 0 {
        cpus::secondary(cpu, el)
    }
    if el != 2 && el != 1 {
        uart::print_unlocked(format_args!(
            "lfa-conformance: FAIL: entered at EL{el}; boot it as a non-secure payload (NS-EL2 or NS-EL1)\n"
        ));
        exit::stop(exit::EXIT_FAIL)
    }
    mmu::build((&raw const __image_start) as u64, el);
    mmu::enable(el);
    install_vectors(el);

    let options = load_options(false);
    probe::PROBE.set_method(options.conduit);
    cpus::CPUS.set_wait_ms(options.wait_ms);
    println!(
        "== lfa-conformance {}: entered at NS-EL{el}, image at {:#x}, conduit {}",
        env!("CARGO_PKG_VERSION"),
        (&raw const __image_start) as u64,
        options.conduit
    );
    println!(
        "{{\"lfac\":\"start\",\"version\":\"{}\",\"el\":{el},\"conduit\":\"{}\",\"activate\":{},\"prime\":{},\"max_cpus\":{},\"rounds\":{},\"retry_ms\":{},\"wait_ms\":{}}}",
        env!("CARGO_PKG_VERSION"),
        options.conduit,
        options.activate,
        options.prime,
        options.cpus,
        options.rounds,
        options.retry_ms,
        options.wait_ms
    );
    let _ = load_options(true);
    if options.ignored > 0 {
        report::info(
            "notice",
            format_args!(
                "{} word(s) of the command line are not options of this image (listed above)",
                options.ignored
            ),
        );
    }
    let topology = topology::discover(&options, x0, (&raw const __image_start) as u64);
    if options.conduit == lfa_smccc::Method::Hvc && el == 2 {
        println!("FAIL: conduit=hvc at EL2 reaches no hypervisor above; use conduit=smc");
        exit::stop(exit::EXIT_FAIL)
    }
    let ok = checks::run(&options, el, mpidr(), &topology);
    exit::finish(ok)
}

/// Guards the exception report against exceptions inside it.
static IN_EXCEPTION: AtomicBool = AtomicBool::new(false);

/// Every exception vector lands here: `kind` is the entry (0..15).
#[unsafe(no_mangle)]
extern "C" fn lfac_exception(kind: u64) -> ! {
    if IN_EXCEPTION.swap(true, Ordering::AcqRel) || exit::stopping() {
        hang()
    }
    let (esr, elr, far): (u64, u64, u64);
    if current_el() == 2 {
        // SAFETY: Reading the EL2 syndrome registers at EL2 has no side effects.
        unsafe {
            asm!("mrs {}, esr_el2", "mrs {}, elr_el2", "mrs {}, far_el2",
                out(reg) esr, out(reg) elr, out(reg) far, options(nomem, nostack, preserves_flags));
        }
    } else {
        // SAFETY: Reading the EL1 syndrome registers at EL1 has no side effects.
        unsafe {
            asm!("mrs {}, esr_el1", "mrs {}, elr_el1", "mrs {}, far_el1",
                out(reg) esr, out(reg) elr, out(reg) far, options(nomem, nostack, preserves_flags));
        }
    }
    const KINDS: [&str; 4] = ["synchronous", "IRQ", "FIQ", "SError"];
    let what = usize::try_from(kind % 4)
        .ok()
        .and_then(|k| KINDS.get(k))
        .unwrap_or(&"?");
    let class = (esr >> 26) & 0x3F;
    let hint = match class {
        0x00 => " (UNDEFINED instruction: smc or hvc with nothing to answer it?)",
        0x16 | 0x17 => " (hvc/smc taken at this level: nothing above answers it)",
        _ => "",
    };
    uart::print_unlocked(format_args!(
        "FAIL: unexpected {what} exception at EL{} on MPIDR {:#x}: ESR {esr:#x} (EC {class:#x}){hint}, ELR {elr:#x}, FAR {far:#x}\n",
        current_el(),
        mpidr() & 0xFF_00FF_FFFF,
    ));
    exit::stop(exit::EXIT_EXCEPTION)
}

/// Prints the panic and ends the run with [`exit::EXIT_PANIC`].
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    uart::print_unlocked(format_args!("PANIC: {info}\n"));
    exit::stop(exit::EXIT_PANIC)
}
