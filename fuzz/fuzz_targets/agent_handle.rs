// SPDX-License-Identifier: MIT OR Apache-2.0
//! lfa-agent's request handling on any sequence of register blocks, with a
//! platform whose components, answers and CPU count come from the input:
//! it never panics, keeps x6..x17 as sent, writes nothing but x0 for a
//! foreign function id, resumes only CPUs of a may_reset_cpu component, and
//! its phase stays consistent (a valid current component, nobody left in the
//! pen after a call returns).
#![no_main]

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use lfa_agent::{
    Activated, Agent, Component, Exit, FirmwareVersion, LfaError, Phase, Platform, Step, Uuid,
};
use lfa_fuzz::Input;
use libfuzzer_sys::fuzz_target;

const ERRORS: [LfaError; 4] = [
    LfaError::AuthError,
    LfaError::DeviceError,
    LfaError::CriticalError,
    LfaError::Unknown(-35),
];

struct Fuzzed {
    components: Vec<Component>,
    pending: Vec<AtomicBool>,
    /// Bytes that choose what prime and activate answer.
    answers: Mutex<Vec<u8>>,
    cpus_on: AtomicU32,
    hook: bool,
}

impl Fuzzed {
    fn next(&self) -> u8 {
        self.answers.lock().unwrap().pop().unwrap_or(0)
    }
}

impl Platform for Fuzzed {
    fn component_count(&self) -> u32 {
        self.components.len() as u32
    }
    fn component(&self, index: u32) -> Option<Component> {
        self.components.get(index as usize).copied()
    }
    fn is_pending(&self, index: u32) -> bool {
        self.pending[index as usize].load(Ordering::Relaxed)
    }
    fn prime(&self, _: u32) -> Result<Step, LfaError> {
        match self.next() % 4 {
            0 | 1 => Ok(Step::Done),
            2 => Ok(Step::Again),
            n => Err(ERRORS[usize::from(n) % ERRORS.len()]),
        }
    }
    fn activate(&self, index: u32, _: u64, _: u64) -> Result<Activated, LfaError> {
        let answer = match self.next() % 5 {
            0 | 1 => Ok(Activated::Return),
            2 => Ok(Activated::Again),
            3 => Ok(Activated::ResetCpus),
            n => Err(ERRORS[usize::from(n) % ERRORS.len()]),
        };
        if matches!(answer, Ok(Activated::Return | Activated::ResetCpus)) {
            self.pending[index as usize].store(false, Ordering::Relaxed);
        }
        answer
    }
    fn cancel(&self, _: u32) -> bool {
        self.hook
    }
    fn cpus_on(&self) -> u32 {
        self.cpus_on.load(Ordering::Relaxed)
    }
    // One thread: a rendezvous of more than one CPU ends by its bound (a
    // stopped clock, so 8 polls).
    fn rendezvous_timeout(&self) -> u64 {
        8
    }
}

fn component(input: &mut Input<'_>, n: u8) -> Component {
    let bits = input.u8();
    let mut c = Component::new(Uuid::from_u128(u128::from(n))).current(FirmwareVersion::new(1, 0));
    if bits & 1 != 0 {
        c = c.capable();
    }
    if bits & 2 != 0 {
        c = c.pending(FirmwareVersion::new(1, 1));
    }
    if bits & 4 != 0 {
        c = c.rendezvous_optional();
    }
    if bits & 8 != 0 {
        c = c.may_reset_cpu();
    }
    c
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let components: Vec<Component> = (0..input.u8() % 5)
        .map(|n| component(&mut input, n))
        .collect();
    let pending = components
        .iter()
        .map(|_| AtomicBool::new(input.u8() & 1 != 0))
        .collect();
    let answers = (0..input.u8() % 32).map(|_| input.u8()).collect();
    let agent = Agent::<Fuzzed, 2>::new(Fuzzed {
        components,
        pending,
        answers: Mutex::new(answers),
        cpus_on: AtomicU32::new(1),
        hook: input.u8() & 1 != 0,
    });
    let count = agent.platform().component_count();
    while !input.is_empty() {
        match input.u8() % 8 {
            0 => agent
                .platform()
                .cpus_on
                .store(u32::from(input.u8() % 3), Ordering::Relaxed),
            1 => {
                // Stage (or unstage) an image.
                if let Some(p) = agent.platform().pending.get(usize::from(input.u8() % 5)) {
                    p.store(input.u8() & 1 != 0, Ordering::Relaxed);
                }
            }
            _ => {
                let mut regs = if input.u8() % 4 == 0 {
                    input.regs()
                } else {
                    // Mostly LFA calls with fuzzed arguments.
                    let mut r = input.regs();
                    r.x[0] = 0xC400_02E0 + u64::from(input.u8() % 7);
                    r.x[1] = u64::from(input.u8() % 6);
                    r.x[2] = u64::from(input.u8() % 2);
                    r
                };
                let sent = regs;
                let exit = agent.handle(&mut regs);
                assert_eq!(
                    regs.x[6..],
                    sent.x[6..],
                    "x6..x17 changed: {sent:?} -> {regs:?}"
                );
                if !lfa_agent::owns(sent.x[0]) {
                    assert_eq!(regs.x[0], LfaError::NotSupported.to_x0());
                    assert_eq!(regs.x[1..], sent.x[1..]);
                }
                if let Exit::Resume {
                    entry_point,
                    context_id,
                } = exit
                {
                    assert_eq!(sent.x[0], 0xC400_02E5);
                    assert_eq!((entry_point, context_id), (sent.x[3], sent.x[4]));
                    assert_ne!(entry_point, 0);
                    let c = agent.platform().component(sent.x[1] as u32).unwrap();
                    assert!(c.may_reset_cpu && regs.x[0] == 0);
                }
            }
        }
        match agent.phase() {
            Phase::Idle => {}
            Phase::Priming { index, .. } | Phase::Primed { index } => assert!(index < count),
            Phase::Activating {
                index,
                waiting,
                skip_rendezvous,
                ..
            } => {
                assert!(index < count && waiting == 0);
                let c = agent.platform().component(index).unwrap();
                assert!(!(skip_rendezvous && c.rendezvous_required));
            }
        }
    }
});
