// SPDX-License-Identifier: MIT OR Apache-2.0
//! The agent allocates nothing: a counting global allocator sees zero
//! allocations over a full flow (every call, CALL_AGAIN rounds, a pen
//! timeout, a CANCEL and a second activation).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use lfa_agent::{
    Activated, Agent, Component, FirmwareVersion, LfaError, Platform, Regs, Step, Uuid,
};

/// Counts every allocation of this test binary.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator, which
// upholds `GlobalAlloc`'s contract; counting has no effect on it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Two components; PRIME and ACTIVATE each answer "again" once; a CPU count
/// the test changes to make a rendezvous incomplete.
struct Plat {
    cpus: AtomicU32,
    primes: AtomicU32,
    activations: AtomicU32,
}

impl Platform for Plat {
    fn component_count(&self) -> u32 {
        2
    }
    fn component(&self, index: u32) -> Option<Component> {
        let c = Component::new(Uuid::from_u128(u128::from(index) + 1))
            .capable()
            .current(FirmwareVersion::new(1, 0))
            .pending(FirmwareVersion::new(1, 1));
        Some(if index == 1 {
            c.rendezvous_optional()
        } else {
            c
        })
    }
    fn prime(&self, _: u32) -> Result<Step, LfaError> {
        let n = self.primes.fetch_add(1, Ordering::Relaxed);
        Ok(if n % 2 == 0 { Step::Again } else { Step::Done })
    }
    fn activate(&self, _: u32, _: u64, _: u64) -> Result<Activated, LfaError> {
        let n = self.activations.fetch_add(1, Ordering::Relaxed);
        Ok(if n % 2 == 0 {
            Activated::Again
        } else {
            Activated::Return
        })
    }
    fn cpus_on(&self) -> u32 {
        self.cpus.load(Ordering::Relaxed)
    }
    fn rendezvous_timeout(&self) -> u64 {
        100
    }
}

fn call(agent: &Agent<Plat, 4>, x: [u64; 3]) -> [u64; 2] {
    let mut regs = Regs::ZERO;
    regs.x[..3].copy_from_slice(&x);
    agent.handle(&mut regs);
    [regs.x[0], regs.x[1]]
}

#[test]
fn a_full_flow_allocates_nothing() {
    let agent = Agent::<Plat, 4>::new(Plat {
        cpus: AtomicU32::new(1),
        primes: AtomicU32::new(0),
        activations: AtomicU32::new(0),
    });
    let failed = LfaError::ActivationFailed.to_x0();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let answers = [
        call(&agent, [0xC400_02E0, 0, 0]),
        call(&agent, [0xC400_02E1, 0xC400_02E5, 0]),
        call(&agent, [0xC400_02E2, 0, 0]),
        call(&agent, [0xC400_02E3, 1, 0]),
        call(&agent, [0xC400_02E4, 0, 0]),
        call(&agent, [0xC400_02E4, 0, 0]),
        // Two CPUs on, one arrives: the pen times out (stopped clock, 100 polls).
        {
            agent.platform().cpus.store(2, Ordering::Relaxed);
            call(&agent, [0xC400_02E5, 0, 0])
        },
        call(&agent, [0xC400_02E6, 0, 0]),
        call(&agent, [0xC400_02E4, 1, 0]),
        call(&agent, [0xC400_02E4, 1, 0]),
        call(&agent, [0xC400_02E5, 1, 1]),
        call(&agent, [0xC400_02E5, 1, 1]),
        call(&agent, [0x8400_0000, 0, 0]),
    ];
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    assert_eq!(after - before, 0, "allocations during the flow");
    assert_eq!(
        answers,
        [
            [0x1_0000, 0],
            [0, 0],
            [0, 2],
            [0, 0],
            [0, 1],
            [0, 0],
            [failed, 0],
            [0, 0],
            [0, 1],
            [0, 0],
            [0, 1],
            [0, 0],
            [LfaError::NotSupported.to_x0(), 0],
        ]
    );
}
