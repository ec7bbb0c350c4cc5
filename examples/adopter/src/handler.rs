// SPDX-License-Identifier: MIT OR Apache-2.0
//! A notification handler's state: activate one component, one firmware call
//! per tick (a timer interrupt, or a loop that does other work in between).

use lfa_client::{
    Activated, ActivationOp, Client, Clock, Conduit, Error, PrimeOp, Rendezvous, Step, Uuid,
};
use lfa_client::ErrorDetail;

/// Where an [`Activator`] is.
#[derive(Debug)]
enum State {
    Idle,
    Priming(PrimeOp),
    Activating(ActivationOp),
}

/// What one [`Activator::tick`] did.
#[derive(Debug)]
pub enum Tick {
    /// Nothing to do.
    Idle,
    /// One call made; tick again (after the retry delay if `retry`).
    Busy {
        /// Whether the retry delay applies before the next tick.
        retry: bool,
    },
    /// The activation finished.
    Activated(Activated),
    /// It failed (the client has cancelled what needed cancelling).
    Failed(Error),
}

/// The client and the operation in flight, owned together so a handler can
/// keep them in its own `static` between interrupts.
#[derive(Debug)]
pub struct Activator<C: Conduit, K: Clock> {
    client: Client<C, K>,
    state: State,
}

impl<C: Conduit, K: Clock> Activator<C, K> {
    /// An activator with nothing in flight.
    pub const fn new(client: Client<C, K>) -> Self {
        Self {
            client,
            state: State::Idle,
        }
    }

    /// The client, between operations.
    pub const fn client(&self) -> &Client<C, K> {
        &self.client
    }

    /// Starts activating `uuid` (one listing now, N + 1 calls; a component
    /// that is not listed is `ErrorDetail::ComponentGone`).
    ///
    /// # Errors
    ///
    /// The errors of listing and of `Client::prime_op`.
    pub fn start(&mut self, uuid: Uuid) -> Result<(), Error> {
        let component = self
            .client
            .find(uuid)?
            .ok_or(ErrorDetail::ComponentGone { uuid })?;
        self.state = State::Priming(self.client.prime_op(&component)?);
        Ok(())
    }

    /// One step: at most one firmware call from this CPU (the rendezvous
    /// window, when the activation needs one, is one tick).
    pub fn tick<R: Rendezvous<C> + ?Sized>(&mut self, rendezvous: &R) -> Tick {
        let state = core::mem::replace(&mut self.state, State::Idle);
        match state {
            State::Idle => Tick::Idle,
            State::Priming(mut op) => match op.step(&mut self.client) {
                Step::Pending { wait, .. } => {
                    self.state = State::Priming(op);
                    Tick::Busy {
                        retry: wait.is_some(),
                    }
                }
                Step::Done(Ok(primed)) => {
                    self.state = State::Activating(primed.activate());
                    Tick::Busy { retry: false }
                }
                Step::Done(Err(e)) => Tick::Failed(e),
            },
            State::Activating(mut op) => match op.step_with(&mut self.client, rendezvous) {
                Step::Pending { wait, .. } => {
                    self.state = State::Activating(op);
                    Tick::Busy {
                        retry: wait.is_some(),
                    }
                }
                Step::Done(Ok(done)) => Tick::Activated(done),
                Step::Done(Err(e)) => Tick::Failed(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use core::sync::atomic::{AtomicBool, Ordering};

    use lfa_client::{FunctionId, InventoryFlags, Regs};

    use super::*;
    use crate::logging::{LoggingConduit, Ring};
    use crate::parked::ParkedCpus;

    /// A one-component agent (nil UUID, rendezvous required) that
    /// activates at the first LFA_ACTIVATE.
    struct Agent {
        activated: AtomicBool,
    }

    impl Conduit for Agent {
        fn call(&self, args: &Regs) -> Regs {
            let mut out = Regs::ZERO;
            match FunctionId::try_from(args.x[0]) {
                Ok(FunctionId::Version) => out.x[0] = 0x1_0000,
                Ok(FunctionId::GetInfo) => out.x[1] = 1,
                Ok(FunctionId::GetInventory) => {
                    let mut flags = InventoryFlags::ACTIVATION_CAPABLE;
                    if !self.activated.load(Ordering::Acquire) {
                        flags |= InventoryFlags::ACTIVATION_PENDING;
                    }
                    out.x[3] = flags.bits();
                }
                Ok(FunctionId::Activate) => self.activated.store(true, Ordering::Release),
                _ => {}
            }
            out
        }
    }

    #[test]
    fn one_call_per_tick_with_other_work_between() {
        let agent = Agent {
            activated: AtomicBool::new(false),
        };
        let ring = Ring::<32>::new();
        let conduit = LoggingConduit::new(&agent, &ring);
        let client = Client::discover(conduit).unwrap();
        let mut activator = Activator::new(client);
        activator.start(Uuid::nil()).unwrap();
        let alone = ParkedCpus::<0>::new(10);
        let mut other_work = 0;
        let done = loop {
            let before = ring.calls();
            let tick = activator.tick(&alone);
            assert!(ring.calls() - before <= 1, "one call per tick");
            match tick {
                Tick::Busy { .. } => other_work += 1,
                Tick::Activated(done) => break done,
                other => panic!("{other:?}"),
            }
        };
        assert!(done.used_rendezvous());
        assert!(!done.now().unwrap().is_pending());
        assert!(
            other_work >= 3,
            "refresh, PRIME and ACTIVATE were separate ticks"
        );
        let functions: std::vec::Vec<u64> = (0..ring.calls())
            .filter_map(|n| ring.get(n))
            .map(|(f, _)| f)
            .collect();
        let id = |f: FunctionId| f.to_x0();
        assert_eq!(
            functions,
            [
                id(FunctionId::Version),
                id(FunctionId::GetInfo),
                id(FunctionId::GetInventory),
                id(FunctionId::GetInventory),
                id(FunctionId::Prime),
                id(FunctionId::Activate),
                id(FunctionId::GetInfo),
                id(FunctionId::GetInventory),
            ]
        );
        assert!(matches!(activator.tick(&alone), Tick::Idle));
    }
}
