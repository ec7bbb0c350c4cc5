// SPDX-License-Identifier: MIT OR Apache-2.0
//! A real live activation of EL3 code on four CPUs: the firmware's "LFA
//! demo service" (SiP call 0xC200_0001) runs version 1.0, version 2.0 is
//! staged with its manifest, and LFA, through `lfa_agent::Agent` with the
//! QEMU platform (`lfa_qemu::platform`), replaces the service's code while
//! every CPU is parked in the agent's pen. The normal world sees the new
//! answers on every CPU without a reboot.
//!
//! The image runs in firmware mode: EL3 serves PSCI, the service and LFA
//! (`lfa_qemu::firmware::Firmware::with_agent`); the image is its own
//! payload at NS-EL1 (`live_payload_entry` below), and CPU 0 starts CPUs
//! 1..3 with PSCI `CPU_ON`, so the agent's rendezvous size comes from the
//! firmware's PSCI states. Steps (CPU 0 drives, a bounded barrier
//! separates them):
//! 1. every CPU calls the service: version 1.0, `3x + 1`;
//! 2. lfa-client lists the component: pending, 1.0 -> 2.0;
//! 3. one byte of the staged image flipped: PRIME is AUTH_ERROR, every CPU
//!    still gets 1.0's answers;
//! 4. byte restored; only CPUs 0 and 1 call ACTIVATE: both get
//!    ACTIVATION_FAILED once the agent's 2 s bound has passed, every CPU
//!    still gets 1.0's answers;
//! 5. the activation through `CpuRendezvous` on all four CPUs;
//! 6. every CPU calls the service: version 2.0, `x * x + 0x200`; the
//!    listing shows the component not pending, at 2.0;
//! 7. an activation that resets the CPUs (the scripted CPU-reset demo
//!    component, may_reset_cpu): CPU 0 keeps copies of its client and of
//!    the `ActivationOp` in a static, then every CPU, CPU 0 included, sends
//!    its ACTIVATE and none returns; each resumes at `live_resume_entry` at
//!    NS-EL1 with x0 = the context id, still gets 2.0's answers, and marks
//!    itself back. CPU 0's resume code takes the copies and finishes the op
//!    with a hook that makes no call and reports
//!    `CpuOutcome::after_reset` for each CPU that came back; the op
//!    re-enumerates: 4 CPUs reset, the component at 1.1, not pending.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use lfa_agent::{Agent, Phase};
use lfa_client::ErrorDetail;

use lfa_client::{
    ActivationOp, Client, CpuJob, CpuOutcome, CpuReset, CpuResult, Error, Next, Options,
    Rendezvous, RendezvousError, Step,
};
use lfa_proto::regs::from_signed;
use lfa_proto::{FirmwareVersion, LfaError};
use lfa_qemu::cpu::Barrier;
use lfa_qemu::exceptions::raw_smc;
use lfa_qemu::firmware::{self, CPU_ON, Firmware};
use lfa_qemu::platform::{
    self, CPU_RESET_DEMO_UUID, DEMO_SERVICE_CALL, DEMO_SERVICE_UUID, QemuPlatform,
};
use lfa_qemu::rendezvous::CpuRendezvous;
use lfa_qemu::{
    Scenario, check, check_eq, exception_level, exceptions, mmu, println, service, timer,
};
use lfa_smccc::{Conduit, Regs, Smc};

const CPUS: usize = 4;

static AGENT: Agent<QemuPlatform, CPUS> = Agent::new(QemuPlatform::new());
static FIRMWARE: Firmware = Firmware::with_agent(&AGENT).with_service(serve);

/// The firmware's runtime service: the demo service of the platform.
fn serve(regs: &mut Regs) -> bool {
    AGENT.platform().serve(regs)
}

/// Separates the steps (every CPU, bounded).
static STEP: Barrier = Barrier::new(CPUS);
/// CPUs 0 and 1 only: the partial rendezvous.
static PARTIAL: CpuRendezvous = CpuRendezvous::new(2, 10_000);
/// Every CPU: the activation.
static FULL: CpuRendezvous = CpuRendezvous::new(CPUS, 10_000);
/// Every CPU: the activation that resets them (never completes: the CPUs
/// resume elsewhere).
static RESET: CpuRendezvous = CpuRendezvous::new(CPUS, 10_000);
/// x0 at the resume entry point.
const RESET_CONTEXT: u64 = 0x5EED_C0DE_0000_0007;
/// Bound of each step barrier: above the partial rendezvous's 2 s.
const STEP_MS: u64 = 10_000;

/// The byte of the staged image that step 3 flips.
const FLIPPED: usize = platform::STAGING_IMAGE + 8;

core::arch::global_asm!(
    r#"
    .section .text.payload, "ax"
    .global live_payload_entry
// The payload's entry at NS-EL1 (MMU off, FP/SIMD trapped, x0 = context
// id): this CPU's EL1 stack (slot cpu * 3 + 2, as boot.S and cpu.rs
// compute it), FP/SIMD untrapped, then the boot code's Rust entry at EL1,
// which turns the MMU on, installs the vectors and runs the test body.
live_payload_entry:
    mrs     x19, mpidr_el1
    and     x19, x19, #0xff
    mov     x22, #3
    mul     x22, x19, x22
    add     x22, x22, #3            // (cpu * 3 + 2) + 1
    mov     x23, #0x10000
    adrp    x24, __stacks_start
    add     x24, x24, :lo12:__stacks_start
    madd    x24, x22, x23, x24
    mov     sp, x24
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb
    mov     x0, x19
    mov     x1, #1
    bl      lfa_qemu_start
1:  wfi
    b       1b

    .global live_resume_entry
// Where an activation that resets CPUs resumes them, at NS-EL1 (MMU off,
// FP/SIMD trapped, x0 = the context id): as above, then
// `live_resumed(cpu, context id)`.
live_resume_entry:
    mov     x20, x0
    mrs     x19, mpidr_el1
    and     x19, x19, #0xff
    mov     x22, #3
    mul     x22, x19, x22
    add     x22, x22, #3
    mov     x23, #0x10000
    adrp    x24, __stacks_start
    add     x24, x24, :lo12:__stacks_start
    madd    x24, x22, x23, x24
    mov     sp, x24
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb
    mov     x0, x19
    mov     x1, x20
    bl      live_resumed
2:  wfi
    b       2b
"#
);

unsafe extern "C" {
    fn live_payload_entry();
    fn live_resume_entry();
}

/// The resume entry's address (`Options::cpu_reset`).
fn resume_entry() -> u64 {
    live_resume_entry as *const () as usize as u64
}

/// The payload's entry address (for `set_payload` and `CPU_ON`).
fn payload_entry() -> u64 {
    live_payload_entry as *const () as usize as u64
}

#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    cpus: CPUS,
    el3_agent: Some(&FIRMWARE),
    el3_init,
    handover: Some(firmware::handover),
    ..Scenario::new("live_activation", main)
};

/// EL3 on CPU 0, before any CPU leaves EL3: install the service's 1.0,
/// stage 2.0 (the delivery channel's job), enter the payload at NS-EL1.
fn el3_init() {
    if let Err(e) = AGENT.platform().boot(service::V1, service::V1_MANIFEST) {
        println!("FAIL: installing the service: {e}");
    }
    if !platform::stage(service::V2, service::V2_MANIFEST) {
        println!("FAIL: staging the service's 2.0");
    }
    println!(
        "firmware: demo service {} installed at {:#x} ({} bytes); {} bytes staged at {:#x}",
        AGENT
            .platform()
            .running()
            .unwrap_or(FirmwareVersion::new(0, 0)),
        platform::SERVICE_BASE,
        service::V1.len(),
        service::V2.len(),
        platform::STAGING_IMAGE
    );
    firmware::set_payload(payload_entry(), 1);
}

/// `maj.min`, or `N/A` for a version not reported.
struct Ver(Option<FirmwareVersion>);

impl core::fmt::Display for Ver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            Some(v) => write!(f, "{v}"),
            None => f.write_str("N/A"),
        }
    }
}

/// Waits for every CPU at the end of a step.
fn step(cpu: usize, what: &str) {
    if let Err(e) = STEP.wait(STEP_MS) {
        check!(
            false,
            "CPU {cpu}: every CPU at the end of {what} ({} came)",
            e.arrived
        );
    }
}

fn main(cpu: usize) {
    if cpu == 0 {
        start_other_cpus();
    }
    step(cpu, "the start");
    service_round(cpu, "before", V1_0);
    step(cpu, "the first service round");

    // 2 and 3: the listing, then a corrupted image.
    if cpu == 0 {
        listed_pending();
        corrupted_image_is_refused();
    }
    step(cpu, "the corrupted-image step");
    service_round(cpu, "after AUTH_ERROR", V1_0);
    step(cpu, "the second service round");

    // 4: a partial rendezvous (CPUs 0 and 1; 2 and 3 wait at the barrier).
    match cpu {
        0 => partial_rendezvous_fails(),
        1 => {
            PARTIAL.serve(1, &Smc);
        }
        _ => {}
    }
    step(cpu, "the partial rendezvous");
    service_round(cpu, "after the partial rendezvous", V1_0);
    step(cpu, "the third service round");

    // 5: the activation on every CPU.
    if cpu == 0 {
        activate();
    } else if FULL.serve(cpu, &Smc) {
        let record = FULL.record(cpu);
        check_eq!(
            record.outcome.map(|o| o.result()),
            Some(CpuResult::Done),
            "CPU {cpu}: its LFA_ACTIVATE completed"
        );
    }
    step(cpu, "the activation");
    service_round(cpu, "after the activation", V2_0);
    step(cpu, "the last service round");
    if cpu == 0 {
        listed_activated();
    }
    step(cpu, "the listing after the activation");

    // 7: an activation that resets every CPU: success never returns here.
    if cpu == 0 {
        reset_activation();
    } else {
        RESET.serve(cpu, &Smc);
    }
    check!(
        false,
        "CPU {cpu}: an activation that resets CPUs did not return"
    );
}

/// What one version of the service answers.
struct Expected {
    version: u64,
    value: fn(u64) -> u64,
    name: &'static str,
}

const V1_0: Expected = Expected {
    version: 1 << 16,
    value: |x| x.wrapping_mul(3).wrapping_add(1),
    name: "1.0 (3x + 1)",
};

const V2_0: Expected = Expected {
    version: 2 << 16,
    value: |x| x.wrapping_mul(x).wrapping_add(0x200),
    name: "2.0 (x * x + 0x200)",
};

/// This CPU calls the service and checks it answers as `expected`.
fn service_round(cpu: usize, when: &str, expected: Expected) {
    let x1 = 1000 + cpu as u64;
    let mut request = Regs::with_x0(DEMO_SERVICE_CALL);
    request.x[1] = x1;
    let answer = Smc.call(&request);
    let [version, value, ..] = answer.x;
    println!(
        "[cpu{cpu}] service {when}: x1 = {x1} -> version {}.{}, value {value}",
        version >> 16,
        version & 0xFFFF
    );
    check_eq!(
        (version, value),
        (expected.version, (expected.value)(x1)),
        "CPU {cpu}: the service {when} is {}",
        expected.name
    );
}

/// PSCI `CPU_ON` for CPUs 1..3, retried while a CPU has not yet reached
/// its "off" state (INVALID_PARAMETERS), for at most 1 s each.
fn start_other_cpus() {
    for target in 1..CPUS as u64 {
        let mut regs = Regs::with_x0(CPU_ON);
        regs.x[1] = target;
        regs.x[2] = payload_entry();
        regs.x[3] = target;
        let deadline = timer::Deadline::after_ms(1_000);
        let status = loop {
            let status = Smc.call(&regs).x[0];
            if status != from_signed(-2) || deadline.expired() {
                break status;
            }
            core::hint::spin_loop();
        };
        check_eq!(status, 0, "CPU_ON of CPU {target}");
    }
    check_eq!(firmware::cpus_on(), 4, "PSCI counts 4 CPUs on");
}

/// The demo service component as `client` lists it (a component value
/// belongs to the client that read it).
fn find_service(client: &Client<Smc>) -> Option<lfa_client::Component> {
    match client.find(DEMO_SERVICE_UUID) {
        Ok(found) => found,
        Err(e) => {
            check!(false, "listing: {e}");
            None
        }
    }
}

/// A client and the demo service as it lists it.
fn discover_service() -> Option<(Client<Smc>, lfa_client::Component)> {
    let client = Client::discover(Smc).ok()?;
    let c = find_service(&client)?;
    Some((client, c))
}

/// Step 2: pending, with both versions.
fn listed_pending() {
    println!("-- the demo service as the normal world lists it");
    let Some(c) = Client::discover(Smc)
        .ok()
        .and_then(|client| find_service(&client))
    else {
        check!(false, "the demo service is listed");
        return;
    };
    println!(
        "  {} {} capable={} pending={} rendezvous={} current={} pending_version={}",
        c.seq_id(),
        c.uuid(),
        u8::from(c.is_capable()),
        u8::from(c.is_pending()),
        u8::from(c.rendezvous_required()),
        Ver(c.current_version()),
        Ver(c.pending_version())
    );
    check_eq!(
        (
            c.is_capable(),
            c.is_pending(),
            c.rendezvous_required(),
            c.current_version(),
            c.pending_version()
        ),
        (
            true,
            true,
            true,
            Some(FirmwareVersion::new(1, 0)),
            Some(FirmwareVersion::new(2, 0))
        ),
        "the demo service: capable, pending, rendezvous required, 1.0 -> 2.0"
    );
}

/// Step 3: a flipped byte in the staged image; PRIME is AUTH_ERROR.
fn corrupted_image_is_refused() {
    println!("-- a corrupted staged image");
    let mut byte = [0_u8; 1];
    platform::read_staging(FLIPPED, &mut byte);
    let [original] = byte;
    check!(
        platform::write_staging(FLIPPED, &[original ^ 0x01]),
        "one byte of the staged image flipped"
    );
    let Some((mut client, c)) = discover_service() else {
        check!(false, "discover and list");
        return;
    };
    let result = client.prime(&c).map(|_primed| ());
    if let Err(e) = &result {
        println!("  client error (expected): {e}");
    }
    check!(
        matches!(
            result.map_err(|e| e.detail()),
            Err(ErrorDetail::PrimeFailed {
                status: LfaError::AuthError,
                rounds: 2,
                ..
            })
        ),
        "PRIME of the corrupted image: AUTH_ERROR in round 2 (round 1 loaded it)"
    );
    check_eq!(
        AGENT.platform().auth_errors(),
        1,
        "the platform refused it once"
    );
    check_eq!(AGENT.phase(), Phase::Idle, "the agent is idle");
    check!(
        platform::write_staging(FLIPPED, &[original]),
        "the staged image restored"
    );
}

/// Step 4: only CPUs 0 and 1 call ACTIVATE; the agent gives up after its
/// bound and both get ACTIVATION_FAILED.
fn partial_rendezvous_fails() {
    println!("-- a partial rendezvous: CPUs 0 and 1 of 4 call LFA_ACTIVATE");
    let Some((mut client, c)) = discover_service() else {
        check!(false, "discover and list");
        PARTIAL.end();
        return;
    };
    let start = timer::ticks();
    let result = client
        .prime(&c)
        .and_then(|primed| primed.activate_with(&PARTIAL));
    let elapsed = timer::ticks() - start;
    PARTIAL.end();
    let ms = elapsed * 1000 / timer::frequency();
    if let Err(e) = &result {
        println!("  client error (expected): {e}");
    }
    println!(
        "partial rendezvous: ACTIVATION_FAILED after {ms} ms (bound {} ms from the first arrival)",
        platform::RENDEZVOUS_TIMEOUT_MS
    );
    check!(
        matches!(
            result.map_err(|e| e.detail()),
            Err(ErrorDetail::ActivateFailed {
                status: LfaError::ActivationFailed,
                ..
            })
        ),
        "the partial rendezvous: ActivateFailed with ACTIVATION_FAILED"
    );
    for cpu in 0..2 {
        check_eq!(
            PARTIAL.record(cpu).outcome.map(|o| o.result()),
            Some(CpuResult::Failed(LfaError::ActivationFailed)),
            "CPU {cpu} left the pen with ACTIVATION_FAILED"
        );
    }
    check!(
        ms >= platform::RENDEZVOUS_TIMEOUT_MS,
        "the agent waited its whole bound ({ms} ms >= {} ms)",
        platform::RENDEZVOUS_TIMEOUT_MS
    );
    check_eq!(AGENT.platform().activations(), 0, "nothing was activated");
    check_eq!(
        AGENT.phase(),
        Phase::Idle,
        "the agent is idle after the CANCEL"
    );
}

/// Step 5: the activation on every CPU.
fn activate() {
    println!("-- the activation on all 4 CPUs");
    let Some((mut client, c)) = discover_service() else {
        check!(false, "discover and list");
        FULL.end();
        return;
    };
    let primes = AGENT.platform().prime_calls();
    let result = client
        .prime(&c)
        .and_then(|primed| primed.activate_with(&FULL));
    FULL.end();
    match &result {
        Ok(done) => println!(
            "activated the demo service: {} -> {} (PRIME x{}, ACTIVATE x{} on {} CPUs)",
            Ver(done.old_version()),
            Ver(done.new_version()),
            done.prime_rounds(),
            done.activate_rounds(),
            done.cpus()
        ),
        Err(e) => println!("  client error: {e}"),
    }
    check!(
        result
            .as_ref()
            .is_ok_and(|d| d.cpus() == CPUS && d.new_version() == Some(FirmwareVersion::new(2, 0))),
        "activated on 4 CPUs; the client reads 2.0 back"
    );
    check_eq!(
        AGENT.platform().prime_calls() - primes,
        2,
        "PRIME took 2 rounds (CALL_AGAIN after loading)"
    );
    check_eq!(AGENT.platform().activations(), 1, "one activation");
    let records = [0, 1, 2, 3].map(|c| FULL.record(c));
    let first_in = records.iter().map(|r| r.entered).min().unwrap_or(0);
    let last_in = records.iter().map(|r| r.entered).max().unwrap_or(0);
    let first_out = records.iter().map(|r| r.left).min().unwrap_or(0);
    let last_out = records.iter().map(|r| r.left).max().unwrap_or(0);
    let us = |ticks: u64| ticks * 1_000_000 / timer::frequency();
    println!(
        "rendezvous window: {} us (first CPU in -> last CPU out; arrivals over {} us); \
         copy and cache maintenance in `activate`: {} us",
        us(last_out - first_in),
        us(last_in - first_in),
        us(AGENT.platform().activate_ticks())
    );
    check!(
        first_out >= last_in,
        "no CPU left LFA_ACTIVATE before the last one entered"
    );
}

/// Step 6: no longer pending, at the new version.
fn listed_activated() {
    let Some(c) = Client::discover(Smc)
        .ok()
        .and_then(|client| find_service(&client))
    else {
        check!(false, "the demo service is listed after the activation");
        return;
    };
    println!(
        "  after: pending={} current={} pending_version={}",
        u8::from(c.is_pending()),
        Ver(c.current_version()),
        Ver(c.pending_version())
    );
    check_eq!(
        (c.is_pending(), c.current_version()),
        (false, Some(FirmwareVersion::new(2, 0))),
        "after the activation: not pending, current 2.0"
    );
    check_eq!(AGENT.phase(), Phase::Idle, "the agent is idle");
}

/// The CPUs that came back at the resume entry point with the context id
/// (bit `n` for CPU `n`).
static CAME_BACK: AtomicU32 = AtomicU32::new(0);
/// Every CPU's bit.
const ALL_CPUS: u32 = (1 << CPUS) - 1;
/// When CPU 0 sent the resetting activation's PRIME (ticks).
static RESET_SENT: AtomicU64 = AtomicU64::new(0);
/// What CPU 0 keeps for its resume code: copies of its client and of the
/// activation, taken just before the step that resets every CPU (a copy,
/// not a lock held across a call that does not return).
static KEPT: spin::Mutex<Option<(Client<Smc>, ActivationOp)>> = spin::Mutex::new(None);
/// Bound of CPU 0's wait, in its resume code, for the other CPUs to come
/// back.
const RESUME_WAIT_MS: u64 = 5_000;
/// Bound of the steps that finish the activation after the reset (the
/// window, then the re-enumeration of a few components).
const MAX_RESUME_STEPS: u32 = 64;

/// The CPU-reset demo's options: the resume entry point and context id.
fn reset_options() -> Options {
    Options::DEFAULT.with_cpu_reset(Some(CpuReset {
        entry_point: resume_entry(),
        context_id: RESET_CONTEXT,
    }))
}

/// Step 7 on CPU 0: prime the CPU-reset demo, keep copies of the client and
/// the activation, then the rendezvous; only a failure returns.
fn reset_activation() {
    println!("-- an activation that resets every CPU (the CPU-reset demo)");
    let Ok(client) = Client::discover(Smc) else {
        check!(false, "discover");
        RESET.end();
        return;
    };
    let mut client = client.with_options(reset_options());
    let found = client.find(CPU_RESET_DEMO_UUID);
    let Ok(Some(c)) = found else {
        check!(false, "the CPU-reset demo is listed: {found:?}");
        RESET.end();
        return;
    };
    check!(
        c.may_reset_cpu() && c.is_pending(),
        "the CPU-reset demo: may reset CPUs, pending"
    );
    RESET_SENT.store(timer::ticks(), Ordering::Release);
    let primed = match client.prime(&c) {
        Ok(primed) => primed.into_op(),
        Err(e) => {
            check!(false, "PRIME of the CPU-reset demo: {e}");
            RESET.end();
            return;
        }
    };
    let mut op = primed.activate_with_rendezvous();
    *KEPT.lock() = Some((client.clone(), op.clone()));
    println!(
        "[cpu0] client and ActivationOp kept for the resume path (next: {:?}); \
         LFA_ACTIVATE on every CPU",
        op.next()
    );
    let step = op.step_with(&mut client, &RESET);
    RESET.end();
    check!(false, "the resetting activation returned: {step:?}");
}

/// The rendezvous hook of CPU 0's resume code: the CPUs' ACTIVATE calls
/// were made before the reset, so it makes none; it reports
/// `CpuOutcome::after_reset(1)` (one call each, parked in the agent's pen
/// until the reset) for each CPU that came back, and fails if one did not.
struct CameBack;

impl<C: Conduit + ?Sized> Rendezvous<C> for CameBack {
    fn run_on_every_cpu(
        &self,
        _conduit: &C,
        job: CpuJob,
        collect: &mut dyn FnMut(CpuOutcome),
    ) -> Result<(), RendezvousError> {
        let request = job.activate_request();
        if (request.entry_point, request.context_id) != (resume_entry(), RESET_CONTEXT) {
            return Err(RendezvousError(
                "the job is not the activation the CPUs were reset by",
            ));
        }
        let came_back = CAME_BACK.load(Ordering::Acquire);
        for cpu in 0..CPUS {
            if came_back & (1 << cpu) != 0 {
                let outcome = CpuOutcome::after_reset(1);
                println!("[cpu0] the hook reports CPU {cpu}: {outcome}");
                collect(outcome);
            }
        }
        if came_back == ALL_CPUS {
            Ok(())
        } else {
            Err(RendezvousError("not every CPU came back from the reset"))
        }
    }
}

/// Where every CPU resumes after step 7 (from `live_resume_entry`, NS-EL1,
/// MMU off): the MMU and vectors again, checks, then CPU 0 finishes the
/// activation while the others wait at the step barrier.
#[unsafe(no_mangle)]
extern "C" fn live_resumed(cpu: usize, context: u64) -> ! {
    mmu::enable(1);
    exceptions::install_vectors(1);
    let el = exception_level::current();
    println!(
        "[cpu{cpu}] resumed at live_resume_entry {:#x} at NS-EL{el}, x0 = {context:#x}",
        resume_entry()
    );
    if check_eq!(
        (el, context),
        (1, RESET_CONTEXT),
        "CPU {cpu} resumed at NS-EL1 at the entry point, x0 = the context id"
    ) {
        CAME_BACK.fetch_or(1 << cpu, Ordering::AcqRel);
    }
    service_round(cpu, "after the CPU reset", V2_0);
    if cpu == 0 {
        finish_after_reset();
    }
    step(cpu, "the resume");
    lfa_qemu::main_done(cpu)
}

/// The cost report's figures of the agent (`scripts/cost-report.sh` reads
/// the `cost:` lines): the stack its handler used per function over the
/// whole run (painted, `lfa_qemu::stack`), GET_INVENTORY through it against
/// a bare exception round trip (`smc #1`, answered NOT_SUPPORTED by the
/// exception code), in generic timer ticks, and its `size_of`.
fn agent_figures() {
    const NAMES: [&str; 7] = [
        "VERSION",
        "FEATURES",
        "GET_INFO",
        "GET_INVENTORY",
        "PRIME",
        "ACTIVATE",
        "CANCEL",
    ];
    check_eq!(
        raw_smc::<0>(0xC400_02E1, 0xC400_02E3).0,
        0,
        "LFA_FEATURES(GET_INVENTORY) through the agent"
    );
    let mut max = Some(0);
    for (index, name) in NAMES.iter().enumerate() {
        let used = firmware::agent_stack(index);
        let own = firmware::agent_own_stack(index);
        println!("cost: agent-own-stack {name} {own}");
        match used {
            Some(bytes) => println!("cost: agent-stack {name} {bytes}"),
            None => println!("cost: agent-stack {name} overran the painted area"),
        }
        max = max.zip(used).map(|(a, b)| a.max(b));
    }
    check!(
        max.is_some_and(|m| m > 0),
        "the agent's handler stack was measured"
    );
    println!("cost: agent-stack max {}", max.unwrap_or(0));
    let own = (0..NAMES.len()).map(firmware::agent_own_stack).max();
    println!("cost: agent-own-stack max {}", own.unwrap_or(0));

    // GET_INVENTORY #0 and `smc #1`, alternating blocks, probe off.
    const BLOCKS: usize = 11;
    const BLOCK: u64 = 200;
    firmware::set_stack_probe(false);
    let (mut inventory, mut bare) = ([0_u64; BLOCKS], [0_u64; BLOCKS]);
    let mut good = 0;
    for (inv, exc) in inventory.iter_mut().zip(bare.iter_mut()) {
        let start = timer::ticks();
        for _ in 0..BLOCK {
            good += u64::from(raw_smc::<0>(0xC400_02E3, 0).0 == 0);
        }
        *inv = timer::ticks() - start;
        let start = timer::ticks();
        for _ in 0..BLOCK {
            good += u64::from(raw_smc::<1>(0xC400_02E3, 0).0 == u64::MAX);
        }
        *exc = timer::ticks() - start;
    }
    firmware::set_stack_probe(true);
    inventory.sort_unstable();
    bare.sort_unstable();
    let median = |v: &[u64; BLOCKS]| v.get(BLOCKS / 2).copied().unwrap_or(0);
    let (inv, exc) = (median(&inventory), median(&bare));
    check_eq!(
        good,
        2 * BLOCK * BLOCKS as u64,
        "every GET_INVENTORY answered 0, every smc #1 NOT_SUPPORTED"
    );
    check!(inv > 0 && exc > 0, "the counter advanced");
    let ns = |ticks: u64| ticks * 1_000_000_000 / timer::frequency() / BLOCK;
    let ratio100 = (inv * 100).checked_div(exc).unwrap_or(0);
    println!(
        "cost: agent-get-inventory {} ns ({} ticks) vs bare smc #1 {} ns ({} ticks): x{}.{:02}, +{} ns in the agent",
        ns(inv),
        inv / BLOCK,
        ns(exc),
        exc / BLOCK,
        ratio100 / 100,
        ratio100 % 100,
        ns(inv).saturating_sub(ns(exc))
    );
    println!(
        "cost: size_of Agent<QemuPlatform, 4> {}",
        core::mem::size_of::<Agent<QemuPlatform, CPUS>>()
    );
}

/// CPU 0's resume code: waits (bounded) for every CPU to come back, takes
/// the kept client and activation, and finishes the activation.
fn finish_after_reset() {
    let deadline = timer::Deadline::after_ms(RESUME_WAIT_MS);
    while CAME_BACK.load(Ordering::Acquire) != ALL_CPUS && !deadline.expired() {
        core::hint::spin_loop();
    }
    let came_back = CAME_BACK.load(Ordering::Acquire);
    let us = (timer::ticks() - RESET_SENT.load(Ordering::Acquire)) * 1_000_000 / timer::frequency();
    println!(
        "{} of {CPUS} CPUs resumed (mask {came_back:#x}); {us} us from PRIME to the last resume",
        came_back.count_ones()
    );
    check_eq!(came_back, ALL_CPUS, "every CPU resumed");
    check_eq!(
        AGENT.platform().reset_to(),
        (resume_entry(), RESET_CONTEXT),
        "the platform got the entry point and context id"
    );
    let activations = AGENT.platform().activations();
    let kept = KEPT.lock().take();
    let Some((mut client, mut op)) = kept else {
        check!(false, "CPU 0 kept its client and activation");
        return;
    };
    check_eq!(
        op.next(),
        Some(Next::Rendezvous),
        "the kept activation is from before its ACTIVATE round"
    );
    let mut steps: u32 = 0;
    let result = loop {
        steps += 1;
        match op.step_with(&mut client, &CameBack) {
            Step::Done(result) => break Some(result),
            Step::Pending { .. } if steps < MAX_RESUME_STEPS => {}
            Step::Pending { next, .. } => {
                check!(
                    false,
                    "the activation finished within {MAX_RESUME_STEPS} steps (next: {next:?})"
                );
                break None;
            }
        }
    };
    let Some(result) = result else { return };
    match &result {
        Ok(done) => println!(
            "[cpu0] client from the resume path: activated the CPU-reset demo {} -> {} on {} CPUs, \
             {} reset (ACTIVATE x{}), in {steps} steps; re-enumerated: pending={} current={}",
            Ver(done.old_version()),
            Ver(done.new_version()),
            done.cpus(),
            done.cpus_reset(),
            done.activate_rounds(),
            u8::from(done.now().is_ok_and(|c| c.is_pending())),
            Ver(done.now().ok().and_then(|c| c.current_version())),
        ),
        Err(e) => println!("[cpu0] client error from the resume path: {e}"),
    }
    let Ok(done) = result else {
        check!(false, "the activation completed from the resume path");
        return;
    };
    check_eq!(
        (
            done.cpus(),
            done.cpus_reset(),
            done.activate_rounds(),
            done.used_rendezvous()
        ),
        (CPUS, CPUS, 1, true),
        "the client: 4 CPUs, all 4 reset, one ACTIVATE each, through the rendezvous"
    );
    check_eq!(
        done.before().uuid(),
        CPU_RESET_DEMO_UUID,
        "the activation is the CPU-reset demo's"
    );
    let now = done
        .now()
        .map(|c| (c.uuid(), c.is_pending(), c.current_version()));
    check_eq!(
        now,
        Ok((
            CPU_RESET_DEMO_UUID,
            false,
            Some(platform::CPU_RESET_DEMO_TO)
        )),
        "re-enumerated: the CPU-reset demo not pending, at 1.1"
    );
    check_eq!(
        done.new_version(),
        Some(platform::CPU_RESET_DEMO_TO),
        "the client reads 1.1 back"
    );
    check_eq!(
        AGENT.platform().activations(),
        activations,
        "the resume path sent no ACTIVATE"
    );
    check_eq!(AGENT.phase(), Phase::Idle, "the agent is idle");
    check!(
        op.step_with(&mut client, &CameBack)
            == Step::Done(Err(Error::new(ErrorDetail::StaleOperation))),
        "the finished activation is stale"
    );
    check!(client.release().is_ok(), "the release after the activation");
    check_eq!(
        AGENT.phase(),
        Phase::Idle,
        "the agent is idle after the release"
    );
    agent_figures();
}
