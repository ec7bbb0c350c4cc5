// SPDX-License-Identifier: MIT OR Apache-2.0
//! The QEMU platform of the EL3 LFA agent ([`lfa_agent::Platform`]), with
//! one component whose activation replaces real EL3 code: the "LFA demo
//! service", SiP call [`DEMO_SERVICE_CALL`] (see `service/`).
//!
//! Memory (inside the RAM `mmu` maps, above every image, see `link.ld`):
//!
//! | region | what |
//! |---|---|
//! | [`SERVICE_BASE`], [`SERVICE_MAX`] bytes | the running service's code, called at EL3 |
//! | [`STAGING`] | the staged image's [`Manifest`] (64 bytes), the image at [`STAGING_IMAGE`] |
//!
//! The staging region is ordinary RAM that the normal world can write (the
//! channel LFA assumes delivers images). `prime` therefore first copies the
//! staged manifest and image into a buffer of the firmware (round 1, which
//! answers CALL_AGAIN), then checks size and SHA-256 of that copy against
//! the manifest (round 2): what is installed is what was checked, whatever
//! the normal world writes afterwards. `activate` runs with every other
//! powered-on CPU parked in the agent's pen, so no CPU executes the region
//! while it is rewritten; it copies the checked image in and makes it
//! visible to instruction fetch (`sync_instructions`: clean D-cache to PoU,
//! invalidate I-cache, barriers).
//!
//! Component #1, the "CPU-reset demo", is scripted: no image, 1.0 pending
//! 1.1 until activated; its activation only changes its version and resets
//! the CPUs ([`Activated::ResetCpus`]: each CPU resumes at the entry point
//! it passed), which exercises the firmware's exception-return path.

use core::arch::asm;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use lfa_agent::{Activated, Component, FirmwareVersion, LfaError, Platform, Regs, Step, Uuid};
use sha2::{Digest, Sha256};

use crate::{cpu, firmware, timer};

/// The demo service's SiP function id (SMC64, fast call, owner SiP, 1).
pub const DEMO_SERVICE_CALL: u64 = 0xC200_0001;
/// Where the service runs: its images are linked here (`service/link.ld`).
pub const SERVICE_BASE: usize = 0x4800_0000;
/// The size of the execution region, and the largest image accepted.
pub const SERVICE_MAX: usize = 0x1_0000;
/// The staging region: the staged image's manifest.
pub const STAGING: usize = 0x4810_0000;
/// The staged image itself (after 64 bytes of manifest).
pub const STAGING_IMAGE: usize = STAGING + 64;
/// The size of the staging region.
pub const STAGING_LEN: usize = 64 + SERVICE_MAX;
/// The demo service component's UUID (a vendor UUID of this project).
pub const DEMO_SERVICE_UUID: Uuid = Uuid::from_u128(0x1fa0_de30_5e71_4ce0_9a11_7e57_0000_0001);
/// The CPU-reset demo component's UUID.
pub const CPU_RESET_DEMO_UUID: Uuid = Uuid::from_u128(0x1fa0_de30_5e71_4ce0_9a11_7e57_0000_0002);
/// The CPU-reset demo's version before its activation.
pub const CPU_RESET_DEMO_FROM: FirmwareVersion = FirmwareVersion::new(1, 0);
/// The CPU-reset demo's version after its activation.
pub const CPU_RESET_DEMO_TO: FirmwareVersion = FirmwareVersion::new(1, 1);
/// The rendezvous bound: 2 s of the generic timer from the first CPU's
/// arrival, far above the few milliseconds four CPUs need even on a loaded
/// host, far below the runner's 30 s timeout.
pub const RENDEZVOUS_TIMEOUT_MS: u64 = 2_000;

/// A manifest's magic.
pub const MANIFEST_MAGIC: [u8; 8] = *b"LFADEMO1";
/// A manifest's length in bytes: magic, version, size, SHA-256.
pub const MANIFEST_LEN: usize = 48;

/// What a service image's manifest says (little-endian in memory: magic
/// `LFADEMO1`, version `major << 16 | minor` (u32), size (u32), SHA-256).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The version the image reports when it runs.
    pub version: FirmwareVersion,
    /// The image's size in bytes (1..=[`SERVICE_MAX`]).
    pub size: usize,
    /// SHA-256 of the image.
    pub digest: [u8; 32],
}

impl Manifest {
    /// Reads a manifest, or `None` if the magic is wrong or the size is 0 or
    /// more than [`SERVICE_MAX`].
    #[must_use]
    pub fn parse(bytes: &[u8; MANIFEST_LEN]) -> Option<Self> {
        let (magic, rest) = bytes.split_first_chunk::<8>()?;
        let (version, rest) = rest.split_first_chunk::<4>()?;
        let (size, rest) = rest.split_first_chunk::<4>()?;
        let digest = *rest.first_chunk::<32>()?;
        let version = u32::from_le_bytes(*version);
        let size = usize::try_from(u32::from_le_bytes(*size)).ok()?;
        (*magic == MANIFEST_MAGIC && (1..=SERVICE_MAX).contains(&size)).then_some(Self {
            version: FirmwareVersion::new(version >> 16, version & 0xFFFF),
            size,
            digest,
        })
    }

    /// Does `image` have this manifest's size and digest?
    #[must_use]
    pub fn matches(&self, image: &[u8]) -> bool {
        image.len() == self.size && Sha256::digest(image).as_slice() == self.digest
    }
}

/// Where `prime` is (the agent keeps its own phase; this is the platform's).
const NOTHING: u32 = 0;
/// Round 1 done: manifest and image copied into [`Loaded`].
const LOADED: u32 = 1;
/// Round 2 done: the copy matches its manifest.
const VERIFIED: u32 = 2;

/// The firmware's copy of a staged image.
struct Loaded {
    manifest: Option<Manifest>,
    image: [u8; SERVICE_MAX],
}

/// The one buffer `prime` loads into: a static of its own, so that its
/// 64 KiB are .bss, not initialised data of the agent's static. (The
/// platform drives fixed memory regions: one per image.)
static BUFFER: spin::Mutex<Loaded> = spin::Mutex::new(Loaded {
    manifest: None,
    image: [0; SERVICE_MAX],
});

/// The QEMU platform: the demo service component, PSCI's CPU states, MPIDR
/// and the generic timer. Use one per image, in the agent's `static`: it
/// drives the fixed regions above.
pub struct QemuPlatform {
    /// The running service's version (`to_reg`), 0 before [`boot`](Self::boot).
    running: AtomicU64,
    stage: AtomicU32,
    prime_calls: AtomicU32,
    auth_errors: AtomicU32,
    activations: AtomicU32,
    /// Ticks the last `activate` took (copy and cache maintenance).
    activate_ticks: AtomicU64,
    /// The CPU-reset demo's version (`to_reg`).
    reset_demo: AtomicU64,
    /// The entry point and context id of its last activation.
    reset_to: [AtomicU64; 2],
}

impl Default for QemuPlatform {
    fn default() -> Self {
        Self::new()
    }
}

impl QemuPlatform {
    /// A platform with no service installed yet.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            running: AtomicU64::new(0),
            stage: AtomicU32::new(NOTHING),
            prime_calls: AtomicU32::new(0),
            auth_errors: AtomicU32::new(0),
            activations: AtomicU32::new(0),
            activate_ticks: AtomicU64::new(0),
            reset_demo: AtomicU64::new(CPU_RESET_DEMO_FROM.to_reg()),
            reset_to: [AtomicU64::new(0), AtomicU64::new(0)],
        }
    }

    /// The entry point and context id the CPU-reset demo's last activation
    /// was given (zeros before it).
    #[must_use]
    pub fn reset_to(&self) -> (u64, u64) {
        let [entry, context] = &self.reset_to;
        (
            entry.load(Ordering::Acquire),
            context.load(Ordering::Acquire),
        )
    }

    /// The CPU-reset demo's version.
    fn reset_demo(&self) -> FirmwareVersion {
        FirmwareVersion::from_reg(self.reset_demo.load(Ordering::Acquire))
    }

    /// Installs the boot version of the service (at EL3, before any CPU
    /// leaves it): checks `image` against `manifest` as `prime` would, copies
    /// it to [`SERVICE_BASE`] and makes it executable.
    ///
    /// # Errors
    ///
    /// A bad manifest, or an image that does not match it.
    pub fn boot(&self, image: &[u8], manifest: &[u8; MANIFEST_LEN]) -> Result<(), &'static str> {
        let manifest = Manifest::parse(manifest).ok_or("bad boot manifest")?;
        if !manifest.matches(image) {
            return Err("boot image does not match its manifest");
        }
        install(image);
        self.running
            .store(manifest.version.to_reg(), Ordering::Release);
        Ok(())
    }

    /// The version of the service that runs now (`None` before
    /// [`boot`](Self::boot)).
    #[must_use]
    pub fn running(&self) -> Option<FirmwareVersion> {
        match self.running.load(Ordering::Acquire) {
            0 => None,
            v => Some(FirmwareVersion::from_reg(v)),
        }
    }

    /// `LFA_PRIME` calls that reached the platform.
    #[must_use]
    pub fn prime_calls(&self) -> u32 {
        self.prime_calls.load(Ordering::Acquire)
    }

    /// Primes refused with `AUTH_ERROR`.
    #[must_use]
    pub fn auth_errors(&self) -> u32 {
        self.auth_errors.load(Ordering::Acquire)
    }

    /// Completed activations.
    #[must_use]
    pub fn activations(&self) -> u32 {
        self.activations.load(Ordering::Acquire)
    }

    /// Generic-timer ticks the last activation's copy and cache maintenance
    /// took.
    #[must_use]
    pub fn activate_ticks(&self) -> u64 {
        self.activate_ticks.load(Ordering::Acquire)
    }

    /// The staged manifest, if it looks valid and is not the running version.
    fn staged(&self) -> Option<Manifest> {
        let mut bytes = [0_u8; MANIFEST_LEN];
        read_staging(STAGING, &mut bytes);
        Manifest::parse(&bytes).filter(|m| Some(m.version) != self.running())
    }

    /// Answers [`DEMO_SERVICE_CALL`] by running the installed service; any
    /// other function id is left alone (`false`). Without a service
    /// installed the answer is NOT_SUPPORTED (-1).
    pub fn serve(&self, regs: &mut Regs) -> bool {
        let [function, x1, ..] = regs.x;
        if function != DEMO_SERVICE_CALL {
            return false;
        }
        let (x0, x1) = if self.running().is_some() {
            let answer = call_service(x1);
            (answer.version, answer.value)
        } else {
            (u64::MAX, x1)
        };
        let [r0, r1, ..] = &mut regs.x;
        *r0 = x0;
        *r1 = x1;
        true
    }
}

impl Platform for QemuPlatform {
    fn component_count(&self) -> u32 {
        crate::stack::note_depth();
        self.component_count_body()
    }

    fn component(&self, index: u32) -> Option<Component> {
        crate::stack::note_depth();
        self.component_body(index)
    }

    fn is_pending(&self, index: u32) -> bool {
        crate::stack::note_depth();
        self.is_pending_body(index)
    }

    fn prime(&self, index: u32) -> Result<Step, LfaError> {
        crate::stack::note_depth();
        self.prime_body(index)
    }

    fn activate(&self, index: u32, entry: u64, context: u64) -> Result<Activated, LfaError> {
        crate::stack::note_depth();
        self.activate_body(index, entry, context)
    }

    fn cancel(&self, index: u32) -> bool {
        crate::stack::note_depth();
        self.cancel_body(index)
    }

    fn valid_entry_point(&self, entry_point: u64) -> bool {
        crate::stack::note_depth();
        self.valid_entry_point_body(entry_point)
    }

    fn cpus_on(&self) -> u32 {
        crate::stack::note_depth();
        self.cpus_on_body()
    }

    fn cpu_index(&self) -> usize {
        crate::stack::note_depth();
        self.cpu_index_body()
    }

    fn now(&self) -> u64 {
        crate::stack::note_depth();
        self.now_body()
    }

    fn rendezvous_timeout(&self) -> u64 {
        crate::stack::note_depth();
        self.rendezvous_timeout_body()
    }
}

/// The bodies of the platform's callbacks: each method of the `Platform`
/// impl above notes the stack depth ([`crate::stack::note_depth`], for the
/// cost report) and calls its body here, out of line, so that the note sees
/// the agent's frames and none of the body's.
impl QemuPlatform {
    #[inline(never)]
    fn component_count_body(&self) -> u32 {
        2
    }

    #[inline(never)]
    fn component_body(&self, index: u32) -> Option<Component> {
        if index == 1 {
            let current = self.reset_demo();
            let component = Component::new(CPU_RESET_DEMO_UUID)
                .capable()
                .may_reset_cpu()
                .current(current);
            return Some(if current == CPU_RESET_DEMO_TO {
                component
            } else {
                component.pending(CPU_RESET_DEMO_TO)
            });
        }
        if index != 0 {
            return None;
        }
        let current = self.running().unwrap_or_default();
        let component = Component::new(DEMO_SERVICE_UUID).capable().current(current);
        Some(match self.staged() {
            Some(staged) => component.pending(staged.version),
            None => component,
        })
    }

    #[inline(never)]
    fn is_pending_body(&self, index: u32) -> bool {
        match index {
            0 => self.staged().is_some(),
            1 => self.reset_demo() != CPU_RESET_DEMO_TO,
            _ => false,
        }
    }

    #[inline(never)]
    fn prime_body(&self, index: u32) -> Result<Step, LfaError> {
        match index {
            0 => {}
            1 => return Ok(Step::Done),
            _ => return Err(LfaError::InvalidParameters),
        }
        self.prime_calls.fetch_add(1, Ordering::AcqRel);
        let mut loaded = BUFFER.lock();
        if self.stage.load(Ordering::Acquire) != LOADED {
            // Round 1: take the firmware's own copy of what is staged.
            let mut bytes = [0_u8; MANIFEST_LEN];
            read_staging(STAGING, &mut bytes);
            loaded.manifest = Manifest::parse(&bytes).filter(|m| Some(m.version) != self.running());
            if let Some(manifest) = loaded.manifest {
                if let Some(image) = loaded.image.get_mut(..manifest.size) {
                    read_staging(STAGING_IMAGE, image);
                }
            }
            self.stage.store(LOADED, Ordering::Release);
            return Ok(Step::Again);
        }
        // Round 2: check the copy.
        let verified = loaded
            .manifest
            .is_some_and(|m| loaded.image.get(..m.size).is_some_and(|i| m.matches(i)));
        if verified {
            self.stage.store(VERIFIED, Ordering::Release);
            Ok(Step::Done)
        } else {
            self.stage.store(NOTHING, Ordering::Release);
            self.auth_errors.fetch_add(1, Ordering::AcqRel);
            Err(LfaError::AuthError)
        }
    }

    #[inline(never)]
    fn activate_body(&self, index: u32, entry: u64, context: u64) -> Result<Activated, LfaError> {
        if index == 1 {
            let [to_entry, to_context] = &self.reset_to;
            to_entry.store(entry, Ordering::Release);
            to_context.store(context, Ordering::Release);
            self.reset_demo
                .store(CPU_RESET_DEMO_TO.to_reg(), Ordering::Release);
            return Ok(Activated::ResetCpus);
        }
        if index != 0 {
            return Err(LfaError::InvalidParameters);
        }
        let loaded = BUFFER.lock();
        let manifest = match (self.stage.load(Ordering::Acquire), loaded.manifest) {
            (VERIFIED, Some(manifest)) => manifest,
            _ => return Err(LfaError::ComponentWrongState),
        };
        let Some(image) = loaded.image.get(..manifest.size) else {
            return Err(LfaError::ComponentWrongState);
        };
        let start = timer::ticks();
        install(image);
        self.running
            .store(manifest.version.to_reg(), Ordering::Release);
        self.activate_ticks
            .store(timer::ticks().saturating_sub(start), Ordering::Release);
        self.stage.store(NOTHING, Ordering::Release);
        self.activations.fetch_add(1, Ordering::AcqRel);
        Ok(Activated::Return)
    }

    #[inline(never)]
    fn cancel_body(&self, index: u32) -> bool {
        if index == 0 {
            self.stage.store(NOTHING, Ordering::Release);
        }
        true
    }

    #[inline(never)]
    fn valid_entry_point_body(&self, entry_point: u64) -> bool {
        firmware::valid_entry_point(entry_point)
    }

    #[inline(never)]
    fn cpus_on_body(&self) -> u32 {
        firmware::cpus_on()
    }

    #[inline(never)]
    fn cpu_index_body(&self) -> usize {
        cpu::index()
    }

    #[inline(never)]
    fn now_body(&self) -> u64 {
        timer::ticks()
    }

    #[inline(never)]
    fn rendezvous_timeout_body(&self) -> u64 {
        timer::frequency().saturating_mul(RENDEZVOUS_TIMEOUT_MS) / 1000
    }
}

/// The two words the service returns in x0 and x1 (`service/src/lib.rs`).
#[repr(C)]
struct Answer {
    version: u64,
    value: u64,
}

/// Runs the installed service on this CPU's EL3 stack.
fn call_service(x1: u64) -> Answer {
    let (version, value): (u64, u64);
    // SAFETY: SERVICE_BASE holds a manifest-checked image, made visible to
    // instruction fetch, whose first byte is an AAPCS64 `extern "C" fn(u64) ->
    // Answer` (build.rs checks the link); `blr` with the C ABI's clobbers is
    // that call. Only `boot` or `activate` (other CPUs in the pen) rewrite it.
    unsafe {
        asm!(
            "blr {entry}",
            entry = in(reg) SERVICE_BASE,
            inlateout("x0") x1 => version,
            lateout("x1") value,
            clobber_abi("C"),
        );
    }
    Answer { version, value }
}

/// Copies `image` (at most [`SERVICE_MAX`] bytes) to [`SERVICE_BASE`] and
/// makes it visible to instruction fetch.
fn install(image: &[u8]) {
    let len = image.len().min(SERVICE_MAX);
    // SAFETY: The execution region is RAM that `mmu` maps Normal and
    // writable at EL3 and that no Rust object occupies (`link.ld` keeps
    // every image below it); `len` is within it. Callers guarantee that no
    // CPU executes it meanwhile (see `call_service`).
    unsafe {
        core::ptr::copy_nonoverlapping(image.as_ptr(), SERVICE_BASE as *mut u8, len);
    }
    sync_instructions(SERVICE_BASE, len);
}

/// Is `len` bytes at `address` inside the staging region?
fn in_staging(address: usize, len: usize) -> bool {
    address >= STAGING
        && address
            .checked_add(len)
            .is_some_and(|end| end <= STAGING + STAGING_LEN)
}

/// Copies `out.len()` bytes from the staging region at `address`, byte by
/// byte with volatile reads: the normal world may write there at any time,
/// so it is never read as a Rust object. Outside the region: zeros.
pub fn read_staging(address: usize, out: &mut [u8]) {
    if !in_staging(address, out.len()) {
        out.fill(0);
        return;
    }
    for (at, byte) in (address..).zip(out) {
        // SAFETY: The range is inside the staging region (checked above),
        // RAM that `mmu` maps Normal at EL3 and at NS-EL1 and that no Rust
        // object occupies (`link.ld`); a volatile byte read has no other
        // effect.
        *byte = unsafe { core::ptr::read_volatile(at as *const u8) };
    }
}

/// Writes `bytes` into the staging region at `address` (volatile, byte by
/// byte), as the channel that delivers images does; `false` (nothing
/// written) if the range is not inside the region.
pub fn write_staging(address: usize, bytes: &[u8]) -> bool {
    if !in_staging(address, bytes.len()) {
        return false;
    }
    for (at, byte) in (address..).zip(bytes) {
        // SAFETY: As in `read_staging`: inside the staging region, which no
        // Rust object occupies; the firmware only ever reads it volatile.
        unsafe { core::ptr::write_volatile(at as *mut u8, *byte) };
    }
    true
}

/// Stages `image` with `manifest`: what a delivery channel would leave in
/// the staging region. `false` if the image does not fit.
pub fn stage(image: &[u8], manifest: &[u8; MANIFEST_LEN]) -> bool {
    image.len() <= SERVICE_MAX
        && write_staging(STAGING, manifest)
        && write_staging(STAGING_IMAGE, image)
}

/// Makes `len` bytes of new code at `start`, written through the data
/// side, visible to instruction fetch on every CPU:
///
/// 1. `dc cvau` on every data-cache line: the new bytes may sit dirty in
///    this CPU's data cache, while instruction fetch reads from the point
///    of unification, so they are cleaned to it;
/// 2. `dsb ish`: the cleans complete (for every CPU of the inner-shareable
///    domain) before the invalidation;
/// 3. `ic ivau` on every instruction-cache line: any CPU's instruction
///    cache may still hold the old code at these addresses (the operation
///    is broadcast to the inner-shareable domain);
/// 4. `dsb ish`: the invalidations complete everywhere;
/// 5. `isb`: this CPU refetches what follows.
///
/// The other CPUs, parked in the agent's pen, leave it through an exception
/// return (`eret`), which is context-synchronising: they too fetch the new
/// code afresh. Line sizes come from CTR_EL0. QEMU models no caches, so
/// this is exercised but not observable there; real hardware needs it.
fn sync_instructions(start: usize, len: usize) {
    let ctr: u64;
    // SAFETY: CTR_EL0 is readable at EL3 and reading it has no side effects.
    unsafe { asm!("mrs {}, ctr_el0", out(reg) ctr, options(nomem, nostack, preserves_flags)) };
    let dline = 4_usize << ((ctr >> 16) & 0xF);
    let iline = 4_usize << (ctr & 0xF);
    let end = start.saturating_add(len);
    let mut line = start & !(dline - 1);
    while line < end {
        // SAFETY: A clean by VA of mapped RAM writes dirty data back; it
        // changes no memory contents.
        unsafe { asm!("dc cvau, {}", in(reg) line, options(nostack, preserves_flags)) };
        line += dline;
    }
    // SAFETY: A barrier; no memory is changed.
    unsafe { asm!("dsb ish", options(nostack, preserves_flags)) };
    let mut line = start & !(iline - 1);
    while line < end {
        // SAFETY: Invalidating instruction-cache lines by VA of mapped RAM
        // only makes later fetches read memory.
        unsafe { asm!("ic ivau, {}", in(reg) line, options(nostack, preserves_flags)) };
        line += iline;
    }
    // SAFETY: Barriers; no memory is changed.
    unsafe { asm!("dsb ish", "isb", options(nostack, preserves_flags)) };
}
