// SPDX-License-Identifier: MIT OR Apache-2.0
//! Firmware mode: the image acts as a platform's EL3 firmware for a
//! non-secure payload that someone else loaded (for example with QEMU's
//! `-device loader,file=payload.elf`), the way TF-A's BL31 runs BL33.
//!
//! [`Firmware`] is the conduit an image puts in
//! [`Scenario::el3_agent`](crate::Scenario::el3_agent) (and, for a payload at
//! NS-EL1, in [`Scenario::el2_agent`](crate::Scenario::el2_agent)): it answers
//! a minimal PSCI (`PSCI_VERSION`, `PSCI_FEATURES`, `CPU_ON`, `SYSTEM_OFF`)
//! and `SMCCC_VERSION` (1.2) itself, then offers the call to its runtime
//! service if it has one, and passes every other call to the LFA agent it
//! wraps: an [`lfa_agent::Agent`] ([`Firmware::with_agent`]; its platform
//! pulls the CPU count from [`cpus_on`]) or a conduit-shaped simulator
//! ([`Firmware::new`], told of each `CPU_ON`). [`handover`] is the image's
//! [`Scenario::handover`](crate::Scenario::handover): CPU 0 enters the
//! payload as soon as the boot code has set EL3 up, every other CPU waits,
//! powered off as far as the payload can tell, until a `CPU_ON` names it.
//!
//! ```ignore
//! static AGENT: Agent<QemuPlatform, 4> = Agent::new(QemuPlatform::new());
//! static FIRMWARE: Firmware = Firmware::with_agent(&AGENT).with_service(serve);
//! fn serve(regs: &mut Regs) -> bool { AGENT.platform().serve(regs) }
//!
//! #[unsafe(no_mangle)]
//! static LFA_QEMU_SCENARIO: Scenario = Scenario {
//!     el3_agent: Some(&FIRMWARE),
//!     el2_agent: Some(&FIRMWARE),
//!     handover: Some(firmware::handover),
//!     el3_init: || firmware::set_payload(0x6000_0000, 2),
//!     ..Scenario::new("firmware", |_| {})
//! };
//! ```
//!
//! The payload enters at NS-EL2 (or NS-EL1, with this image's EL2 serving
//! `hvc`; straight from EL3 when the CPU has no EL2) with the MMU off, DAIF
//! masked, x0 = 0 (or [`set_payload_x0`]'s value) on CPU 0 and x0 = the context
//! id on a CPU started by `CPU_ON`, and FP/SIMD *trapped* at the payload's
//! level (`CPTR_EL2.TFP` or `CPACR_EL1.FPEN`), so a payload that forgets to
//! untrap them fails at once instead of by chance on other firmware.

use core::arch::asm;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};

use lfa_agent::{Agent, Exit, Platform};
use lfa_proto::regs::from_signed;
use lfa_smccc::{Conduit, Regs};

use crate::cpu::{self, MAX_CPUS};
use crate::exception_level::{
    CNTHCTL_EL2_EL1_ACCESS, CPTR_EL2_NO_TRAPS, HCR_EL2_RW, SCR_EL3_NS_EL2, SCTLR_EL1_RES1,
    SCTLR_EL2_RES1, SPSR_EL1H_MASKED, SPSR_EL2H_MASKED, midr_mpidr,
};
use crate::{check, println, semihosting};

/// `PSCI_VERSION` (SMC32).
pub const PSCI_VERSION: u64 = 0x8400_0000;
/// `PSCI_FEATURES` (SMC32).
pub const PSCI_FEATURES: u64 = 0x8400_000A;
/// `CPU_ON` (SMC64; the SMC32 form 0x8400_0003 is answered too).
pub const CPU_ON: u64 = 0xC400_0003;
/// `CPU_ON`, SMC32 form.
pub const CPU_ON_32: u64 = 0x8400_0003;
/// `SYSTEM_OFF` (SMC32).
pub const SYSTEM_OFF: u64 = 0x8400_0008;
/// `SMCCC_VERSION` (SMCCC 1.1 and later, SMC32).
pub const SMCCC_VERSION: u64 = 0x8000_0000;
/// What `PSCI_VERSION` answers: 1.1.
pub const PSCI_1_1: i64 = 0x1_0001;
/// What `SMCCC_VERSION` answers: 1.2, the convention LFA needs.
pub const SMCCC_1_2: i64 = 0x1_0002;

/// PSCI status `NOT_SUPPORTED`.
const PSCI_NOT_SUPPORTED: i64 = -1;
/// PSCI status `INVALID_PARAMETERS` (no such CPU).
const PSCI_INVALID_PARAMETERS: i64 = -2;
/// PSCI status `ALREADY_ON`.
const PSCI_ALREADY_ON: i64 = -4;
/// PSCI status `INVALID_ADDRESS` (entry point outside RAM).
const PSCI_INVALID_ADDRESS: i64 = -9;

/// The RAM a payload entry point must lie in (what `mmu` maps as RAM).
const RAM: core::ops::Range<u64> = 0x4000_0000..0x8000_0000;

/// A CPU that has not reached [`handover`] (or does not exist).
const ABSENT: u32 = 0;
/// A CPU waiting in [`handover`] for `CPU_ON`: "off" for the payload.
const OFF: u32 = 1;
/// A CPU that was started (`CPU_ON` accepted, or CPU 0).
const ON: u32 = 2;

/// One CPU's power state and the `CPU_ON` it was given.
struct CpuSlot {
    state: AtomicU32,
    entry: AtomicU64,
    context: AtomicU64,
}

static CPUS: [CpuSlot; MAX_CPUS] = [const {
    CpuSlot {
        state: AtomicU32::new(ABSENT),
        entry: AtomicU64::new(0),
        context: AtomicU64::new(0),
    }
}; MAX_CPUS];

/// Where CPU 0 enters the payload (0: not configured).
static PAYLOAD_ENTRY: AtomicU64 = AtomicU64::new(0);
/// The payload's exception level: 2 or 1.
static PAYLOAD_EL: AtomicU64 = AtomicU64::new(2);
/// `CPU_ON` calls accepted since boot.
static CPU_ON_CALLS: AtomicU32 = AtomicU32::new(0);
/// x0 of CPU 0's entry into the payload (0 unless `set_payload_x0`).
static PAYLOAD_X0: AtomicU64 = AtomicU64::new(0);

/// Sets x0 of CPU 0's entry into the payload, for example a device tree
/// address (default 0). Call it from [`Scenario::el3_init`](crate::Scenario::el3_init).
pub fn set_payload_x0(x0: u64) {
    PAYLOAD_X0.store(x0, Ordering::Release);
}

/// Whether the CPU implements EL2 (QEMU: `virtualization=on`); without it
/// a payload at EL1 is entered straight from EL3.
#[must_use]
pub fn el2_implemented() -> bool {
    let pfr0: u64;
    // SAFETY: Reading ID_AA64PFR0_EL1 has no side effects.
    unsafe {
        asm!("mrs {}, id_aa64pfr0_el1", out(reg) pfr0, options(nomem, nostack, preserves_flags))
    };
    (pfr0 >> 8) & 0xF != 0
}

/// Sets where CPU 0 enters the payload and at which level (2 or 1; anything
/// else is taken as 2). Call it from [`Scenario::el3_init`](crate::Scenario::el3_init).
pub fn set_payload(entry: u64, el: u64) {
    PAYLOAD_ENTRY.store(entry, Ordering::Release);
    PAYLOAD_EL.store(if el == 1 { 1 } else { 2 }, Ordering::Release);
}

/// `CPU_ON` calls accepted since boot.
#[must_use]
pub fn cpu_on_calls() -> u32 {
    CPU_ON_CALLS.load(Ordering::Acquire)
}

/// How many CPUs are on (CPU 0 and every CPU started by `CPU_ON`).
#[must_use]
pub fn cpus_on() -> u32 {
    let on = CPUS
        .iter()
        .filter(|c| c.state.load(Ordering::Acquire) == ON)
        .count();
    u32::try_from(on).unwrap_or(u32::MAX)
}

/// An EL3 LFA agent as the firmware calls it: [`lfa_agent::Agent`] with any
/// platform (this crate implements it for them), answering one trapped call
/// in place.
pub trait LfaAgent: Sync {
    /// [`lfa_agent::Agent::handle`].
    fn handle(&self, regs: &mut Regs) -> Exit;
}

impl<P: Platform, const CPUS: usize> LfaAgent for Agent<P, CPUS> {
    fn handle(&self, regs: &mut Regs) -> Exit {
        Agent::handle(self, regs)
    }
}

/// Who answers LFA calls.
#[derive(Clone, Copy)]
enum Lfa {
    /// A conduit-shaped agent (the simulator), told about `CPU_ON`s.
    Conduit(&'static (dyn Conduit + Sync), fn(u32)),
    /// An [`lfa_agent::Agent`]: it asks its platform how many CPUs are on.
    Agent(&'static dyn LfaAgent),
}

/// The firmware's SMCCC entry: PSCI and `SMCCC_VERSION` here, then its own
/// runtime service (if any, see [`with_service`](Self::with_service)), then
/// the LFA agent.
pub struct Firmware {
    lfa: Lfa,
    service: Option<fn(&mut Regs) -> bool>,
}

impl Firmware {
    /// Wraps the conduit-shaped LFA agent `lfa`; `on_cpus_changed` is called
    /// with the number of CPUs that are on after every accepted `CPU_ON` (an
    /// LFA agent sizes its rendezvous by it, as TF-A does).
    #[must_use]
    pub const fn new(lfa: &'static (dyn Conduit + Sync), on_cpus_changed: fn(u32)) -> Self {
        Self {
            lfa: Lfa::Conduit(lfa, on_cpus_changed),
            service: None,
        }
    }

    /// Wraps an [`lfa_agent::Agent`] (its platform pulls the CPU count from
    /// [`cpus_on`]; nothing is pushed to it). On an [`Exit::Resume`] from it
    /// the CPU enters the caller's entry point instead of returning (at the
    /// caller's level, x0 = the context id, MMU off, as after `CPU_ON`).
    #[must_use]
    pub const fn with_agent(agent: &'static dyn LfaAgent) -> Self {
        Self {
            lfa: Lfa::Agent(agent),
            service: None,
        }
    }

    /// Adds a runtime service: `serve` sees every call that is not PSCI or
    /// `SMCCC_VERSION` first and answers it in place (`true`), or leaves it
    /// to the LFA agent (`false`).
    #[must_use]
    pub const fn with_service(mut self, serve: fn(&mut Regs) -> bool) -> Self {
        self.service = Some(serve);
        self
    }

    /// `CPU_ON(target MPIDR, entry point, context id)`.
    fn cpu_on(&self, args: &Regs) -> i64 {
        let [_, target, entry, context, ..] = args.x;
        // QEMU `virt`: one cluster, MPIDR.Aff0 is the CPU index.
        let Some(slot) = usize::try_from(target & 0xFF_00FF_FFFF)
            .ok()
            .and_then(|index| CPUS.get(index))
        else {
            return PSCI_INVALID_PARAMETERS;
        };
        if !valid_entry_point(entry) {
            return PSCI_INVALID_ADDRESS;
        }
        slot.entry.store(entry, Ordering::Relaxed);
        slot.context.store(context, Ordering::Relaxed);
        match slot
            .state
            .compare_exchange(OFF, ON, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {
                CPU_ON_CALLS.fetch_add(1, Ordering::AcqRel);
                if let Lfa::Conduit(_, on_cpus_changed) = self.lfa {
                    on_cpus_changed(cpus_on());
                }
                0
            }
            Err(ON) => PSCI_ALREADY_ON,
            Err(_) => PSCI_INVALID_PARAMETERS,
        }
    }
}

impl Conduit for Firmware {
    fn call(&self, args: &Regs) -> Regs {
        let mut regs = *args;
        let status = match args.x[0] {
            PSCI_VERSION => PSCI_1_1,
            SMCCC_VERSION => SMCCC_1_2,
            PSCI_FEATURES => match args.x[1] {
                PSCI_VERSION | PSCI_FEATURES | CPU_ON | CPU_ON_32 | SYSTEM_OFF | SMCCC_VERSION => 0,
                _ => PSCI_NOT_SUPPORTED,
            },
            CPU_ON | CPU_ON_32 => self.cpu_on(args),
            SYSTEM_OFF => {
                println!("firmware: PSCI SYSTEM_OFF from CPU {}", cpu::index());
                semihosting::exit(check::EXIT_PASS)
            }
            _ => {
                if let Some(serve) = self.service {
                    if serve(&mut regs) {
                        return regs;
                    }
                }
                return match self.lfa {
                    Lfa::Conduit(lfa, _) => lfa.call(args),
                    Lfa::Agent(agent) => match handle_measured(agent, &mut regs) {
                        Exit::Return => regs,
                        Exit::Resume {
                            entry_point,
                            context_id,
                        } => resume(entry_point, context_id),
                    },
                };
            }
        };
        regs.x[0] = from_signed(status);
        regs
    }
}

/// Is `entry_point` one a CPU may be started or resumed at (in RAM)?
#[must_use]
pub fn valid_entry_point(entry_point: u64) -> bool {
    RAM.contains(&entry_point)
}

/// An agent's [`Exit::Resume`] (an activation that reset CPUs): the calling
/// CPU does not return from its `smc`. It enters `entry_point` at the
/// exception level the call came from (SPSR_EL3.M), as for a CPU that
/// `CPU_ON` started: x0 = `context_id`, x1..x3 = 0, MMU off, DAIF masked,
/// FP/SIMD trapped at that level. The exception frame of the call is
/// abandoned: EL3's stack restarts at its top for the next `smc`.
fn resume(entry_point: u64, context_id: u64) -> ! {
    let spsr: u64;
    // SAFETY: Reading SPSR_EL3 at EL3 (this runs in the `smc` handler) has
    // no side effects; no exception has been taken since the call's.
    unsafe { asm!("mrs {}, spsr_el3", out(reg) spsr, options(nomem, nostack, preserves_flags)) };
    let cpu = cpu::index();
    let sp_el3 = cpu::stack_top(cpu, 3);
    if (spsr >> 2) & 3 == 2 {
        // SAFETY: At EL3, returning to the non-secure EL2 that made the
        // call: its MMU off and FP/SIMD trapped (as `enter_el2` leaves them
        // for a payload), the entry point checked by the agent with
        // `valid_entry_point` (RAM). Nothing of the abandoned frame is used
        // again; EL3's stack restarts at its top.
        unsafe {
            asm!(
                "msr sctlr_el2, {sctlr}",
                "msr cptr_el2, {cptr}",
                "msr elr_el3, {entry}",
                "msr spsr_el3, {spsr}",
                "isb",
                "mov sp, {sp_el3}",
                "eret",
                sctlr = in(reg) SCTLR_EL2_RES1,
                cptr = in(reg) CPTR_EL2_TFP,
                entry = in(reg) entry_point,
                spsr = in(reg) SPSR_EL2H_MASKED,
                sp_el3 = in(reg) sp_el3,
                in("x0") context_id,
                in("x1") 0_u64,
                in("x2") 0_u64,
                in("x3") 0_u64,
                options(noreturn),
            );
        }
    }
    // SAFETY: As above, for a call from NS-EL1: EL1's MMU off and FP/SIMD
    // trapped (as `enter_el1` leaves them), EL2 as this image set it up
    // (so `hvc` and the EL1 regime keep working).
    unsafe {
        asm!(
            "msr sctlr_el1, {sctlr}",
            "msr cpacr_el1, xzr",
            "msr elr_el3, {entry}",
            "msr spsr_el3, {spsr}",
            "isb",
            "mov sp, {sp_el3}",
            "eret",
            sctlr = in(reg) SCTLR_EL1_RES1,
            entry = in(reg) entry_point,
            spsr = in(reg) SPSR_EL1H_MASKED,
            sp_el3 = in(reg) sp_el3,
            in("x0") context_id,
            in("x1") 0_u64,
            in("x2") 0_u64,
            in("x3") 0_u64,
            options(noreturn),
        );
    }
}

/// The [`Scenario::handover`](crate::Scenario::handover) of a firmware
/// image. At EL3 (`el` = 3): CPU 0 goes to the payload, every other CPU
/// waits until `CPU_ON` names it. For a payload at EL2 the CPU `eret`s
/// straight to it; for one at EL1 it first enters this image's NS-EL2 (MMU,
/// vectors to serve `hvc`), where this function runs again with `el` = 2 and
/// `eret`s to the payload.
pub fn handover(cpu: usize, el: u64) -> ! {
    let Some(slot) = CPUS.get(cpu) else {
        cpu::park()
    };
    if el == 3 {
        if cpu == 0 {
            let entry = PAYLOAD_ENTRY.load(Ordering::Acquire);
            if entry == 0 {
                println!("FAIL: firmware mode without a payload address");
                semihosting::exit(check::EXIT_FAIL);
            }
            slot.entry.store(entry, Ordering::Relaxed);
            slot.context
                .store(PAYLOAD_X0.load(Ordering::Acquire), Ordering::Relaxed);
            slot.state.store(ON, Ordering::Release);
            println!(
                "firmware: entering the payload at {entry:#x}, NS-EL{}",
                PAYLOAD_EL.load(Ordering::Acquire)
            );
        } else {
            slot.state.store(OFF, Ordering::Release);
            // Powered off until CPU_ON: like a real CPU, this waits for good.
            while slot.state.load(Ordering::Acquire) != ON {
                core::hint::spin_loop();
            }
        }
        if PAYLOAD_EL.load(Ordering::Acquire) == 1 {
            if !el2_implemented() {
                let entry = slot.entry.load(Ordering::Acquire);
                el3_enter_el1(cpu, entry, slot.context.load(Ordering::Acquire))
            }
            crate::exception_level::el3_enter_el2(cpu)
        }
    }
    let entry = slot.entry.load(Ordering::Acquire);
    let context = slot.context.load(Ordering::Acquire);
    if el == 3 {
        enter_el2(cpu, entry, context)
    } else {
        enter_el1(cpu, entry, context)
    }
}

/// CPTR_EL2: RES1 bits and TFP (FP/SIMD trapped until the payload untraps).
const CPTR_EL2_TFP: u64 = CPTR_EL2_NO_TRAPS | (1 << 10);

/// EL3 -> the payload at NS-EL2, x0 = `context`.
fn enter_el2(cpu: usize, entry: u64, context: u64) -> ! {
    // SAFETY: Runs at EL3 (`handover` with el = 3). It configures non-secure EL2
    // as the module docs say and erets to the payload entry from `set_payload`
    // or a `CPU_ON` (checked to lie in RAM); this image does not run on this CPU
    // at EL2 afterwards, and EL3's stack is reset to its top for the next `smc`.
    unsafe {
        asm!(
            "msr scr_el3, {scr}",
            "msr hcr_el2, xzr",
            "msr cptr_el2, {cptr}",
            "msr sctlr_el2, {sctlr}",
            "msr cntvoff_el2, xzr",
            "msr elr_el3, {entry}",
            "msr spsr_el3, {spsr}",
            "isb",
            "mov sp, {sp_el3}",
            "eret",
            scr = in(reg) SCR_EL3_NS_EL2,
            cptr = in(reg) CPTR_EL2_TFP,
            sctlr = in(reg) SCTLR_EL2_RES1,
            entry = in(reg) entry,
            spsr = in(reg) SPSR_EL2H_MASKED,
            sp_el3 = in(reg) cpu::stack_top(cpu, 3),
            in("x0") context,
            in("x1") 0_u64,
            in("x2") 0_u64,
            in("x3") 0_u64,
            options(noreturn),
        );
    }
}

/// SCR_EL3 for a non-secure EL1 with no EL2: NS, RES1 bits 5:4, RW (EL1
/// AArch64), APK and API; SMD clear (`smc` enabled).
const SCR_EL3_NS_EL1: u64 = 0x3_0431;

/// EL3 -> the payload at NS-EL1 on a CPU without EL2, x0 = `context`.
fn el3_enter_el1(cpu: usize, entry: u64, context: u64) -> ! {
    // SAFETY: Runs at EL3 (`handover` with el = 3) on a CPU without EL2. It
    // makes the non-secure EL1 AArch64 with MMU off and FP/SIMD trapped
    // (CPACR_EL1 = 0) and returns into the payload's entry point, checked as
    // for `enter_el2`. EL3's stack is reset to its top for the next `smc`.
    unsafe {
        asm!(
            "msr scr_el3, {scr}",
            "msr cpacr_el1, xzr",
            "msr sctlr_el1, {sctlr}",
            "msr elr_el3, {entry}",
            "msr spsr_el3, {spsr}",
            "isb",
            "mov sp, {sp_el3}",
            "eret",
            scr = in(reg) SCR_EL3_NS_EL1,
            sctlr = in(reg) SCTLR_EL1_RES1,
            entry = in(reg) entry,
            spsr = in(reg) SPSR_EL1H_MASKED,
            sp_el3 = in(reg) cpu::stack_top(cpu, 3),
            in("x0") context,
            in("x1") 0_u64,
            in("x2") 0_u64,
            in("x3") 0_u64,
            options(noreturn),
        );
    }
}

/// This image's NS-EL2 -> the payload at NS-EL1, x0 = `context`.
fn enter_el1(cpu: usize, entry: u64, context: u64) -> ! {
    let (midr, mpidr) = midr_mpidr();
    // SAFETY: Runs at EL2 (`handover` with el = 2, after this image set EL2
    // up). It makes EL1 AArch64 with the real MIDR/MPIDR, counter access,
    // MMU off and FP/SIMD trapped, and returns into the payload's entry
    // point, checked as for `enter_el2`. EL2's stack is reset to its top for
    // the `hvc` handler.
    unsafe {
        asm!(
            "msr hcr_el2, {hcr}",
            "msr cnthctl_el2, {cnthctl}",
            "msr cntvoff_el2, xzr",
            "msr vpidr_el2, {midr}",
            "msr vmpidr_el2, {mpidr}",
            "msr cpacr_el1, xzr",
            "msr sctlr_el1, {sctlr}",
            "msr elr_el2, {entry}",
            "msr spsr_el2, {spsr}",
            "isb",
            "mov sp, {sp_el2}",
            "eret",
            hcr = in(reg) HCR_EL2_RW,
            cnthctl = in(reg) CNTHCTL_EL2_EL1_ACCESS,
            midr = in(reg) midr,
            mpidr = in(reg) mpidr,
            sctlr = in(reg) SCTLR_EL1_RES1,
            entry = in(reg) entry,
            spsr = in(reg) SPSR_EL1H_MASKED,
            sp_el2 = in(reg) cpu::stack_top(cpu, 2),
            in("x0") context,
            in("x1") 0_u64,
            in("x2") 0_u64,
            in("x3") 0_u64,
            options(noreturn),
        );
    }
}

/// Bytes painted below the handler's frame for [`agent_stack`].
const AGENT_STACK_PAINT: usize = 8192;
/// Stack probe of the agent's handler on (the default) or off.
static STACK_PROBE: AtomicBool = AtomicBool::new(true);
/// Per LFA function (x0 - 0xC400_02E0), the most stack that
/// [`lfa_agent::Agent::handle`] used in one call so far; `usize::MAX` once
/// a call used all of [`AGENT_STACK_PAINT`].
static AGENT_STACK: [AtomicUsize; 7] = [const { AtomicUsize::new(0) }; 7];

/// Calls the agent's handler, measuring its stack ([`crate::stack`]) while
/// the probe is on.
fn handle_measured(agent: &dyn LfaAgent, regs: &mut Regs) -> Exit {
    if !STACK_PROBE.load(Ordering::Acquire) {
        return agent.handle(regs);
    }
    let slot = regs.x[0]
        .checked_sub(0xC400_02E0)
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| AGENT_STACK.get(i));
    let own = regs.x[0]
        .checked_sub(0xC400_02E0)
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| AGENT_OWN_STACK.get(i));
    let _ = crate::stack::take_lowest();
    let top = crate::stack::sp();
    let (exit, used) = crate::stack::measure(AGENT_STACK_PAINT, || agent.handle(regs));
    if let Some(slot) = slot {
        slot.fetch_max(used.unwrap_or(usize::MAX), Ordering::AcqRel);
    }
    // The QEMU platform notes SP at the start of each of its callbacks.
    let lowest = crate::stack::take_lowest();
    if let Some(own) = own.filter(|_| lowest != usize::MAX) {
        own.fetch_max(top.saturating_sub(lowest), Ordering::AcqRel);
    }
    exit
}

/// Per LFA function, the deepest the stack was when one of the QEMU
/// platform's callbacks started (its first frame included): the agent's own
/// share of [`AGENT_STACK`]; 0 when no callback ran.
static AGENT_OWN_STACK: [AtomicUsize; 7] = [const { AtomicUsize::new(0) }; 7];

/// The agent's own share of [`agent_stack`] for function `index`: how deep
/// the stack was when a callback of `lfa_qemu::platform::QemuPlatform`
/// started (its first frame included); 0 when no callback ran.
#[must_use]
pub fn agent_own_stack(index: usize) -> usize {
    AGENT_OWN_STACK
        .get(index)
        .map_or(0, |s| s.load(Ordering::Acquire))
}

/// Turns the stack probe of the agent's handler on or off (off for timing).
pub fn set_stack_probe(on: bool) {
    STACK_PROBE.store(on, Ordering::Release);
}

/// The most stack the agent's handler used in one call of LFA function
/// `index` (0 = LFA_VERSION .. 6 = LFA_CANCEL) while the probe was on: 0 if
/// never called, `None` when a call overran the painted area.
#[must_use]
pub fn agent_stack(index: usize) -> Option<usize> {
    let used = AGENT_STACK
        .get(index)
        .map_or(0, |s| s.load(Ordering::Acquire));
    (used != usize::MAX).then_some(used)
}
