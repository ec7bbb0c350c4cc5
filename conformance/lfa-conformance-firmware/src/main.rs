// SPDX-License-Identifier: MIT OR Apache-2.0
//! EL3 firmware for running `lfa-conformance` under QEMU: boots at EL3 on
//! `qemu-system-aarch64 -machine virt,secure=on,virtualization=on` (lfa-qemu's
//! boot code), serves PSCI (`CPU_ON`, `SYSTEM_OFF`, `PSCI_VERSION`,
//! `PSCI_FEATURES`), `SMCCC_VERSION` (1.2; 1.5 with `profile=tfa`) and LFA (from `lfa-agent` or
//! the simulator `lfa-sim`, by profile), and hands over to the non-secure
//! payload that QEMU loaded at 0x6000_0000 (`-device loader,file=lfa-conformance.elf`), the
//! way TF-A's BL31 starts BL33.
//!
//! Words on the command line (`-append`, read through semihosting; the
//! payload reads the same line and ignores these):
//!
//! | Word | Effect |
//! |---|---|
//! | `profile=clean` (default) | `lfa_agent::Agent` on this firmware's scripted platform ([`clean`], [`CLEAN_POPULATION`]), through `Firmware::with_agent` |
//! | `profile=tfa` | lfa-sim's `Profile::TfA`: TF-A's agent as measured (docs/protocol.md) |
//! | `profile=broken` | lfa-sim's clean profile with deliberate defects (see [`Broken`]) |
//! | `rendezvous-ms=N` | `profile=clean`: a rendezvous round ends with ACTIVATION_FAILED N ms after its first CPU arrived (default 1000) |
//! | `payload-el1` | enter the payload at NS-EL1 and serve `hvc` at EL2 too (without EL2, QEMU's `virtualization=off`, the payload is entered at NS-EL1 from EL3 anyway) |
//! | `phantom-cpus` | PSCI `CPU_ON` accepts MPIDRs of CPUs that do not exist (Aff1 < 2, Aff0 < 16, as TF-A's QEMU port) and counts them as on; they never arrive |
//! | `tfa-debug-log` | print two `INFO:` lines per `LFA_GET_INVENTORY` on the UART, as a debug build of TF-A does |
//!
//! PSCI beyond lfa-qemu's firmware mode: `SYSTEM_RESET` ends the run with
//! semihosting exit status 1 (the checker's convention for "a check
//! failed" without semihosting; `SYSTEM_OFF` is 0).
//!
//! Device tree: `scripts/conformance-run.sh` loads QEMU's own DTB (dumped
//! with `dumpdtb=`) at [`DTB_ADDRESS`]; when an FDT is there the firmware
//! passes its address to the payload in x0 (QEMU cannot put it at the base
//! of RAM, where it leaves it for TF-A, because this image is linked there).
//!
//! The population (eleven components, twelve for `broken`) gives every check
//! of the catalogue something to work on: see [`POPULATION`].
#![no_std]
#![no_main]

mod clean;

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

use lfa_agent::Component;
use lfa_proto::components::{BL33, TF_RMM, TFA_BL31};
use lfa_proto::regs::from_signed;
use lfa_proto::{FirmwareVersion, FunctionId, LfaError, Regs, Uuid};
use lfa_qemu::firmware::{self, Firmware};
use lfa_qemu::{Scenario, cmdline, cpu, println, semihosting};
use lfa_sim::{DEMO_VENDOR_UUID, Profile, SimAgent, SimComponent};
use lfa_smccc::Conduit;

/// The simulated agent type (`tfa`, `broken`): 12 components, a short call
/// log (EL3 RAM is the image's).
type Agent = SimAgent<12, 16>;

/// Where the payload is loaded and entered (TF-A's QEMU port puts BL33 here).
const PAYLOAD_BASE: u64 = 0x6000_0000;

/// A vendor UUID.
const fn vendor(n: u128) -> Uuid {
    Uuid::from_u128(0x7a1e_5c0d_e000_4f1a_8bad_5eed_0000_0000 | n)
}

/// The components of the TF-A and broken agents (lfa-sim), in id order; the
/// clean one (lfa-agent) has the same in [`CLEAN_POPULATION`]:
///
/// | id | component | capable | pending | rendezvous | CALL_AGAIN |
/// |---|---|---|---|---|---|
/// | 0 | TF-A BL31 2.12 -> 2.13 | yes | yes | required | ACTIVATE x1 |
/// | 1 | TF-RMM 0.7 -> 0.8 | yes | yes | optional | PRIME x2 |
/// | 2 | BL33 2024.1 | no | no | required | - |
/// | 3 | vendor A 1.0 | yes | no | required | - |
/// | 4 | vendor B 3.1 -> 3.2 | yes | yes | optional | ACTIVATE x2 |
/// | 5 | vendor C 5.0 -> 5.1 | yes | yes | required | PRIME x1 |
/// | 6 | vendor D 7.0 -> 7.1 | yes | yes | required | - |
/// | 7 | vendor E 9.0 -> 9.1 | yes | yes | required | ACTIVATE x1 |
/// | 8 | vendor F 11.0 -> 11.1 | yes | yes | optional | ACTIVATE x1 |
/// | 9 | vendor G 13.0 -> 13.1 | no | yes | required | - |
/// | 10 | vendor H 15.0 -> 15.1, no cancel hook | yes | yes | required | - |
///
/// Vendor H has no cancel hook (`CAN-07`: CANCEL must release CPUs waiting
/// in its pen all the same; TF-A strands them). Vendor G is pending but not capable (`PRM-08`: PRIME answers
/// NOT_SUPPORTED, as TF-A does for such a component).
///
/// `profile=tfa` gives ids 1 and 2 the measured platform's roles instead
/// ([`TFA_ROLES`]: BL33 the capable optional one, TF-RMM not capable).
///
/// The TF-A profile uses up one component more than the clean one (its
/// agent ignores ACTIVATE's reserved flag bits, so `ACT-10` activates one),
/// hence vendor E.
pub const POPULATION: [SimComponent; 11] = [
    SimComponent::new(TFA_BL31.uuid)
        .capable()
        .current(FirmwareVersion::new(2, 12))
        .pending(FirmwareVersion::new(2, 13))
        .activate_rounds(1),
    SimComponent::new(TF_RMM.uuid)
        .capable()
        .current(FirmwareVersion::new(0, 7))
        .pending(FirmwareVersion::new(0, 8))
        .rendezvous_optional()
        .prime_rounds(2),
    SimComponent::new(BL33.uuid).current(FirmwareVersion::new(2024, 1)),
    SimComponent::new(DEMO_VENDOR_UUID)
        .capable()
        .current(FirmwareVersion::new(1, 0)),
    SimComponent::new(vendor(0xB))
        .capable()
        .current(FirmwareVersion::new(3, 1))
        .pending(FirmwareVersion::new(3, 2))
        .rendezvous_optional()
        .activate_rounds(2),
    SimComponent::new(vendor(0xC))
        .capable()
        .current(FirmwareVersion::new(5, 0))
        .pending(FirmwareVersion::new(5, 1))
        .prime_rounds(1),
    SimComponent::new(vendor(0xD))
        .capable()
        .current(FirmwareVersion::new(7, 0))
        .pending(FirmwareVersion::new(7, 1)),
    SimComponent::new(vendor(0xE))
        .capable()
        .current(FirmwareVersion::new(9, 0))
        .pending(FirmwareVersion::new(9, 1))
        .activate_rounds(1),
    SimComponent::new(vendor(0xF))
        .capable()
        .current(FirmwareVersion::new(11, 0))
        .pending(FirmwareVersion::new(11, 1))
        .rendezvous_optional()
        .activate_rounds(1),
    SimComponent::new(vendor(0x10))
        .current(FirmwareVersion::new(13, 0))
        .pending(FirmwareVersion::new(13, 1)),
    SimComponent::new(vendor(0x11))
        .capable()
        .current(FirmwareVersion::new(15, 0))
        .pending(FirmwareVersion::new(15, 1))
        .without_cancel_hook(),
];

/// The clean profile's components: [`POPULATION`]'s table for
/// `lfa_agent::Agent` on [`clean::ConformancePlatform`] (the same UUIDs,
/// versions, properties, CALL_AGAIN rounds and cancel hooks).
pub const CLEAN_POPULATION: [clean::Scripted; 11] = [
    clean::Scripted::new(
        Component::new(TFA_BL31.uuid)
            .capable()
            .current(FirmwareVersion::new(2, 12))
            .pending(FirmwareVersion::new(2, 13)),
    )
    .activate_rounds(1),
    clean::Scripted::new(
        Component::new(TF_RMM.uuid)
            .capable()
            .current(FirmwareVersion::new(0, 7))
            .pending(FirmwareVersion::new(0, 8))
            .rendezvous_optional(),
    )
    .prime_rounds(2),
    clean::Scripted::new(Component::new(BL33.uuid).current(FirmwareVersion::new(2024, 1))),
    clean::Scripted::new(
        Component::new(DEMO_VENDOR_UUID)
            .capable()
            .current(FirmwareVersion::new(1, 0)),
    ),
    clean::Scripted::new(
        Component::new(vendor(0xB))
            .capable()
            .current(FirmwareVersion::new(3, 1))
            .pending(FirmwareVersion::new(3, 2))
            .rendezvous_optional(),
    )
    .activate_rounds(2),
    clean::Scripted::new(
        Component::new(vendor(0xC))
            .capable()
            .current(FirmwareVersion::new(5, 0))
            .pending(FirmwareVersion::new(5, 1)),
    )
    .prime_rounds(1),
    clean::Scripted::new(
        Component::new(vendor(0xD))
            .capable()
            .current(FirmwareVersion::new(7, 0))
            .pending(FirmwareVersion::new(7, 1)),
    ),
    clean::Scripted::new(
        Component::new(vendor(0xE))
            .capable()
            .current(FirmwareVersion::new(9, 0))
            .pending(FirmwareVersion::new(9, 1)),
    )
    .activate_rounds(1),
    clean::Scripted::new(
        Component::new(vendor(0xF))
            .capable()
            .current(FirmwareVersion::new(11, 0))
            .pending(FirmwareVersion::new(11, 1))
            .rendezvous_optional(),
    )
    .activate_rounds(1),
    clean::Scripted::new(
        Component::new(vendor(0x10))
            .current(FirmwareVersion::new(13, 0))
            .pending(FirmwareVersion::new(13, 1)),
    ),
    clean::Scripted::new(
        Component::new(vendor(0x11))
            .capable()
            .current(FirmwareVersion::new(15, 0))
            .pending(FirmwareVersion::new(15, 1)),
    )
    .without_cancel_hook(),
];

/// `profile=tfa` replaces ids 1 and 2 of [`POPULATION`] with the roles TF-A's
/// measured QEMU platform gave: TF-RMM 0.7 not capable, nothing pending;
/// BL33 2024.1 -> 2024.2 capable, rendezvous optional, its image load
/// answering "again" twice per boot (restored by a CANCEL of BL33).
const TFA_ROLES: [SimComponent; 2] = [
    SimComponent::new(TF_RMM.uuid).current(FirmwareVersion::new(0, 7)),
    SimComponent::new(BL33.uuid)
        .capable()
        .current(FirmwareVersion::new(2024, 1))
        .pending(FirmwareVersion::new(2024, 2))
        .rendezvous_optional()
        .prime_again_per_boot(2),
];

/// The broken agent's inventory defects: vendor A reports reserved flag
/// bits, and a second BL33 entry repeats a UUID.
const BROKEN_EXTRA: SimComponent =
    SimComponent::new(BL33.uuid).current(FirmwareVersion::new(2024, 2));
/// The broken agent's rendezvous bound, in polls of the waiting CPUs.
const BROKEN_SPIN_BUDGET: u64 = 1 << 22;
/// Reserved bits vendor A reports in the broken agent.
const BROKEN_RESERVED_FLAGS: u64 = 1 << 8;

/// The clean profile's agent: lfa-agent itself, one pen seat per CPU.
static CLEAN: lfa_agent::Agent<clean::ConformancePlatform, { cpu::MAX_CPUS }> =
    lfa_agent::Agent::new(clean::ConformancePlatform::new(
        &CLEAN_POPULATION,
        &PHANTOMS,
    ));
static TFA: Agent = Agent::new(Profile::TfA);
static BROKEN_INNER: Agent = Agent::new(Profile::Clean);
static BROKEN: Broken = Broken {
    inner: &BROKEN_INNER,
};

/// Which agent answers: 0 clean (lfa-agent), 1 TF-A, 2 broken (both
/// lfa-sim; chosen in `init`).
static SELECTED: AtomicUsize = AtomicUsize::new(0);

/// The simulated LFA agent the command line chose (`tfa` or `broken`).
struct Simulated;

impl Conduit for Simulated {
    fn call(&self, args: &Regs) -> Regs {
        match SELECTED.load(Ordering::Acquire) {
            2 => BROKEN.call(args),
            _ => TFA.call(args),
        }
    }
}

static SIMULATED: Simulated = Simulated;
/// PSCI and the simulator (`tfa`, `broken`), told of every `CPU_ON`.
static SIM_FIRMWARE: Firmware = Firmware::new(&SIMULATED, set_online_cpus);
/// PSCI and lfa-agent (`clean`): its platform asks for the CPUs that are on.
static CLEAN_FIRMWARE: Firmware = Firmware::with_agent(&CLEAN);

/// The firmware conduit of the chosen profile.
fn firmware_conduit() -> &'static Firmware {
    if SELECTED.load(Ordering::Acquire) == 0 {
        &CLEAN_FIRMWARE
    } else {
        &SIM_FIRMWARE
    }
}
static PSCI: Psci = Psci;

/// Where `scripts/conformance-run.sh` loads QEMU's DTB.
pub const DTB_ADDRESS: u64 = 0x4800_0000;
/// [`DTB_ADDRESS`] as a pointer value (the image is 64-bit only).
const DTB_POINTER: usize = 0x4800_0000;
/// PSCI `SYSTEM_RESET` (SMC32).
const SYSTEM_RESET: u64 = 0x8400_0009;
/// PSCI `ALREADY_ON`.
const PSCI_ALREADY_ON: i64 = -4;
/// PSCI `INVALID_PARAMETERS`.
const PSCI_INVALID_PARAMETERS: i64 = -2;

/// `phantom-cpus`: CPU_ON accepts CPUs that do not exist.
static PHANTOM_MODE: AtomicBool = AtomicBool::new(false);
/// `tfa-debug-log`: INFO lines on GET_INVENTORY.
static DEBUG_LOG: AtomicBool = AtomicBool::new(false);
/// Phantom CPUs accepted: bit Aff1 * 16 + Aff0.
static PHANTOMS: AtomicU32 = AtomicU32::new(0);

/// PSCI `CPU_ON` changed how many CPUs are on: the simulators' rendezvous
/// size (the phantom CPUs counted too, as TF-A counts every CPU it
/// accepted; the clean platform counts them in `cpus_on`).
fn set_online_cpus(cpus: u32) {
    let cpus = cpus + PHANTOMS.load(Ordering::Acquire).count_ones();
    TFA.set_online_cpus(cpus);
    BROKEN_INNER.set_online_cpus(cpus);
}

/// lfa-qemu's firmware conduit plus `SYSTEM_RESET`, phantom CPUs and
/// TF-A's debug lines.
struct Psci;

impl Conduit for Psci {
    fn call(&self, args: &Regs) -> Regs {
        let mut regs = *args;
        match args.x[0] {
            SYSTEM_RESET => {
                println!("firmware: PSCI SYSTEM_RESET from the payload: exit status 1");
                semihosting::exit(1)
            }
            firmware::PSCI_FEATURES if args.x[1] == SYSTEM_RESET => {
                regs.x[0] = 0;
                return regs;
            }
            // profile=tfa: SMCCC 1.5, as the measured TF-A build answers.
            firmware::SMCCC_VERSION if SELECTED.load(Ordering::Acquire) == 1 => {
                regs.x[0] = u64::from(TFA.smccc_version().to_w0());
                return regs;
            }
            firmware::CPU_ON | firmware::CPU_ON_32 => {
                let answer = firmware_conduit().call(args);
                if lfa_proto::regs::as_signed(answer.x[0]) != PSCI_INVALID_PARAMETERS
                    || !PHANTOM_MODE.load(Ordering::Acquire)
                {
                    return answer;
                }
                let target = args.x[1];
                let (aff1, aff0) = ((target >> 8) & 0xFF, target & 0xFF);
                if target & !0xFFFF != 0 || aff1 >= 2 || aff0 >= 16 {
                    return answer;
                }
                let bit = 1_u32 << (aff1 * 16 + aff0);
                let before = PHANTOMS.fetch_or(bit, Ordering::AcqRel);
                let status = if before & bit != 0 {
                    PSCI_ALREADY_ON
                } else {
                    println!(
                        "firmware: CPU_ON({target:#x}) accepted for a CPU that does not exist (phantom-cpus): it never arrives"
                    );
                    set_online_cpus(firmware::cpus_on());
                    0
                };
                regs.x[0] = from_signed(status);
                return regs;
            }
            _ => {}
        }
        if DEBUG_LOG.load(Ordering::Acquire)
            && FunctionId::try_from(args.x[0]) == Ok(FunctionId::GetInventory)
        {
            println!("INFO:    LFA_GET_INVENTORY: fw_seq_id {}", args.x[1]);
            let answer = firmware_conduit().call(args);
            println!(
                "INFO:    LFA_GET_INVENTORY: status {}",
                lfa_proto::regs::as_signed(answer.x[0])
            );
            return answer;
        }
        firmware_conduit().call(args)
    }
}

/// A clean agent with deliberate defects, for checking that the checker
/// fails what it must. Each defect is meant to fail exactly the checks named
/// (see `conformance/expected/broken.txt`):
///
/// - `LFA_GET_INFO` ignores its selector (`INFO-02`) and clobbers x7
///   (`HYG-01`);
/// - `LFA_FEATURES` claims the unassigned ID 0xC40002E7 (`FEAT-02`);
/// - `LFA_PRIME` of an id out of range answers SUCCESS (`PRM-02`);
/// - `LFA_GET_INVENTORY` errors write x5 (`HYG-02`);
/// - the inventory repeats BL33's UUID (`INV-02`) and sets a reserved flag
///   bit on vendor A (`INV-03`).
pub struct Broken {
    inner: &'static Agent,
}

impl Conduit for Broken {
    fn call(&self, args: &Regs) -> Regs {
        let function = FunctionId::try_from(args.x[0]).ok();
        let mut regs = match function {
            Some(FunctionId::GetInfo) if args.x[1] != 0 => {
                let mut selector_zero = *args;
                selector_zero.x[1] = 0;
                self.inner.call(&selector_zero)
            }
            Some(FunctionId::Features) if args.x[1] == 0xC400_02E7 => {
                let mut regs = *args;
                regs.x[0] = 0;
                regs
            }
            _ => self.inner.call(args),
        };
        let status = lfa_proto::regs::as_signed(regs.x[0]);
        match function {
            Some(FunctionId::GetInfo) => regs.x[7] = 0xBAD0_0007,
            Some(FunctionId::Prime)
                if status == LfaError::InvalidParameters.code()
                    && args.x[1] >= u64::from(self.inner.component_count()) =>
            {
                regs.x[0] = from_signed(0);
                regs.x[1] = 0;
            }
            Some(FunctionId::GetInventory) if status != 0 => regs.x[5] = 0xBAD0_0005,
            _ => {}
        }
        regs
    }
}

/// EL3 initialisation on CPU 0: choose the agent, fill it, point the
/// handover at the payload.
fn init() {
    let (name, agent, selected) = if cmdline::has("profile=tfa") {
        ("tfa", &TFA, 1)
    } else if cmdline::has("profile=broken") {
        ("broken", &BROKEN_INNER, 2)
    } else {
        init_clean();
        return;
    };
    for (index, component) in POPULATION.iter().enumerate() {
        let component = if selected == 2 && index == 3 {
            component.reserved_flags(BROKEN_RESERVED_FLAGS)
        } else if let Some(role) = TFA_ROLES
            .get(index.wrapping_sub(1))
            .filter(|_| selected == 1)
        {
            *role
        } else {
            *component
        };
        if agent.add_component(component).is_err() {
            println!("firmware: no room for component {index}");
        }
    }
    if selected == 2 && agent.add_component(BROKEN_EXTRA).is_err() {
        println!("firmware: no room for the duplicate component");
    }
    // TF-A's holding pen waits forever; a long budget keeps a stuck CPU
    // visible to the payload's own bounds rather than to ours. The broken
    // agent is a clean one: its bound ends a partial rendezvous (ACT-14)
    // well within the checker's wait-ms.
    agent.set_spin_budget(if selected == 2 {
        BROKEN_SPIN_BUDGET
    } else {
        1 << 30
    });
    SELECTED.store(selected, Ordering::Release);
    println!(
        "firmware: LFA agent profile={name} (lfa-sim), {} components; PSCI 1.1, SMCCC {}",
        agent.component_count(),
        agent.smccc_version()
    );
    init_common();
}

/// `profile=clean`: lfa-agent on the scripted platform, bounded by
/// `rendezvous-ms=`.
fn init_clean() {
    let ms = clean::rendezvous_ms();
    CLEAN.platform().init(ms);
    SELECTED.store(0, Ordering::Release);
    println!(
        "firmware: LFA agent profile=clean (lfa-agent), {} components, rendezvous bound {ms} ms; PSCI 1.1, SMCCC 1.2",
        CLEAN_POPULATION.len()
    );
    init_common();
}

/// What every profile sets up: the PSCI extras, the payload, the DTB.
fn init_common() {
    PHANTOM_MODE.store(cmdline::has("phantom-cpus"), Ordering::Release);
    DEBUG_LOG.store(cmdline::has("tfa-debug-log"), Ordering::Release);
    let el = if cmdline::has("payload-el1") || !firmware::el2_implemented() {
        1
    } else {
        2
    };
    firmware::set_payload(PAYLOAD_BASE, el);
    // SAFETY: DTB_ADDRESS lies in QEMU `virt` RAM, which lfa-qemu maps as
    // Normal memory at EL3; an aligned 4-byte read has no side effects.
    let magic = unsafe { core::ptr::read_volatile(DTB_POINTER as *const u32) };
    if u32::from_be(magic) == 0xd00d_feed {
        firmware::set_payload_x0(DTB_ADDRESS);
        println!("firmware: device tree at {DTB_ADDRESS:#x}, passed to the payload in x0");
    }
}

/// Never runs: in firmware mode the handover takes every CPU to the payload.
fn unused_main(_cpu: usize) {}

/// The image's scenario: firmware mode.
#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    el3_agent: Some(&PSCI),
    el2_agent: Some(&PSCI),
    el3_init: init,
    handover: Some(firmware::handover),
    ..Scenario::new("lfa-conformance-firmware", unused_main)
};
