// SPDX-License-Identifier: MIT OR Apache-2.0
//! Boot code for bare-metal LFA images under QEMU (`aarch64-unknown-none`).
//!
//! Every image of this crate (one per file in `tests/`) boots at EL3 on
//! `qemu-system-aarch64 -machine virt,secure=on,virtualization=on -cpu max`,
//! serves LFA calls from an agent at EL3 (taken with `smc`) and/or EL2 (taken
//! with `hvc`), drops to the non-secure world and runs its test body at NS-EL1
//! on every CPU it asked for. It ends QEMU through semihosting with status 0
//! when every check passed, non-zero otherwise.
//!
//! An image is a `#![no_std] #![no_main]` binary that links this library and
//! defines one item, the [`Scenario`] named `LFA_QEMU_SCENARIO`:
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//!
//! use lfa_qemu::{Scenario, check_eq};
//!
//! static AGENT: MyAgent = MyAgent::new(); // any `Conduit + Sync`
//!
//! #[unsafe(no_mangle)]
//! static LFA_QEMU_SCENARIO: Scenario = Scenario {
//!     el3_agent: Some(&AGENT),
//!     ..Scenario::new("example", main)
//! };
//!
//! fn main(cpu: usize) {
//!     let answer = lfa_smccc::Smc.call(&lfa_smccc::Regs::with_x0(0xC400_02E0));
//!     check_eq!(answer.x[0], 0x1_0000, "LFA_VERSION on CPU {cpu}");
//! }
//! ```
//!
//! The boot path, per CPU (see `boot.S` and [`exception_level`]):
//! 1. `_start` (assembly): choose the stack for (CPU, EL), untrap FP/SIMD,
//!    CPU 0 clears `.bss`, call `lfa_qemu_start`.
//! 2. At every EL: identity-map memory and turn the MMU on ([`mmu`]), so that
//!    exclusives (`compare_exchange`, spin locks) and unaligned accesses work;
//!    install the vector table.
//! 3. EL3: wait until [`Scenario::cpus`] CPUs have arrived (others are parked),
//!    then `eret` to NS-EL2; EL2 then `eret`s to NS-EL1.
//! 4. NS-EL1: run [`Scenario::main`] on every CPU; CPU 0 waits for all of them
//!    and exits QEMU with the result of every [`check!`].
//!
//! Words on the guest command line (cargo: `cargo test --test NAME -- WORD`)
//! that every image understands: `break-check` makes the flow images expect
//! a wrong LFA version (the run must fail), `hang-guest` makes CPU 0 spin
//! forever before the test body (the runner's timeout must fail the run).
//!
//! QEMU does not model caches, so the switches between MMU-off and MMU-on
//! code in this path need no cache maintenance here; real hardware would.
#![no_std]

pub mod check;
pub mod cmdline;
pub mod cpu;
pub mod exception_level;
pub mod exceptions;
pub mod firmware;
pub mod mmu;
pub mod platform;
pub mod rendezvous;
pub mod semihosting;
pub mod service;
pub mod stack;
pub mod stub;
pub mod timer;
pub mod uart;

use core::sync::atomic::{AtomicUsize, Ordering};

use lfa_smccc::Conduit;

core::arch::global_asm!(include_str!("boot.S"), options(raw));

/// What an image runs: its agents and its test body.
///
/// Each image defines exactly one, as
/// `#[unsafe(no_mangle)] static LFA_QEMU_SCENARIO: Scenario`.
pub struct Scenario {
    /// Printed at start and end of the run.
    pub name: &'static str,
    /// How many CPUs run [`main`](Self::main) (1..=[`cpu::MAX_CPUS`]). When
    /// booting at EL3, CPUs with a higher index are parked; fewer arriving
    /// within [`wait_ms`](Self::wait_ms) fails the image (run QEMU with a
    /// larger `-smp`).
    pub cpus: usize,
    /// The agent that answers `smc` at EL3, or `None`: every `smc` then
    /// returns `NOT_SUPPORTED` (-1).
    pub el3_agent: Option<&'static (dyn Conduit + Sync)>,
    /// The agent that answers `hvc` at EL2, or `None`: every `hvc` then
    /// returns `NOT_SUPPORTED` (-1).
    pub el2_agent: Option<&'static (dyn Conduit + Sync)>,
    /// Runs once at EL3 on CPU 0 before any CPU leaves EL3 (to configure
    /// the agents, for example).
    pub el3_init: fn(),
    /// The test body, at the lowest EL reached (NS-EL1), once per CPU with the
    /// CPU's index.
    pub main: fn(cpu: usize),
    /// Bound for every wait of the boot code on other CPUs, in milliseconds
    /// of the generic timer: CPUs arriving at boot, and CPU 0 waiting for the
    /// others to finish [`main`](Self::main).
    pub wait_ms: u64,
    /// Firmware mode ([`firmware::handover`]): when set, every CPU calls it
    /// at EL3 (`el` = 3) once the boot code is done there, instead of
    /// leaving for NS-EL1 and [`main`](Self::main) (CPUs beyond
    /// [`cpus`](Self::cpus) at once, the others after
    /// [`el3_init`](Self::el3_init)); CPUs that then enter this image's
    /// NS-EL2 call it again with `el` = 2.
    pub handover: Option<fn(cpu: usize, el: u64) -> !>,
}

impl Scenario {
    /// The default bound for waits on other CPUs: 10 s, well below the
    /// runner's timeout so that a stuck CPU is reported, not killed.
    pub const DEFAULT_WAIT_MS: u64 = 10_000;

    /// A one-CPU scenario with no agents, no EL3 initialisation and the
    /// default wait bound; override fields with struct update syntax.
    #[must_use]
    pub const fn new(name: &'static str, main: fn(cpu: usize)) -> Self {
        Self {
            name,
            cpus: 1,
            el3_agent: None,
            el2_agent: None,
            el3_init: no_init,
            main,
            wait_ms: Self::DEFAULT_WAIT_MS,
            handover: None,
        }
    }
}

/// The default [`Scenario::el3_init`]: nothing.
const fn no_init() {}

unsafe extern "Rust" {
    /// Defined by the image (a `#[no_mangle]` static).
    static LFA_QEMU_SCENARIO: Scenario;
}

/// The image's scenario.
#[must_use]
pub fn scenario() -> &'static Scenario {
    // SAFETY: Every image defines `LFA_QEMU_SCENARIO` with this type (the
    // crate documentation requires it; a missing one fails to link). It is an
    // immutable static, so a shared reference to it is always valid.
    unsafe { &LFA_QEMU_SCENARIO }
}

/// CPUs that have reached EL3 and are ready to leave it.
static ARRIVED: AtomicUsize = AtomicUsize::new(0);
/// Set by CPU 0 once `el3_init` has run: the others may leave EL3.
static RELEASED: AtomicUsize = AtomicUsize::new(0);
/// CPUs that have returned from `Scenario::main`.
static FINISHED: AtomicUsize = AtomicUsize::new(0);

/// Rust entry of every CPU at every EL: from `boot.S` at the EL the machine
/// starts in, and from [`exception_level`]'s `eret`s at each lower one.
#[unsafe(no_mangle)]
extern "C" fn lfa_qemu_start(cpu: usize, el: u64) -> ! {
    mmu::enable(el);
    exceptions::install_vectors(el);
    match el {
        3 => el3(cpu),
        2 => {
            if let Some(handover) = scenario().handover {
                handover(cpu, 2)
            }
            exception_level::el2_enter_el1(cpu)
        }
        _ => el1(cpu),
    }
}

/// EL3: gather the CPUs, initialise once, leave for NS-EL2.
fn el3(cpu: usize) -> ! {
    let scenario = scenario();
    if cpu == 0 {
        cmdline::load();
        println!(
            "== {}: EL3 up, {} CPU(s) requested",
            scenario.name, scenario.cpus
        );
    }
    if cpu >= scenario.cpus {
        if let Some(handover) = scenario.handover {
            handover(cpu, 3)
        }
        cpu::park();
    }
    ARRIVED.fetch_add(1, Ordering::AcqRel);
    if cpu == 0 {
        let deadline = timer::Deadline::after_ms(scenario.wait_ms);
        while ARRIVED.load(Ordering::Acquire) < scenario.cpus {
            if deadline.expired() {
                println!(
                    "FAIL: only {} of {} CPUs started (run QEMU with -smp {})",
                    ARRIVED.load(Ordering::Acquire),
                    scenario.cpus,
                    scenario.cpus
                );
                semihosting::exit(check::EXIT_FAIL);
            }
            core::hint::spin_loop();
        }
        (scenario.el3_init)();
        RELEASED.store(1, Ordering::Release);
    } else {
        // CPU 0 either releases us or exits QEMU: no bound needed here.
        while RELEASED.load(Ordering::Acquire) == 0 {
            core::hint::spin_loop();
        }
    }
    if let Some(handover) = scenario.handover {
        handover(cpu, 3)
    }
    exception_level::el3_enter_el2(cpu)
}

/// NS-EL1 (or the EL the machine started in when it has no EL3): run the
/// test body, then CPU 0 collects the result and exits QEMU.
fn el1(cpu: usize) -> ! {
    let scenario = scenario();
    if exception_level::current() != 1 {
        println!(
            "FAIL: test body reached at EL{}",
            exception_level::current()
        );
        semihosting::exit(check::EXIT_FAIL);
    }
    if cpu == 0 && RELEASED.load(Ordering::Acquire) == 0 {
        // Booted below EL3 (plain `virt`): nothing above us ran `el3`.
        cmdline::load();
        println!(
            "== {}: started at EL1 (no EL3 on this machine)",
            scenario.name
        );
        if scenario.cpus != 1 {
            println!(
                "FAIL: only CPU 0 runs without EL3, {} requested",
                scenario.cpus
            );
            semihosting::exit(check::EXIT_FAIL);
        }
    }
    if cpu == 0 && cmdline::has("hang-guest") {
        // A self-test of the runner: this guest never exits, so only the
        // runner's timeout can end the run, and it must count as a failure.
        println!("hang-guest: CPU 0 spins forever on purpose");
        loop {
            core::hint::spin_loop();
        }
    }
    (scenario.main)(cpu);
    main_done(cpu)
}

/// What follows [`Scenario::main`] on each CPU, for a CPU that left it
/// another way (an LFA activation that reset it and resumed it elsewhere):
/// count it as finished; CPU 0 then waits for the others and exits QEMU
/// with the result of every check, the others park.
pub fn main_done(cpu: usize) -> ! {
    let scenario = scenario();
    FINISHED.fetch_add(1, Ordering::AcqRel);
    if cpu != 0 {
        cpu::park();
    }
    let deadline = timer::Deadline::after_ms(scenario.wait_ms);
    while FINISHED.load(Ordering::Acquire) < scenario.cpus {
        if deadline.expired() {
            println!(
                "FAIL: {} of {} CPUs finished the test body in time",
                FINISHED.load(Ordering::Acquire),
                scenario.cpus
            );
            semihosting::exit(check::EXIT_FAIL);
        }
        core::hint::spin_loop();
    }
    check::finish(scenario.name)
}

/// Prints the panic and stops QEMU with [`check::EXIT_PANIC`].
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    uart::print_unlocked(format_args!(
        "PANIC on CPU {} at EL{}: {info}\n",
        cpu::index(),
        exception_level::current()
    ));
    semihosting::exit(check::EXIT_PANIC)
}
