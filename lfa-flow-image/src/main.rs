// SPDX-License-Identifier: MIT OR Apache-2.0
//! An aarch64 bare-metal image holding every lfa-client flow over the real
//! conduits, the simulated agent's call handler and `lfa_agent::Agent`'s
//! handler with the QEMU platform of `lfa-qemu` (its
//! `src/platform.rs`, compiled here as a module: lfa-qemu itself brings a
//! panic handler), linked with a panic handler that references an
//! undefined symbol.
//!
//! If any panic path survives optimisation in the code below (which is all
//! LFA code plus the parts of `core` it uses), the panic handler is
//! reachable, its reference to `lfa_panic_is_reachable` is kept, and the link
//! fails with "undefined symbol: lfa_panic_is_reachable". So a successful
//! link is the proof; `scripts/panic-check.sh` also checks the symbol table
//! for any `panic` symbol. The image is never run.
#![no_std]
#![no_main]

use core::fmt::Write;
use core::panic::PanicInfo;

use lfa_client::{
    Client, Clock, Error, GenericTimerClock, OnlyCpu, Options, Progress, Rendezvous, Step,
};
use lfa_proto::{Regs, Uuid};
use lfa_sim::SimAgent;
use lfa_smccc::{Conduit, Hvc, Method, Smc};

/// The QEMU platform of lfa-qemu, the same source file. It uses
/// `crate::{cpu, firmware, stack, timer}`: the modules below give it what
/// lfa-qemu's modules of those names do.
#[path = "../../lfa-qemu/src/platform.rs"]
#[allow(dead_code)] // its boot-time installer and test accessors are not linked here
mod platform;

/// lfa-qemu's `stack::note_depth` (the cost report's probe at the start of
/// each platform callback): the lowest SP per CPU, kept in an atomic.
mod stack {
    use core::sync::atomic::{AtomicUsize, Ordering};

    static LOWEST: [AtomicUsize; 4] = [const { AtomicUsize::new(usize::MAX) }; 4];

    /// Notes this CPU's stack pointer.
    #[inline(always)]
    pub fn note_depth() {
        let sp: usize;
        // SAFETY: Reads SP into a register; no memory access.
        unsafe {
            core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags));
        }
        if let Some(lowest) = LOWEST.get(super::cpu::index()) {
            lowest.fetch_min(sp, Ordering::Relaxed);
        }
    }
}

/// lfa-qemu's `cpu::index`.
mod cpu {
    /// MPIDR_EL1.Aff0.
    pub fn index() -> usize {
        let mpidr: u64;
        // SAFETY: Reading MPIDR_EL1 has no side effects.
        unsafe {
            core::arch::asm!("mrs {}, mpidr_el1", out(reg) mpidr, options(nomem, nostack, preserves_flags));
        }
        let [aff0, ..] = mpidr.to_le_bytes();
        usize::from(aff0)
    }
}

/// lfa-qemu's `firmware::cpus_on` (PSCI states, counted) and
/// `firmware::valid_entry_point`.
mod firmware {
    use core::sync::atomic::{AtomicU32, Ordering};

    /// PSCI state per CPU (2 = ON), written by a `CPU_ON` elsewhere.
    pub static CPUS: [AtomicU32; 4] = [const { AtomicU32::new(0) }; 4];

    /// CPUs that are on.
    pub fn cpus_on() -> u32 {
        let on = CPUS
            .iter()
            .filter(|c| c.load(Ordering::Acquire) == 2)
            .count();
        u32::try_from(on).unwrap_or(u32::MAX)
    }

    /// A CPU may be started or resumed there (RAM).
    pub fn valid_entry_point(entry_point: u64) -> bool {
        (0x4000_0000..0x8000_0000).contains(&entry_point)
    }
}

/// lfa-qemu's `timer`.
mod timer {
    use lfa_baremetal::timer::Counter;
    pub use lfa_baremetal::timer::frequency;

    /// The physical counter.
    pub fn ticks() -> u64 {
        lfa_baremetal::timer::Physical::ticks()
    }
}

/// The EL3 side with lfa-agent: the agent with the QEMU platform, and the
/// platform's demo service, as the firmware's SMC dispatcher calls them.
static QEMU_AGENT: lfa_agent::Agent<platform::QemuPlatform, 4> =
    lfa_agent::Agent::new(platform::QemuPlatform::new());

/// The lfa-qemu firmware's dispatch of one trapped call after PSCI:
/// service, then LFA. Returns the agent's exit as a number.
#[unsafe(no_mangle)]
pub extern "C" fn lfa_agent_handle(regs: &mut Regs) -> u64 {
    if QEMU_AGENT.platform().serve(regs) {
        return 0;
    }
    match QEMU_AGENT.handle(regs) {
        lfa_agent::Exit::Return => 1,
        lfa_agent::Exit::Resume { entry_point, .. } => entry_point,
    }
}

/// The EL3 side: a simulated agent, as an SMC handler would hold it.
static AGENT: SimAgent = SimAgent::new(lfa_sim::Profile::TfA);

/// Everything a caller does with a client over `conduit`, timed by the
/// generic timer; returns a count so nothing is optimised away.
#[inline(never)]
fn flows<C: Conduit + Sync, R: Rendezvous<C>>(conduit: C, uuid: Uuid, rendezvous: &R) -> u32 {
    let mut client = match Client::discover(conduit) {
        Ok(c) => c
            .with_options(Options::DEFAULT.with_force_rendezvous(false))
            .with_clock(GenericTimerClock::new()),
        Err(e) => return report(&e),
    };
    let mut n = 0;
    if client.require_all_functions().is_err() {
        n += 1;
    }
    if let Ok(components) = client.components() {
        for c in components.flatten() {
            n += u32::from(c.is_activatable()) + u32::from(c.name().is_some());
        }
    }
    match client.find(uuid) {
        Ok(Some(c)) => match client.prime(&c) {
            Ok(primed) => {
                let result = match primed.prime_rounds() % 3 {
                    0 => primed.activate_with(rendezvous),
                    1 => primed.activate(rendezvous),
                    _ => primed.activate_alone(),
                };
                match result {
                    Ok(done) => n += done.activate_rounds(),
                    Err(e) => n += report(&e),
                }
            }
            Err(e) => n += report(&e),
        },
        Ok(None) => {}
        Err(e) => n += report(&e),
    }
    n += stepped(&mut client, uuid, rendezvous);
    match client.activate_all_pending(rendezvous, |progress| {
        if let Progress::Skipped { error, .. } = progress {
            let _ = report(error);
        }
    }) {
        Ok(summary) => n + summary.activated + summary.skipped,
        Err(stopped) => n + report(&stopped.error),
    }
}

/// The non-blocking form, one call per step, waiting through the clock.
#[inline(never)]
fn stepped<C: Conduit, K: Clock, R: Rendezvous<C>>(
    client: &mut Client<C, K>,
    uuid: Uuid,
    rendezvous: &R,
) -> u32 {
    let component = match client.find(uuid) {
        Ok(Some(c)) => c,
        Ok(None) => return 0,
        Err(e) => return report(&e),
    };
    let mut op = match client.prime_op(&component) {
        Ok(op) => op,
        Err(e) => return report(&e),
    };
    let mut steps = 0_u32;
    let primed = loop {
        steps = steps.wrapping_add(1);
        match op.step(client) {
            Step::Done(Ok(primed)) => break primed,
            Step::Done(Err(e)) => return report(&e),
            Step::Pending { .. } => {}
        }
    };
    let mut activation = primed.activate();
    loop {
        steps = steps.wrapping_add(1);
        match activation.step_with(client, rendezvous) {
            Step::Done(Ok(done)) => {
                return steps.wrapping_add(u32::try_from(done.cpus_reset()).unwrap_or(u32::MAX));
            }
            Step::Done(Err(e)) => return report(&e),
            Step::Pending { wait, .. } => {
                if let Some(wait) = wait {
                    GenericTimerClock::new().delay(wait);
                }
            }
        }
    }
}

/// Formats an error into a fixed buffer, as a kernel's log would.
#[inline(never)]
fn report(e: &Error) -> u32 {
    let mut line = Line {
        len: 0,
        buf: [0; 256],
    };
    let _ = write!(line, "{e}");
    u32::try_from(line.len).unwrap_or(u32::MAX)
}

struct Line {
    len: usize,
    buf: [u8; 256],
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}

/// The non-secure side: every flow over `smc`, `hvc` and a run-time method.
#[unsafe(no_mangle)]
pub extern "C" fn lfa_client_flows(which: u32, uuid_hi: u64, uuid_lo: u64) -> u32 {
    let uuid = Uuid::from_u64_pair(uuid_hi, uuid_lo);
    match which {
        0 => flows(Smc, uuid, &OnlyCpu),
        1 => flows(Hvc, uuid, &OnlyCpu),
        _ => match Method::from_dt_method(b"smc\0") {
            Ok(method) => flows(method, uuid, &OnlyCpu),
            Err(_) => 0,
        },
    }
}

/// The EL3 side: the simulated agent answering the trapped registers.
#[unsafe(no_mangle)]
pub extern "C" fn lfa_sim_handle(regs: &mut Regs) {
    *regs = AGENT.handle(regs);
}

/// The entry point: calls both sides with values the optimiser cannot see.
#[unsafe(no_mangle)]
pub extern "C" fn _start(x0: u64, x1: u64, x2: u64) -> ! {
    let mut regs = Regs::ZERO;
    regs.x[0] = x0;
    regs.x[1] = x1;
    loop {
        lfa_sim_handle(&mut regs);
        regs.x[3] = lfa_agent_handle(&mut regs);
        let which = u32::try_from(regs.x[0] & 3).unwrap_or(0);
        regs.x[2] = u64::from(lfa_client_flows(which, x1, x2));
    }
}

#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    unsafe extern "C" {
        /// Defined nowhere: referencing it makes the link fail.
        fn lfa_panic_is_reachable() -> !;
    }
    // SAFETY: never executed in an image that links, because the link fails
    // whenever this handler is reachable (the symbol is undefined).
    #[cfg(not(feature = "find-panics"))]
    unsafe {
        lfa_panic_is_reachable()
    }
    #[cfg(feature = "find-panics")]
    loop {}
}
