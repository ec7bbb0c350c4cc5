//! EL3 firmware for running `lfa-conformance` under QEMU: boots at EL3 on
//! `qemu-system-aarch64 -machine virt,secure=on,virtualization=on` (lfa-qemu's
//! boot code), serves PSCI (`CPU_ON`, `SYSTEM_OFF`, `PSCI_VERSION`,
//! `PSCI_FEATURES`), `SMCCC_VERSION` (1.2) and LFA from the simulated agent
//! of `lfa-sim`, and hands over to the non-secure payload that QEMU
//! loaded at 0x6000_0000 (`-device loader,file=lfa-conformance.elf`), the
//! way TF-A's BL31 starts BL33.
//!
//! Words on the command line (`-append`, read through semihosting; the
//! payload reads the same line and ignores these):
//!
//! | Word | Effect |
//! |---|---|
//! | `profile=clean` (default) | `Profile::Clean`: the specification's intent |
//! | `profile=tfa` | `Profile::TfA`: TF-A's agent as measured (PROTOCOL.md) |
//! | `profile=broken` | a clean agent with deliberate defects (see [`Broken`]) |
//! | `payload-el1` | enter the payload at NS-EL1 and serve `hvc` at EL2 too |
//!
//! The population (nine components, ten for `broken`) gives every check of
//! the catalogue something to work on: see [`POPULATION`].
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicUsize, Ordering};

use lfa_proto::components::{BL33, TF_RMM, TFA_BL31};
use lfa_proto::regs::from_signed;
use lfa_proto::{FirmwareVersion, FunctionId, LfaError, Regs, Uuid};
use lfa_qemu::firmware::{self, Firmware};
use lfa_qemu::{Scenario, cmdline, println};
use lfa_sim::{DEMO_VENDOR_UUID, Profile, SimAgent, SimComponent};
use lfa_smccc::Conduit;

/// The agent type: 10 components, a short call log (EL3 RAM is the image's).
type Agent = SimAgent<10, 16>;

/// Where the payload is loaded and entered (TF-A's QEMU port puts BL33 here).
const PAYLOAD_BASE: u64 = 0x6000_0000;

/// A vendor UUID.
const fn vendor(n: u128) -> Uuid {
    Uuid::from_u128(0x7a1e_5c0d_e000_4f1a_8bad_5eed_0000_0000 | n)
}

/// The components of the clean and TF-A agents, in id order:
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
///
/// The TF-A profile uses up one component more than the clean one (its
/// agent ignores ACTIVATE's reserved flag bits, so `ACT-10` activates one),
/// hence vendor E.
pub const POPULATION: [SimComponent; 9] = [
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
];

/// The broken agent's inventory defects: vendor A reports reserved flag
/// bits, and a second BL33 entry repeats a UUID.
const BROKEN_EXTRA: SimComponent =
    SimComponent::new(BL33.uuid).current(FirmwareVersion::new(2024, 2));
/// Reserved bits vendor A reports in the broken agent.
const BROKEN_RESERVED_FLAGS: u64 = 1 << 8;

static CLEAN: Agent = Agent::new(Profile::Clean);
static TFA: Agent = Agent::new(Profile::TfA);
static BROKEN_INNER: Agent = Agent::new(Profile::Clean);
static BROKEN: Broken = Broken {
    inner: &BROKEN_INNER,
};

/// Which agent answers: 0 clean, 1 TF-A, 2 broken (chosen in `init`).
static SELECTED: AtomicUsize = AtomicUsize::new(0);

/// The LFA agent the command line chose.
struct Selected;

impl Conduit for Selected {
    fn call(&self, args: &Regs) -> Regs {
        match SELECTED.load(Ordering::Acquire) {
            1 => TFA.call(args),
            2 => BROKEN.call(args),
            _ => CLEAN.call(args),
        }
    }
}

static LFA: Selected = Selected;
static FIRMWARE: Firmware = Firmware::new(&LFA, set_online_cpus);

/// PSCI `CPU_ON` changed how many CPUs are on: the rendezvous size.
fn set_online_cpus(cpus: u32) {
    CLEAN.set_online_cpus(cpus);
    TFA.set_online_cpus(cpus);
    BROKEN_INNER.set_online_cpus(cpus);
}

/// A clean agent with deliberate defects, for checking that the checker
/// fails what it must. Each defect is meant to fail exactly the checks named
/// (see `examples/conformance/expected/broken.txt`):
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
        ("clean", &CLEAN, 0)
    };
    for (index, component) in POPULATION.iter().enumerate() {
        let component = if selected == 2 && index == 3 {
            component.reserved_flags(BROKEN_RESERVED_FLAGS)
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
    // visible to the payload's own bounds rather than to ours.
    agent.set_spin_budget(1 << 30);
    SELECTED.store(selected, Ordering::Release);
    let el = if cmdline::has("payload-el1") { 1 } else { 2 };
    firmware::set_payload(PAYLOAD_BASE, el);
    println!(
        "firmware: LFA agent profile={name}, {} components; PSCI 1.1, SMCCC 1.2",
        agent.component_count()
    );
}

/// Never runs: in firmware mode the handover takes every CPU to the payload.
fn unused_main(_cpu: usize) {}

/// The image's scenario: firmware mode.
#[unsafe(no_mangle)]
static LFA_QEMU_SCENARIO: Scenario = Scenario {
    el3_agent: Some(&FIRMWARE),
    el2_agent: Some(&FIRMWARE),
    el3_init: init,
    handover: Some(firmware::handover),
    ..Scenario::new("lfa-conformance-firmware", unused_main)
};
