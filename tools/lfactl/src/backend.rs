// SPDX-License-Identifier: MIT OR Apache-2.0
//! The two backends: the kernel's sysfs tree and the simulated agent.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lfa_client::{Client, Options, ThreadRendezvous};
use lfa_proto::{CancelRequest, CancelResponse, LfaError, Request, Response, ResponseError, Uuid};
use lfa_sim::SimAgent;
use lfa_smccc::Conduit;
use lfa_sysfs::{ComponentInfo, FileAccess, Sysfs, SysfsError, select};

use crate::console::Console;
use crate::exit::{Exit, Failure};

/// What a cancel write (or `LFA_CANCEL`) got: only the answer, not what
/// the firmware did with it (TF-A accepts a cancel also after completion).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancelResult {
    /// The kernel (or the simulated agent) accepted the cancel.
    Accepted,
    /// There was nothing to cancel (only the simulated agent can tell).
    NothingToCancel,
    /// The kernel or firmware refused, with the reason.
    Refused(String),
}

/// What lfactl needs from a backend.
pub trait Backend {
    /// "sysfs" or "simulate", for JSON.
    fn kind(&self) -> &'static str;
    /// Every component.
    fn list(&mut self) -> Result<Vec<ComponentInfo>, Failure>;
    /// The component a UUID or name designates.
    fn find(&mut self, query: &str) -> Result<ComponentInfo, Failure>;
    /// The component with `uuid` now, or `None` if it is no longer listed.
    fn refresh(&mut self, uuid: Uuid) -> Result<Option<ComponentInfo>, Failure>;
    /// Activates, telling progress through `progress`.
    fn activate(
        &mut self,
        component: &ComponentInfo,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(), Failure>;
    /// Cancels.
    fn cancel(&mut self, component: &ComponentInfo) -> Result<CancelResult, Failure>;
    /// Sets force_cpu_rendezvous.
    fn set_force_rendezvous(&mut self, component: &ComponentInfo, on: bool) -> Result<(), Failure>;
    /// Sets auto_activate.
    fn set_auto_activate(&mut self, component: &ComponentInfo, on: bool) -> Result<(), Failure>;
}

/// The kernel's tree.
pub struct SysfsBackend<'a> {
    sysfs: Sysfs<&'a dyn FileAccess>,
    console: &'a Console,
}

impl<'a> SysfsBackend<'a> {
    /// The tree at `root`, through `access`.
    pub fn new(root: &Path, access: &'a dyn FileAccess, console: &'a Console) -> Self {
        Self {
            sysfs: Sysfs::with_access(root, access),
            console,
        }
    }
}

/// How often the elapsed time of a running activation is reported.
const TICK: Duration = Duration::from_secs(1);

impl Backend for SysfsBackend<'_> {
    fn kind(&self) -> &'static str {
        "sysfs"
    }

    fn list(&mut self) -> Result<Vec<ComponentInfo>, Failure> {
        Ok(self.sysfs.components()?)
    }

    fn find(&mut self, query: &str) -> Result<ComponentInfo, Failure> {
        Ok(self.sysfs.find(query)?)
    }

    fn refresh(&mut self, uuid: Uuid) -> Result<Option<ComponentInfo>, Failure> {
        match self.sysfs.component(uuid) {
            Ok(c) => Ok(Some(c)),
            Err(SysfsError::NoSuchComponent { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn activate(
        &mut self,
        component: &ComponentInfo,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(), Failure> {
        let path = self.sysfs.component_dir(component.uuid()).join("activate");
        progress(&format!(
            "writing 1 to {} (the kernel primes, then activates{})",
            path.display(),
            if component.activates_with_rendezvous() {
                " with every CPU in a rendezvous"
            } else {
                " from one CPU"
            }
        ));
        // The write blocks until the kernel is done (its own loops are
        // bounded); meanwhile a second thread reports the elapsed time.
        let start = Instant::now();
        let (done, ticks) = mpsc::channel::<()>();
        let console = self.console;
        let result = std::thread::scope(|scope| {
            scope.spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = ticks.recv_timeout(TICK) {
                    console.err(format_args!(
                        "lfactl:   still activating, {} s",
                        start.elapsed().as_secs()
                    ));
                }
            });
            let result = self.sysfs.activate(component.uuid());
            drop(done);
            result
        });
        result?;
        progress(&format!(
            "the kernel reports success after {} ms",
            start.elapsed().as_millis()
        ));
        Ok(())
    }

    fn cancel(&mut self, component: &ComponentInfo) -> Result<CancelResult, Failure> {
        match self.sysfs.cancel(component.uuid()) {
            Ok(()) => Ok(CancelResult::Accepted),
            Err(e @ SysfsError::Refused { .. }) => Ok(CancelResult::Refused(e.to_string())),
            Err(e) => Err(e.into()),
        }
    }

    fn set_force_rendezvous(&mut self, component: &ComponentInfo, on: bool) -> Result<(), Failure> {
        Ok(self.sysfs.set_force_cpu_rendezvous(component.uuid(), on)?)
    }

    fn set_auto_activate(&mut self, component: &ComponentInfo, on: bool) -> Result<(), Failure> {
        Ok(self.sysfs.set_auto_activate(component.uuid(), on)?)
    }
}

/// How many CPUs the simulated machine has online.
pub const SIM_CPUS: u32 = 4;

/// The simulated agent, driven through lfa-client, with the kernel's two
/// settings kept in memory (defaults as in Linux: forced rendezvous on,
/// auto-activation off).
pub struct SimBackend {
    agent: SimAgent,
    /// (force_cpu_rendezvous, auto_activate) per component.
    settings: BTreeMap<Uuid, (bool, bool)>,
}

impl SimBackend {
    /// The demo population on 4 CPUs.
    pub fn new() -> Self {
        let agent = SimAgent::demo();
        agent.set_online_cpus(SIM_CPUS);
        // Threads waiting in the simulated holding pen yield to the others.
        agent.set_spin_relax(Some(std::thread::yield_now));
        Self {
            agent,
            settings: BTreeMap::new(),
        }
    }

    fn settings(&self, uuid: Uuid) -> (bool, bool) {
        self.settings.get(&uuid).copied().unwrap_or((true, false))
    }
}

impl Backend for SimBackend {
    fn kind(&self) -> &'static str {
        "simulate"
    }

    fn list(&mut self) -> Result<Vec<ComponentInfo>, Failure> {
        let client = Client::discover(&self.agent)?;
        let mut list = Vec::new();
        for component in client.components()? {
            let component = component?;
            let (force, auto) = self.settings(component.uuid());
            list.push(ComponentInfo::from(&component).with_settings(Some(force), Some(auto)));
        }
        Ok(list)
    }

    fn find(&mut self, query: &str) -> Result<ComponentInfo, Failure> {
        let list = self.list()?;
        Ok(select(list, query, Path::new("the simulated agent"))?)
    }

    fn refresh(&mut self, uuid: Uuid) -> Result<Option<ComponentInfo>, Failure> {
        Ok(self.list()?.into_iter().find(|c| c.uuid() == uuid))
    }

    fn activate(
        &mut self,
        component: &ComponentInfo,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(), Failure> {
        let (force, _) = self.settings(component.uuid());
        let options = Options::DEFAULT.with_force_rendezvous(force);
        let mut client = Client::discover(&self.agent)?.with_options(options);
        let found = client.find(component.uuid())?.ok_or_else(|| {
            Failure::new(
                Exit::Refused,
                format!("{} is no longer listed", component.uuid()),
            )
        })?;
        progress("LFA_PRIME (repeated while the agent answers CALL_AGAIN)");
        let primed = client.prime(&found)?;
        progress(&format!(
            "primed after {} LFA_PRIME call(s)",
            primed.prime_rounds()
        ));
        let activated = if force || found.rendezvous_required() {
            progress(&format!(
                "LFA_ACTIVATE on every CPU: a rendezvous of {SIM_CPUS} simulated CPUs"
            ));
            let cpus = usize::try_from(SIM_CPUS).unwrap_or(1);
            primed.activate_with(&ThreadRendezvous::new(cpus))?
        } else {
            progress("LFA_ACTIVATE from one CPU (skip_cpu_rendezvous)");
            primed.activate_alone()?
        };
        progress(&format!(
            "activated after {} LFA_ACTIVATE call(s) per CPU on {} CPU(s); inventory re-read",
            activated.activate_rounds(),
            activated.cpus()
        ));
        Ok(())
    }

    fn cancel(&mut self, component: &ComponentInfo) -> Result<CancelResult, Failure> {
        let client = Client::discover(&self.agent)?;
        let Some(found) = client.find(component.uuid())? else {
            return Ok(CancelResult::NothingToCancel);
        };
        let response = self
            .agent
            .call(&CancelRequest::new(found.seq_id()).encode());
        match CancelResponse::decode(&response) {
            Ok(CancelResponse) => Ok(CancelResult::Accepted),
            // The agent's "nothing is current": nothing was primed.
            Err(ResponseError::Status(LfaError::InvalidParameters)) => {
                Ok(CancelResult::NothingToCancel)
            }
            Err(ResponseError::Status(status)) => Ok(CancelResult::Refused(format!(
                "LFA_CANCEL returned {status}"
            ))),
            Err(e) => Err(Failure::new(
                Exit::System,
                format!("LFA_CANCEL returned a malformed response: {e}"),
            )),
        }
    }

    fn set_force_rendezvous(&mut self, component: &ComponentInfo, on: bool) -> Result<(), Failure> {
        let (_, auto) = self.settings(component.uuid());
        self.settings.insert(component.uuid(), (on, auto));
        Ok(())
    }

    fn set_auto_activate(&mut self, component: &ComponentInfo, on: bool) -> Result<(), Failure> {
        let (force, _) = self.settings(component.uuid());
        self.settings.insert(component.uuid(), (force, on));
        Ok(())
    }
}
