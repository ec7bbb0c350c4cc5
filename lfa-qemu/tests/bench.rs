// SPDX-License-Identifier: MIT OR Apache-2.0
//! Benchmark image: what `lfa-client` costs on bare metal, in one QEMU run
//! with `-smp 4`.
//!
//! 1. **Client against raw `smc`.** CPU 0 issues the same requests (the same
//!    x0..x17) once through a hand-written `smc #0` and once through the
//!    client's public API, in alternating blocks, and prints generic timer
//!    ticks and nanoseconds per operation and the client/raw ratio (from the
//!    median block of each side, so a host hiccup in one block does not move
//!    the figure). The cases: LFA_VERSION (`Client::discover`), LFA_FEATURES
//!    (`Client::supports`), GET_INFO + GET_INVENTORY #0
//!    (`Client::components` and one item), and a whole read-only flow
//!    (discover, `require_all_functions`, list every component: 12 calls).
//!    `smc #1` (answered NOT_SUPPORTED by the exception code, no agent) gives
//!    the bare exception round trip.
//! 2. **Rendezvous window.** The four CPUs activate TF-A BL31 through
//!    `CpuRendezvous` (no stagger) [`REPS`] times. The EL3 agent is wrapped in
//!    [`TimedAgent`], which takes a timestamp on entry to and exit from its
//!    handler of every LFA_ACTIVATE, per CPU. The window is from the first CPU
//!    entering the hook's call to the last CPU leaving it
//!    (`CpuRendezvous::record`); the part spent inside the agent is from the
//!    first CPU entering the handler to the last leaving it; the rest is the
//!    client's code plus the `smc` exception entry and return.
//!
//! The figures are printed, not judged: the image fails only if a measurement
//! is broken (no ticks, a call count that is not exact, an operation that did
//! not answer as configured, a client/raw ratio that cannot be computed, a window
//! that does not hold the agent's span). Run it in release for the recorded
//! figures: `cargo test --release --test bench` (`scripts/qemu-test.sh` does).
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU64, Ordering};

use lfa_client::{Client, CpuResult};
use lfa_proto::components::TFA_BL31;
use lfa_proto::{
    FeaturesRequest, FirmwareVersion, FunctionId, GetInfoRequest, GetInventoryRequest, Regs,
    Request, SeqId, VersionRequest,
};
use lfa_qemu::cpu::MAX_CPUS;
use lfa_qemu::exceptions::raw_smc;
use lfa_qemu::rendezvous::CpuRendezvous;
use lfa_qemu::{Scenario, check, check_eq, cmdline, cpu, exceptions, println, timer};
use lfa_sim::{DEMO_COMPONENTS, Profile, SimAgent};
use lfa_smccc::{Conduit, Smc};

const CPUS: usize = 4;
/// [`CPUS`] as the agent counts them.
const CPUS_U32: u32 = 4;
/// Iterations per case and side: 10 blocks of [`BLOCK`].
const BLOCKS: usize = 10;
/// [`BLOCKS`] as a count of runs.
const BLOCKS_U64: u64 = 10;
/// Iterations per block; fewer in a debug build, whose figures are not the
/// recorded ones (`qemu-test.sh` runs this image in debug as a scenario, and
/// again in release for the figures).
const BLOCK: u64 = if cfg!(debug_assertions) { 100 } else { 1_000 };
/// Activations measured in the rendezvous part.
const REPS: usize = if cfg!(debug_assertions) { 5 } else { 21 };
/// Components in the agent (the simulator's demo population).
const COMPONENTS: u64 = 4;

// Function IDs written out by hand for the raw side; `raw_requests_match`
// checks them against lfa-proto's encoding.
const RAW_VERSION: u64 = 0xC400_02E0;
const RAW_FEATURES: u64 = 0xC400_02E1;
const RAW_GET_INFO: u64 = 0xC400_02E2;
const RAW_GET_INVENTORY: u64 = 0xC400_02E3;
const RAW_ACTIVATE: u64 = 0xC400_02E5;
/// x0 of LFA_VERSION 1.0.
const RAW_VERSION_1_0: u64 = 0x1_0000;

/// The clean simulated agent, with [`TimedAgent`] timestamps.
static AGENT: TimedAgent = TimedAgent::new();
/// Served by CPUs 1..3 until CPU 0 ends it. The bound covers the whole call
/// benchmark, during which the secondaries wait for the first job.
static RENDEZVOUS: CpuRendezvous = CpuRendezvous::new(CPUS, 20_000);

#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    cpus: CPUS,
    el3_agent: Some(&AGENT),
    el3_init,
    wait_ms: 25_000,
    ..Scenario::new("bench", main)
};

/// The simulated agent plus, per CPU, when its LFA_ACTIVATE handler ran
/// (generic timer ticks, taken at EL3 inside the `smc` handler).
struct TimedAgent {
    agent: SimAgent<8, 16>,
    /// First entry into ACTIVATE since [`TimedAgent::reset`]; 0 = none.
    entered: [AtomicU64; MAX_CPUS],
    /// Last exit from ACTIVATE.
    left: [AtomicU64; MAX_CPUS],
    /// Ticks spent inside ACTIVATE (all rounds).
    inside: [AtomicU64; MAX_CPUS],
    /// ACTIVATE calls.
    calls: [AtomicU64; MAX_CPUS],
}

impl TimedAgent {
    const fn new() -> Self {
        Self {
            agent: SimAgent::new(Profile::Clean),
            entered: [const { AtomicU64::new(0) }; MAX_CPUS],
            left: [const { AtomicU64::new(0) }; MAX_CPUS],
            inside: [const { AtomicU64::new(0) }; MAX_CPUS],
            calls: [const { AtomicU64::new(0) }; MAX_CPUS],
        }
    }

    /// Forgets every timestamp (called by CPU 0 outside any activation).
    fn reset(&self) {
        for slot in [&self.entered, &self.left, &self.inside, &self.calls] {
            for value in slot {
                value.store(0, Ordering::Release);
            }
        }
    }

    /// `cpu`'s (first entry, last exit, ticks inside, calls).
    fn record(&self, cpu: usize) -> (u64, u64, u64, u64) {
        let get =
            |slot: &[AtomicU64; MAX_CPUS]| slot.get(cpu).map_or(0, |v| v.load(Ordering::Acquire));
        (
            get(&self.entered),
            get(&self.left),
            get(&self.inside),
            get(&self.calls),
        )
    }
}

impl Conduit for TimedAgent {
    fn call(&self, args: &Regs) -> Regs {
        match args.x[0] {
            RAW_ACTIVATE => {}
            quiet::SLEEP => return quiet::sleep_at_el3(),
            quiet::WAKE => return quiet::wake_at_el3(),
            _ => return self.agent.call(args),
        }
        let entered = timer::ticks();
        let answer = self.agent.call(args);
        let left = timer::ticks();
        let cpu = cpu::index();
        if let (Some(first), Some(last), Some(inside), Some(calls)) = (
            self.entered.get(cpu),
            self.left.get(cpu),
            self.inside.get(cpu),
            self.calls.get(cpu),
        ) {
            // Only this CPU writes its slots during an activation.
            if first.load(Ordering::Acquire) == 0 {
                first.store(entered, Ordering::Release);
            }
            last.store(left, Ordering::Release);
            inside.fetch_add(left.saturating_sub(entered), Ordering::AcqRel);
            calls.fetch_add(1, Ordering::AcqRel);
        }
        answer
    }
}

fn el3_init() {
    quiet::init_at_el3();
    for component in DEMO_COMPONENTS {
        if AGENT.agent.add_component(component).is_err() {
            println!("FAIL: the agent has no room for the demo components");
        }
    }
    // Every CPU of the image is "on": BL31's pen waits for all four.
    AGENT.agent.set_online_cpus(CPUS_U32);
}

fn main(cpu: usize) {
    if cpu != 0 {
        // Asleep (WFI) while CPU 0 measures single calls, then serve.
        quiet::sleep();
        if RENDEZVOUS.serve(cpu, &Smc) {
            let record = RENDEZVOUS.record(cpu);
            check_eq!(
                record.outcome.map(|o| o.result()),
                Some(CpuResult::Done),
                "CPU {cpu}: the last activation completed"
            );
        }
        return;
    }
    let frequency = timer::frequency();
    println!(
        "bench: {} build, counter {frequency} Hz ({} ns/tick), {BLOCKS} x {BLOCK} iterations per case and side",
        if cfg!(debug_assertions) {
            "DEBUG (figures not representative; use --release)"
        } else {
            "release"
        },
        1_000_000_000 / frequency
    );
    raw_requests_match();
    if quiet::wait_for_sleepers(CPUS - 1) {
        calls();
    }
    quiet::wake();
    rendezvous_window();
    client_stacks();
    RENDEZVOUS.end();
}

// ---- quiet secondaries -------------------------------------------------

/// Keeps CPUs 1..3 off the host while CPU 0 measures single calls.
///
/// QEMU runs each vCPU on a host thread (multi-threaded TCG), and a vCPU
/// that spins (even on `yield` or `wfe`, which are no-ops there) takes a
/// whole host core. On a host with fewer cores than `-smp`, spinning
/// secondaries would share the host with CPU 0 and inflate (and scatter) its
/// figures. `wfi` really halts a vCPU until an interrupt is pending, so each
/// secondary sleeps in `wfi` at EL3 (interrupts masked: nothing is taken,
/// the pending SGI only ends the `wfi`) until CPU 0 sends SGI 0 through the
/// GICv2 distributor of `virt`. The SGI is Group 0 (Secure), so both the
/// CPU interface set-up and the SGI are done at EL3, through two
/// bench-only OEM calls that [`TimedAgent`] intercepts.
mod quiet {
    use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use lfa_proto::Regs;
    use lfa_qemu::{check, timer};
    use lfa_smccc::{Conduit, Smc};

    /// Bench-only call (SMCCC OEM service range): sleep until [`WAKE`].
    pub const SLEEP: u64 = 0xC300_B000;
    /// Bench-only call: wake every sleeper.
    pub const WAKE: u64 = 0xC300_B001;

    /// GICv2 distributor and CPU interface of QEMU `virt`.
    const GICD: usize = 0x0800_0000;
    const GICC: usize = 0x0801_0000;
    const GICD_CTLR: usize = GICD;
    const GICD_SGIR: usize = GICD + 0xF00;
    const GICC_CTLR: usize = GICC;
    const GICC_PMR: usize = GICC + 0x4;
    const GICC_IAR: usize = GICC + 0xC;
    const GICC_EOIR: usize = GICC + 0x10;
    /// GICD_SGIR: TargetListFilter = every CPU but the sender, NSATT = 0
    /// (Group 0), SGI 0.
    const SGI0_TO_OTHERS: u32 = 1 << 24;
    /// GICC_IAR value when nothing is pending.
    const SPURIOUS: u32 = 1023;

    static SLEEPING: AtomicUsize = AtomicUsize::new(0);
    static WOKEN: AtomicBool = AtomicBool::new(false);

    fn write(address: usize, value: u32) {
        // SAFETY: `address` is one of the GICv2 registers above, in the
        // device block the boot code maps at every EL; a 32-bit volatile
        // write is how GICv2 registers are written. Called only at EL3
        // (Secure), which owns Group 0.
        unsafe { core::ptr::write_volatile(address as *mut u32, value) }
    }

    fn read(address: usize) -> u32 {
        // SAFETY: As in `write`, for a 32-bit volatile read.
        unsafe { core::ptr::read_volatile(address as *const u32) }
    }

    /// EL3, CPU 0, before any CPU leaves EL3: enable Group 0 forwarding in
    /// the distributor (SGIs are always enabled on a GICv2, priority 0).
    pub fn init_at_el3() {
        write(GICD_CTLR, read(GICD_CTLR) | 1);
    }

    /// EL3, in the `smc` handler of a secondary: enable this CPU's interface
    /// for Group 0 with no priority mask, then `wfi` until [`wake_at_el3`].
    pub fn sleep_at_el3() -> Regs {
        write(GICC_PMR, 0xFF);
        write(GICC_CTLR, 1);
        SLEEPING.fetch_add(1, Ordering::AcqRel);
        // Woken by the SGI, or right away if it is already pending; the
        // runner's timeout bounds a wake that never comes (and CPU 0 stops
        // waiting for this one after `Scenario::wait_ms`).
        while !WOKEN.load(Ordering::Acquire) {
            // SAFETY: `wfi` only waits; it touches no memory or register.
            unsafe { core::arch::asm!("dsb sy", "wfi", options(nostack)) };
            let iar = read(GICC_IAR);
            if iar & 0x3FF != SPURIOUS {
                write(GICC_EOIR, iar);
            }
        }
        SLEEPING.fetch_sub(1, Ordering::AcqRel);
        Regs::ZERO
    }

    /// EL3, CPU 0's `smc` handler: wake every sleeper.
    pub fn wake_at_el3() -> Regs {
        WOKEN.store(true, Ordering::Release);
        // SAFETY: `dsb` orders the store before the SGI.
        unsafe { core::arch::asm!("dsb sy", options(nostack)) };
        write(GICD_SGIR, SGI0_TO_OTHERS);
        Regs::ZERO
    }

    /// A secondary at NS-EL1: sleep at EL3 until CPU 0 calls [`wake`].
    pub fn sleep() {
        let _ = Smc.call(&Regs::with_x0(SLEEP));
    }

    /// CPU 0: wake the sleepers.
    pub fn wake() {
        let _ = Smc.call(&Regs::with_x0(WAKE));
    }

    /// CPU 0: wait (1 s at most) until `cpus` secondaries sleep; a check.
    pub fn wait_for_sleepers(cpus: usize) -> bool {
        let deadline = timer::Deadline::after_ms(1_000);
        while SLEEPING.load(Ordering::Acquire) < cpus {
            if deadline.expired() {
                return check!(false, "{cpus} secondaries asleep within 1 s");
            }
            core::hint::spin_loop();
        }
        true
    }
}

// ---- raw calls -----------------------------------------------------------

/// The raw side's hand-written registers are the ones lfa-proto encodes.
fn raw_requests_match() {
    let raw = |function: u64, arg: u64| {
        let mut regs = Regs::with_x0(function);
        regs.x[1] = arg;
        regs
    };
    check_eq!(
        raw(RAW_VERSION, 0),
        VersionRequest.encode(),
        "raw LFA_VERSION registers = the client's"
    );
    check_eq!(
        raw(RAW_FEATURES, RAW_GET_INVENTORY),
        FeaturesRequest::new(FunctionId::GetInventory).encode(),
        "raw LFA_FEATURES registers = the client's"
    );
    check_eq!(
        raw(RAW_GET_INFO, 0),
        GetInfoRequest.encode(),
        "raw LFA_GET_INFO registers = the client's"
    );
    check_eq!(
        raw(RAW_GET_INVENTORY, 3),
        GetInventoryRequest::new(SeqId(3)).encode(),
        "raw LFA_GET_INVENTORY registers = the client's"
    );
    check_eq!(
        FunctionId::Activate.to_x0(),
        RAW_ACTIVATE,
        "LFA_ACTIVATE function ID"
    );
}

/// Raw LFA_VERSION; true if it answered 1.0.
fn raw_version() -> bool {
    raw_smc::<0>(RAW_VERSION, 0).0 == RAW_VERSION_1_0
}

/// Raw LFA_FEATURES of GET_INVENTORY; true if implemented.
fn raw_features() -> bool {
    raw_smc::<0>(RAW_FEATURES, RAW_GET_INVENTORY).0 == 0
}

/// Raw GET_INFO then GET_INVENTORY #0; true if both succeeded.
fn raw_first_entry() -> bool {
    let (status, count) = raw_smc::<0>(RAW_GET_INFO, 0);
    status == 0 && count > 0 && raw_smc::<0>(RAW_GET_INVENTORY, 0).0 == 0
}

/// Raw discovery and listing: VERSION, FEATURES of the six other functions,
/// GET_INFO, GET_INVENTORY of every id; true if every call succeeded.
fn raw_flow() -> bool {
    let mut ok = raw_smc::<0>(RAW_VERSION, 0).0 == RAW_VERSION_1_0;
    for function in [
        RAW_FEATURES,
        RAW_GET_INFO,
        RAW_GET_INVENTORY,
        0xC400_02E4,
        RAW_ACTIVATE,
        0xC400_02E6,
    ] {
        ok &= raw_smc::<0>(RAW_FEATURES, function).0 == 0;
    }
    let (status, count) = raw_smc::<0>(RAW_GET_INFO, 0);
    ok &= status == 0;
    for seq_id in 0..count.min(COMPONENTS) {
        ok &= raw_smc::<0>(RAW_GET_INVENTORY, seq_id).0 == 0;
    }
    ok
}

// ---- the same through the client ----------------------------------------

/// `Client::discover`: one LFA_VERSION, decoded, and a client made.
fn client_version() -> bool {
    Client::discover(Smc).is_ok_and(|c| c.version().major() == 1)
}

/// `Client::supports(GetInventory)`: one LFA_FEATURES.
fn client_features(client: &Client<Smc>) -> bool {
    client.supports(FunctionId::GetInventory) == Ok(true)
}

/// `Client::components` and its first item: GET_INFO and GET_INVENTORY #0.
fn client_first_entry(client: &Client<Smc>) -> bool {
    match client.components() {
        Ok(mut components) => {
            matches!(components.next(), Some(Ok(c)) if c.uuid() == TFA_BL31.uuid)
        }
        Err(_) => false,
    }
}

/// Discover, check every function, list every component.
fn client_flow() -> bool {
    let Ok(client) = Client::discover(Smc) else {
        return false;
    };
    if client.require_all_functions().is_err() {
        return false;
    }
    match client.components() {
        Ok(components) => {
            let mut listed = 0_u64;
            for component in components {
                if component.is_err() {
                    return false;
                }
                listed += 1;
            }
            listed == COMPONENTS
        }
        Err(_) => false,
    }
}

// ---- measuring -----------------------------------------------------------

/// Ticks of each block of [`BLOCK`] runs of `op`, the smc calls they took,
/// and how many runs answered as expected.
struct Side {
    blocks: [u64; BLOCKS],
    smcs: u64,
    good: u64,
}

impl Side {
    const fn new() -> Self {
        Self {
            blocks: [0; BLOCKS],
            smcs: 0,
            good: 0,
        }
    }

    /// Runs block `n`.
    fn block(&mut self, n: usize, op: &mut dyn FnMut() -> bool) {
        let calls = exceptions::smc_calls();
        let start = timer::ticks();
        let mut good = 0;
        for _ in 0..BLOCK {
            good += u64::from(op());
        }
        let ticks = timer::ticks().saturating_sub(start);
        self.smcs += exceptions::smc_calls() - calls;
        self.good += good;
        if let Some(slot) = self.blocks.get_mut(n) {
            *slot = ticks;
        }
    }

    /// Ticks of the median block (the upper one of the middle two).
    fn median(&self) -> u64 {
        let mut sorted = self.blocks;
        sorted.sort_unstable();
        sorted.get(BLOCKS / 2).copied().unwrap_or(0)
    }
}

/// `value` / 100 as "int.frac" with two decimals.
struct Hundredths(u64);

impl core::fmt::Display for Hundredths {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Nanoseconds in `ticks`.
fn ns(ticks: u64) -> u64 {
    let ns = u128::from(ticks) * 1_000_000_000 / u128::from(timer::frequency());
    u64::try_from(ns).unwrap_or(u64::MAX)
}

/// Measures `raw` against `client` (each `smcs` calls per run) in
/// alternating blocks, prints one table row and checks the measurement.
fn compare(name: &str, smcs: u64, raw: &mut dyn FnMut() -> bool, client: &mut dyn FnMut() -> bool) {
    // Warm up both paths (TLBs, QEMU's translation cache).
    for _ in 0..BLOCK / 10 {
        raw();
        client();
    }
    let mut r = Side::new();
    let mut c = Side::new();
    for n in 0..BLOCKS {
        r.block(n, raw);
        c.block(n, client);
    }
    let runs = BLOCK * BLOCKS_U64;
    let (raw_block, client_block) = (r.median(), c.median());
    // Per run, in hundredths of a tick.
    let raw_t100 = raw_block * 100 / BLOCK;
    let client_t100 = client_block * 100 / BLOCK;
    let ratio100 = (client_block * 100).checked_div(raw_block).unwrap_or(0);
    let overhead_ns = ns(client_block.saturating_sub(raw_block)) / BLOCK / smcs;
    println!(
        "{name:<34} {smcs:>3} smc  raw {:>8} t {:>6} ns   client {:>8} t {:>6} ns   client/raw {}   (+{overhead_ns} ns per smc)",
        Hundredths(raw_t100),
        ns(raw_block) / BLOCK,
        Hundredths(client_t100),
        ns(client_block) / BLOCK,
        Hundredths(ratio100),
    );
    check!(
        raw_block > 0 && client_block > 0,
        "{name}: the counter advanced on both sides"
    );
    // `break-check` on the guest command line: expect one call too many, so
    // that the run must fail (a self-test of these checks).
    let expected = if cmdline::has("break-check") {
        smcs + 1
    } else {
        smcs
    };
    check_eq!(
        (r.smcs, c.smcs),
        (runs * expected, runs * expected),
        "{name}: exactly {expected} smc per run on both sides"
    );
    check_eq!(
        (r.good, c.good),
        (runs, runs),
        "{name}: every run answered as configured"
    );
    // The ratio itself is a figure, not a pass/fail bound: on a loaded host
    // (vCPU threads descheduled) it has been seen as low as 0.38. Only a
    // ratio that could not be computed means the measurement is broken.
    check!(
        ratio100 > 0,
        "{name}: client/raw {} could be computed (both sides took time)",
        Hundredths(ratio100)
    );
}

/// Part 1: the client against raw `smc`.
fn calls() {
    println!("-- one LFA call: client vs hand-written smc (median block, per operation)");
    // The bare exception round trip, for scale.
    let calls = exceptions::smc_calls();
    let start = timer::ticks();
    let mut unsupported = 0;
    for _ in 0..BLOCK {
        unsupported += u64::from(raw_smc::<1>(RAW_VERSION, 0).0 == u64::MAX);
    }
    let ticks = timer::ticks().saturating_sub(start);
    println!(
        "{:<34}   1 smc  raw {:>8} t {:>6} ns   (no agent: the exception entry, save/restore and return)",
        "smc #1 (NOT_SUPPORTED, no agent)",
        Hundredths(ticks * 100 / BLOCK),
        ns(ticks) / BLOCK,
    );
    check_eq!(
        (unsupported, exceptions::smc_calls() - calls),
        (BLOCK, BLOCK),
        "smc #1: every call answered NOT_SUPPORTED and counted"
    );

    compare(
        "LFA_VERSION / Client::discover",
        1,
        &mut raw_version,
        &mut client_version,
    );
    let Ok(client) = Client::discover(Smc) else {
        check!(false, "discover");
        return;
    };
    compare(
        "LFA_FEATURES / Client::supports",
        1,
        &mut raw_features,
        &mut || client_features(&client),
    );
    compare(
        "GET_INFO+GET_INVENTORY#0 / components",
        2,
        &mut raw_first_entry,
        &mut || client_first_entry(&client),
    );
    compare(
        "whole flow: discover+features+list",
        8 + COMPONENTS,
        &mut raw_flow,
        &mut client_flow,
    );
}

// ---- part 3: stack per client entry point -------------------------------

/// Bytes painted below CPU 0's stack pointer per measured call.
const STACK_PAINT: usize = 16 * 1024;

/// One `cost: stack` line (`scripts/cost-report.sh` reads them); a check
/// that the call fit in the painted area.
fn stack_line(name: &str, used: Option<usize>) {
    match used {
        Some(bytes) => println!("cost: stack {name} {bytes}"),
        None => println!("cost: stack {name} overran the {STACK_PAINT}-byte painted area"),
    }
    check!(used.is_some(), "stack of {name} measured");
}

/// Part 3: the stack each public entry point of the client uses on CPU 0,
/// measured by painting (`lfa_qemu::stack::measure`), the same code and
/// target as the figures above; every call must succeed.
fn client_stacks() {
    use lfa_proto::components::TF_RMM;
    use lfa_qemu::stack::measure;
    println!("-- stack per client entry point (painted, CPU 0, bytes below the caller's SP)");
    let (client, used) = measure(STACK_PAINT, || Client::discover(Smc));
    stack_line("discover", used);
    let Ok(client) = client else {
        check!(false, "discover");
        return;
    };
    let (ok, used) = measure(STACK_PAINT, || client.supports(FunctionId::Prime));
    stack_line("supports", used);
    check_eq!(ok, Ok(true), "supports(PRIME)");
    let (ok, used) = measure(STACK_PAINT, || client.require_all_functions());
    stack_line("require_all_functions", used);
    check!(ok.is_ok(), "require_all_functions");
    let (listed, used) = measure(STACK_PAINT, || {
        client
            .components()
            .map(|list| list.filter(Result::is_ok).count())
    });
    stack_line("components (listing all)", used);
    check_eq!(listed, Ok(4), "four components listed");
    // PRIME and ACTIVATE alone: TF-RMM lets one CPU activate it.
    let stage = |uuid, minor| {
        AGENT
            .agent
            .stage(uuid, FirmwareVersion::new(0, minor))
            .is_ok()
    };
    check!(stage(TF_RMM.uuid, 9), "stage TF-RMM");
    let mut alone = client.with_options(lfa_client::Options::DEFAULT.with_force_rendezvous(false));
    let (found, used) = measure(STACK_PAINT, || alone.find(TF_RMM.uuid));
    stack_line("find", used);
    let Ok(Some(rmm)) = found else {
        check!(false, "TF-RMM found");
        return;
    };
    let (primed, used) = measure(STACK_PAINT, || alone.prime(&rmm));
    stack_line("prime", used);
    let Ok(primed) = primed else {
        check!(false, "prime TF-RMM");
        return;
    };
    let (done, used) = measure(STACK_PAINT, move || primed.activate_alone());
    stack_line("Primed::activate_alone", used);
    check!(done.is_ok(), "TF-RMM activated by one CPU");
    // ACTIVATE with the four-CPU rendezvous.
    let Ok(mut client) = Client::discover(Smc) else {
        check!(false, "discover");
        return;
    };
    let staged = AGENT
        .agent
        .stage(TFA_BL31.uuid, FirmwareVersion::new(2, 99))
        .is_ok();
    check!(staged, "stage BL31");
    match client
        .find(TFA_BL31.uuid)
        .map(|found| found.map(|c| client.prime(&c)))
    {
        Ok(Some(Ok(primed))) => {
            let (done, used) = measure(STACK_PAINT, move || primed.activate_with(&RENDEZVOUS));
            stack_line("Primed::activate_with (4-CPU rendezvous)", used);
            check!(done.is_ok(), "BL31 activated on 4 CPUs");
        }
        _ => {
            check!(false, "BL31 found and primed");
            return;
        }
    }
    // Both again, through activate_all_pending and the rendezvous.
    check!(stage(TF_RMM.uuid, 10), "stage TF-RMM");
    let staged = AGENT
        .agent
        .stage(TFA_BL31.uuid, FirmwareVersion::new(2, 100))
        .is_ok();
    check!(staged, "stage BL31");
    let mut reported = 0;
    let (summary, used) = measure(STACK_PAINT, || {
        client.activate_all_pending(&RENDEZVOUS, |_| reported += 1)
    });
    stack_line("activate_all_pending (4-CPU rendezvous)", used);
    check!(
        summary.is_ok_and(|s| s.activated == 2),
        "activate_all_pending activated both"
    );
    stepped_stacks(&mut client);
}

/// The non-blocking form: the deepest single step of `PrimeOp::step` and
/// of `ActivationOp::step_with` (BL31 through the four-CPU rendezvous).
fn stepped_stacks(client: &mut Client<Smc>) {
    use lfa_client::Step;
    use lfa_qemu::stack::measure;
    let staged = AGENT
        .agent
        .stage(TFA_BL31.uuid, FirmwareVersion::new(2, 101))
        .is_ok();
    check!(staged, "stage BL31");
    let op = match client.find(TFA_BL31.uuid) {
        Ok(Some(bl31)) => client.prime_op(&bl31).ok(),
        _ => None,
    };
    let Some(mut op) = op else {
        check!(false, "BL31 found, PrimeOp made");
        return;
    };
    let (mut deepest, mut steps) = (Some(0), 0);
    let primed = loop {
        let (step, used) = measure(STACK_PAINT, || op.step(client));
        deepest = deepest.zip(used).map(|(a, b)| a.max(b));
        steps += 1;
        match step {
            Step::Done(result) => break result,
            Step::Pending { .. } if steps < 100 => {}
            Step::Pending { .. } => {
                break Err(lfa_client::Error::new(
                    lfa_client::ErrorDetail::StaleOperation,
                ));
            }
        }
    };
    stack_line("PrimeOp::step (deepest step)", deepest);
    let Ok(primed) = primed else {
        check!(false, "BL31 primed step by step");
        return;
    };
    let mut activation = primed.activate();
    let (mut deepest, mut steps) = (Some(0), 0);
    let done = loop {
        let (step, used) = measure(STACK_PAINT, || activation.step_with(client, &RENDEZVOUS));
        deepest = deepest.zip(used).map(|(a, b)| a.max(b));
        steps += 1;
        match step {
            Step::Done(result) => break result,
            Step::Pending { .. } if steps < 100 => {}
            Step::Pending { .. } => {
                break Err(lfa_client::Error::new(
                    lfa_client::ErrorDetail::StaleOperation,
                ));
            }
        }
    };
    stack_line("ActivationOp::step_with (deepest step)", deepest);
    check!(done.is_ok(), "BL31 activated step by step on 4 CPUs");
}

// ---- part 2: the rendezvous window --------------------------------------

/// One activation's figures, in ticks. `window = before + agent + after`.
#[derive(Clone, Copy, Default)]
struct Window {
    /// First CPU entering the hook's call to the last leaving it.
    window: u64,
    /// First CPU entering the hook's call to the first entering the agent's
    /// LFA_ACTIVATE handler: client code and one `smc` exception entry.
    before: u64,
    /// First CPU entering the agent's ACTIVATE to the last leaving it (the
    /// holding pen's wait for the last CPU included).
    agent: u64,
    /// Last CPU leaving the agent to the last leaving the hook's call: one
    /// exception return and client code.
    after: u64,
    /// Mean over the CPUs of (own time in the call - own time in the agent):
    /// each CPU's client code and exception entry/exit.
    client_per_cpu: u64,
    /// Spread of the CPUs' entries into the hook's call.
    arrivals: u64,
    /// `activate_with` on CPU 0, the whole call (hook gathering and the
    /// re-enumeration after it included).
    activate_with: u64,
}

/// Part 2: [`REPS`] activations of BL31 on four CPUs.
fn rendezvous_window() {
    println!("-- rendezvous window: BL31 activated on {CPUS} CPUs, {REPS} times");
    let mut windows = [Window::default(); REPS];
    let mut completed = 0;
    for (rep, slot) in windows.iter_mut().enumerate() {
        let minor = 13 + u32::try_from(rep).unwrap_or(0);
        if AGENT
            .agent
            .stage(TFA_BL31.uuid, FirmwareVersion::new(2, minor))
            .is_err()
        {
            check!(false, "stage BL31");
            return;
        }
        match activate_once() {
            Some(w) => {
                *slot = w;
                completed += 1;
            }
            None => return,
        }
    }
    check_eq!(completed, REPS, "every activation completed");
    check_eq!(RENDEZVOUS.jobs(), REPS, "one rendezvous job per activation");
    let pick = |f: fn(&Window) -> u64| {
        let mut values = windows.map(|w| f(&w));
        values.sort_unstable();
        let at = |i: usize| values.get(i).copied().unwrap_or(0);
        (at(0), at(REPS / 2), at(REPS - 1))
    };
    let us = |t: u64| Hundredths(ns(t) / 10);
    for (name, f) in [
        (
            "window (first CPU in the hook -> last out)",
            (|w: &Window| w.window) as fn(&Window) -> u64,
        ),
        ("  before the agent (client code + smc entry)", |w| w.before),
        ("  in the agent (first in ACTIVATE -> last out)", |w| {
            w.agent
        }),
        ("  after the agent (smc return + client code)", |w| w.after),
        ("per CPU, mean: in the call but not in the agent", |w| {
            w.client_per_cpu
        }),
        ("arrival spread (entries into the hook's call)", |w| {
            w.arrivals
        }),
        ("activate_with on CPU 0 (whole call)", |w| w.activate_with),
    ] {
        let (min, median, max) = pick(f);
        println!(
            "{name:<50} median {median:>7} t = {:>8} us   (min {min} t, max {max} t)",
            us(median)
        );
    }
}

/// One activation through the four-CPU rendezvous; `None` after a failed check.
fn activate_once() -> Option<Window> {
    let Ok(mut client) = Client::discover(Smc) else {
        check!(false, "discover");
        return None;
    };
    let bl31 = match client.find(TFA_BL31.uuid) {
        Ok(Some(c)) if c.is_pending() => c,
        other => {
            check!(false, "BL31 listed and pending: {other:?}");
            return None;
        }
    };
    let primed = match client.prime(&bl31) {
        Ok(p) => p,
        Err(e) => {
            check!(false, "prime BL31: {e}");
            return None;
        }
    };
    AGENT.reset();
    let start = timer::ticks();
    let result = primed.activate_with(&RENDEZVOUS);
    let activate_with = timer::ticks().saturating_sub(start);
    if let Err(e) = result {
        check!(false, "activate BL31 on {CPUS} CPUs: {e}");
        return None;
    }
    let hook = [0, 1, 2, 3].map(|c| RENDEZVOUS.record(c));
    let agent = [0, 1, 2, 3].map(|c| AGENT.record(c));
    let first_in = hook.iter().map(|r| r.entered).min().unwrap_or(0);
    let last_in = hook.iter().map(|r| r.entered).max().unwrap_or(0);
    let last_out = hook.iter().map(|r| r.left).max().unwrap_or(0);
    let agent_in = agent.iter().map(|a| a.0).min().unwrap_or(0);
    let agent_out = agent.iter().map(|a| a.1).max().unwrap_or(0);
    let outside: u64 = hook
        .iter()
        .zip(&agent)
        .map(|(h, a)| h.left.saturating_sub(h.entered).saturating_sub(a.2))
        .sum();
    let sane = agent.iter().all(|a| a.3 == 1 && a.0 > 0)
        && hook.iter().all(|h| h.outcome.is_some() && h.entered > 0)
        && first_in <= agent_in
        && agent_in <= agent_out
        && agent_out <= last_out;
    if !sane {
        check!(
            false,
            "one ACTIVATE per CPU, and the agent's span inside the hook's window"
        );
        return None;
    }
    Some(Window {
        window: last_out - first_in,
        before: agent_in - first_in,
        agent: agent_out - agent_in,
        after: last_out - agent_out,
        client_per_cpu: outside / u64::from(CPUS_U32),
        arrivals: last_in - first_in,
        activate_with,
    })
}
