// SPDX-License-Identifier: MIT OR Apache-2.0
//! Boot scaffolding: the EL3 and EL2 call paths, register preservation, and
//! exclusives with four CPUs.
//!
//! A stub agent at EL3 answers `LFA_VERSION` with 1.0 (and wipes the SIMD
//! registers and x18 on purpose); there is no EL2 agent, so `hvc` answers
//! `NOT_SUPPORTED`. CPU 0 probes both calls with every register set to a
//! known pattern and checks what comes back; then all four CPUs hammer shared
//! counters with `compare_exchange`, `fetch_add` and a `spin::Mutex`, and
//! issue `smc` concurrently, and CPU 0 checks the exact totals.
#![no_std]
#![no_main]

use core::arch::{asm, global_asm};
use core::sync::atomic::{AtomicU64, Ordering};

use lfa_proto::{LfaVersion, Regs, Response, VersionResponse, regs::from_signed};
use lfa_qemu::cpu::Barrier;
use lfa_qemu::{Scenario, check, check_eq, exceptions, println, timer};
use lfa_smccc::{Conduit, Smc};

#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    cpus: CPUS,
    el3_agent: Some(&STUB),
    ..Scenario::new("boot", main)
};

const CPUS: usize = 4;
const LFA_VERSION: u64 = 0xC400_02E0;
const NOT_SUPPORTED: u64 = from_signed(-1);
/// Increments per CPU and counter in the exclusives test.
const ROUNDS: u64 = 20_000;
/// `smc` calls per CPU in the concurrent-call test.
const CONCURRENT_CALLS: u64 = 200;

/// Answers LFA_VERSION with 1.0 and anything else with NOT_SUPPORTED, writing
/// x0 only, after destroying every register the EL3 entry code must save.
struct StubAgent;

static STUB: StubAgent = StubAgent;

impl Conduit for StubAgent {
    fn call(&self, args: &Regs) -> Regs {
        // SAFETY: Writes only the registers named as clobbered; they are
        // caller-saved for Rust, so the compiler keeps nothing live in them.
        unsafe {
            asm!(
                "movi v0.2d, #0", "movi v1.2d, #0", "movi v2.2d, #0", "movi v3.2d, #0",
                "movi v4.2d, #0", "movi v5.2d, #0", "movi v6.2d, #0", "movi v7.2d, #0",
                "movi v8.2d, #0", "movi v9.2d, #0", "movi v10.2d, #0", "movi v11.2d, #0",
                "movi v12.2d, #0", "movi v13.2d, #0", "movi v14.2d, #0", "movi v15.2d, #0",
                "movi v16.2d, #0", "movi v17.2d, #0", "movi v18.2d, #0", "movi v19.2d, #0",
                "movi v20.2d, #0", "movi v21.2d, #0", "movi v22.2d, #0", "movi v23.2d, #0",
                "movi v24.2d, #0", "movi v25.2d, #0", "movi v26.2d, #0", "movi v27.2d, #0",
                "movi v28.2d, #0", "movi v29.2d, #0", "movi v30.2d, #0", "movi v31.2d, #0",
                "mov x18, #0",
                out("v0") _, out("v1") _, out("v2") _, out("v3") _,
                out("v4") _, out("v5") _, out("v6") _, out("v7") _,
                out("v8") _, out("v9") _, out("v10") _, out("v11") _,
                out("v12") _, out("v13") _, out("v14") _, out("v15") _,
                out("v16") _, out("v17") _, out("v18") _, out("v19") _,
                out("v20") _, out("v21") _, out("v22") _, out("v23") _,
                out("v24") _, out("v25") _, out("v26") _, out("v27") _,
                out("v28") _, out("v29") _, out("v30") _, out("v31") _,
                out("x18") _,
                options(nomem, nostack),
            );
        }
        let mut answer = *args;
        if args.x[0] == LFA_VERSION {
            VersionResponse {
                version: LfaVersion::new(1, 0),
            }
            .encode_into(&mut answer);
        } else {
            answer.x[0] = NOT_SUPPORTED;
        }
        answer
    }
}

/// Every register a caller can observe around one call.
#[repr(C)]
struct Probe {
    /// x0..x30: sent, then received.
    x: [u64; 31],
    _pad: u64,
    /// q0..q31: sent, then received.
    q: [[u64; 2]; 32],
    fpcr: u64,
    fpsr: u64,
}

// probe_smc / probe_hvc / probe_smc1 (x0 = &mut Probe): load every register
// from the probe, issue the call, store every register back into the probe.
// Offsets: x at 0, q at 256, fpcr at 768, fpsr at 776.
global_asm!(
    r#"
.macro probe name, insn
    .global \name
\name:
    stp     x29, x30, [sp, #-16]!   // AAPCS64 callee-saved state
    stp     x27, x28, [sp, #-16]!
    stp     x25, x26, [sp, #-16]!
    stp     x23, x24, [sp, #-16]!
    stp     x21, x22, [sp, #-16]!
    stp     x19, x20, [sp, #-16]!
    stp     d8, d9, [sp, #-16]!
    stp     d10, d11, [sp, #-16]!
    stp     d12, d13, [sp, #-16]!
    stp     d14, d15, [sp, #-16]!
    str     x0, [sp, #-16]!         // the probe's address
    ldr     x1, [x0, #768]
    msr     fpcr, x1
    ldr     x1, [x0, #776]
    msr     fpsr, x1
    add     x1, x0, #256
    ldp     q0, q1, [x1, #0]
    ldp     q2, q3, [x1, #32]
    ldp     q4, q5, [x1, #64]
    ldp     q6, q7, [x1, #96]
    ldp     q8, q9, [x1, #128]
    ldp     q10, q11, [x1, #160]
    ldp     q12, q13, [x1, #192]
    ldp     q14, q15, [x1, #224]
    ldp     q16, q17, [x1, #256]
    ldp     q18, q19, [x1, #288]
    ldp     q20, q21, [x1, #320]
    ldp     q22, q23, [x1, #352]
    ldp     q24, q25, [x1, #384]
    ldp     q26, q27, [x1, #416]
    ldp     q28, q29, [x1, #448]
    ldp     q30, q31, [x1, #480]
    ldp     x2, x3, [x0, #16]
    ldp     x4, x5, [x0, #32]
    ldp     x6, x7, [x0, #48]
    ldp     x8, x9, [x0, #64]
    ldp     x10, x11, [x0, #80]
    ldp     x12, x13, [x0, #96]
    ldp     x14, x15, [x0, #112]
    ldp     x16, x17, [x0, #128]
    ldp     x18, x19, [x0, #144]
    ldp     x20, x21, [x0, #160]
    ldp     x22, x23, [x0, #176]
    ldp     x24, x25, [x0, #192]
    ldp     x26, x27, [x0, #208]
    ldp     x28, x29, [x0, #224]
    ldr     x30, [x0, #240]
    ldp     x0, x1, [x0, #0]        // last: the base register itself
    \insn
    stp     x0, x1, [sp, #-16]!     // free x0, x1
    ldr     x0, [sp, #16]           // the probe's address (SP must be intact)
    stp     x2, x3, [x0, #16]
    stp     x4, x5, [x0, #32]
    stp     x6, x7, [x0, #48]
    stp     x8, x9, [x0, #64]
    stp     x10, x11, [x0, #80]
    stp     x12, x13, [x0, #96]
    stp     x14, x15, [x0, #112]
    stp     x16, x17, [x0, #128]
    stp     x18, x19, [x0, #144]
    stp     x20, x21, [x0, #160]
    stp     x22, x23, [x0, #176]
    stp     x24, x25, [x0, #192]
    stp     x26, x27, [x0, #208]
    stp     x28, x29, [x0, #224]
    str     x30, [x0, #240]
    ldp     x2, x3, [sp], #16       // the call's x0, x1
    stp     x2, x3, [x0, #0]
    add     x1, x0, #256
    stp     q0, q1, [x1, #0]
    stp     q2, q3, [x1, #32]
    stp     q4, q5, [x1, #64]
    stp     q6, q7, [x1, #96]
    stp     q8, q9, [x1, #128]
    stp     q10, q11, [x1, #160]
    stp     q12, q13, [x1, #192]
    stp     q14, q15, [x1, #224]
    stp     q16, q17, [x1, #256]
    stp     q18, q19, [x1, #288]
    stp     q20, q21, [x1, #320]
    stp     q22, q23, [x1, #352]
    stp     q24, q25, [x1, #384]
    stp     q26, q27, [x1, #416]
    stp     q28, q29, [x1, #448]
    stp     q30, q31, [x1, #480]
    mrs     x2, fpcr
    str     x2, [x0, #768]
    mrs     x2, fpsr
    str     x2, [x0, #776]
    add     sp, sp, #16             // the probe's address
    ldp     d14, d15, [sp], #16
    ldp     d12, d13, [sp], #16
    ldp     d10, d11, [sp], #16
    ldp     d8, d9, [sp], #16
    ldp     x19, x20, [sp], #16
    ldp     x21, x22, [sp], #16
    ldp     x23, x24, [sp], #16
    ldp     x25, x26, [sp], #16
    ldp     x27, x28, [sp], #16
    ldp     x29, x30, [sp], #16
    ret
.endm

    .text
    probe probe_smc, "smc #0"
    probe probe_smc1, "smc #1"
    probe probe_hvc, "hvc #0"
"#,
    options(raw)
);

unsafe extern "C" {
    fn probe_smc(probe: *mut Probe);
    fn probe_smc1(probe: *mut Probe);
    fn probe_hvc(probe: *mut Probe);
}

/// A probe with x0 = `function` and every other register a distinct pattern.
fn pattern(function: u64) -> Probe {
    let mut probe = Probe {
        x: [0; 31],
        _pad: 0,
        q: [[0; 2]; 32],
        // RMode = round towards zero, FZ: not the reset value.
        fpcr: (0b11 << 22) | (1 << 24),
        // The cumulative IOC, DZC and IXC flags.
        fpsr: 0b1_0011,
    };
    for (n, x) in (0_u64..).zip(probe.x.iter_mut()) {
        *x = 0x5A5A_0000_0000_0000 | (n << 8) | n;
    }
    for (n, q) in (0_u64..).zip(probe.q.iter_mut()) {
        *q = [0xC0DE_0000_0000_0000 | n, 0xC0DE_0001_0000_0000 | n];
    }
    probe.x[0] = function;
    probe
}

/// Runs one probe and checks that only x0 changed, to `expected_x0`.
fn probe(name: &str, call: unsafe extern "C" fn(*mut Probe), function: u64, expected_x0: u64) {
    let sent = pattern(function);
    let mut got = pattern(function);
    // SAFETY: The probe functions read and write only the `Probe` they are
    // given and restore every AAPCS64 callee-saved register before returning.
    unsafe { call(&mut got) };
    check_eq!(got.x[0], expected_x0, "{name}: x0");
    check_eq!(
        got.x[1..],
        sent.x[1..],
        "{name}: x1..x30 as sent (x18 and SMCCC's x1..x17 included)"
    );
    check_eq!(got.q, sent.q, "{name}: q0..q31 as sent");
    check_eq!(
        (got.fpcr, got.fpsr),
        (sent.fpcr, sent.fpsr),
        "{name}: FPCR, FPSR as sent"
    );
}

static ALL: Barrier = Barrier::new(CPUS);
static CAS_COUNTER: AtomicU64 = AtomicU64::new(0);
static ADD_COUNTER: AtomicU64 = AtomicU64::new(0);
static LOCKED_COUNTER: spin::Mutex<u64> = spin::Mutex::new(0);

fn main(cpu: usize) {
    if cpu == 0 {
        let smc_before = exceptions::smc_calls();
        probe("smc #0 LFA_VERSION", probe_smc, LFA_VERSION, 0x1_0000);
        probe(
            "smc #0 unknown function",
            probe_smc,
            0xC400_02FF,
            NOT_SUPPORTED,
        );
        probe(
            "smc #1 (SMCCC wants #0)",
            probe_smc1,
            LFA_VERSION,
            NOT_SUPPORTED,
        );
        probe(
            "hvc #0 without an EL2 agent",
            probe_hvc,
            LFA_VERSION,
            NOT_SUPPORTED,
        );
        check_eq!(
            exceptions::smc_calls() - smc_before,
            3,
            "EL3 took exactly 3 smc"
        );
        check_eq!(exceptions::hvc_calls(), 1, "EL2 took exactly 1 hvc");
        unaligned_and_timer();
    }

    // No CPU issues an smc between this read and the start line (CPU 0's
    // probes are done, the others have not started), so the count is exact.
    let calls_before = exceptions::smc_calls();
    // Everyone starts together, so the counters really are contended.
    check!(ALL.wait(5_000).is_ok(), "all {CPUS} CPUs at the start line");
    for _ in 0..ROUNDS {
        let mut current = CAS_COUNTER.load(Ordering::Relaxed);
        while let Err(seen) = CAS_COUNTER.compare_exchange_weak(
            current,
            current + 1,
            Ordering::AcqRel,
            Ordering::Relaxed,
        ) {
            current = seen;
        }
        ADD_COUNTER.fetch_add(1, Ordering::AcqRel);
        *LOCKED_COUNTER.lock() += 1;
    }
    let mut versions_ok = 0;
    for _ in 0..CONCURRENT_CALLS {
        if Smc.call(&Regs::with_x0(LFA_VERSION)).x[0] == 0x1_0000 {
            versions_ok += 1;
        }
    }
    check_eq!(
        versions_ok,
        CONCURRENT_CALLS,
        "concurrent smc LFA_VERSION all answered 1.0"
    );
    check!(
        ALL.wait(5_000).is_ok(),
        "all {CPUS} CPUs at the finish line"
    );

    if cpu == 0 {
        let total = ROUNDS * CPUS as u64;
        check_eq!(
            CAS_COUNTER.load(Ordering::Acquire),
            total,
            "compare_exchange counter, {CPUS} CPUs"
        );
        check_eq!(
            ADD_COUNTER.load(Ordering::Acquire),
            total,
            "fetch_add counter, {CPUS} CPUs"
        );
        check_eq!(
            *LOCKED_COUNTER.lock(),
            total,
            "spin::Mutex counter, {CPUS} CPUs"
        );
        check_eq!(
            exceptions::smc_calls() - calls_before,
            CONCURRENT_CALLS * CPUS as u64,
            "EL3 took exactly {CPUS} x {CONCURRENT_CALLS} concurrent smc"
        );
        measure_round_trip();
    }
}

/// Unaligned loads (Normal memory with the MMU on) and a running counter.
fn unaligned_and_timer() {
    let bytes: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    let value: u64;
    // SAFETY: Reads 8 bytes at offset 1 of a 16-byte local array.
    unsafe {
        asm!("ldr {v}, [{p}]", v = out(reg) value, p = in(reg) bytes.as_ptr().wrapping_add(1),
             options(readonly, nostack));
    }
    check_eq!(
        value,
        0x0807_0605_0403_0201,
        "unaligned 8-byte load with the MMU on"
    );
    let start = timer::ticks();
    let mut spins = 0_u32;
    while timer::ticks() == start && spins < 1_000_000 {
        spins += 1;
    }
    check!(
        timer::ticks() > start,
        "the generic timer counts at EL1 ({} Hz)",
        timer::frequency()
    );
}

/// Prints how long an `smc` round trip into the EL3 stub takes.
fn measure_round_trip() {
    const CALLS: u32 = 20_000;
    let start = timer::micros();
    for _ in 0..CALLS {
        let _ = Smc.call(&Regs::with_x0(LFA_VERSION));
    }
    let elapsed = timer::micros() - start;
    println!(
        "timing: {CALLS} smc LFA_VERSION round trips in {elapsed} us ({} ns each)",
        elapsed * 1000 / u64::from(CALLS)
    );
}
