// SPDX-License-Identifier: MIT OR Apache-2.0
//! The platform trait: everything only the firmware knows.

use lfa_proto::{FirmwareVersion, LfaError, Uuid};

/// What one component is, as the platform describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Component {
    /// Its UUID.
    pub uuid: Uuid,
    /// Activation capable.
    pub capable: bool,
    /// Every CPU must rendezvous.
    pub rendezvous_required: bool,
    /// Activation may reset CPUs.
    pub may_reset_cpu: bool,
    /// The version running now.
    pub current_version: FirmwareVersion,
    /// The staged version, if known.
    pub pending_version: Option<FirmwareVersion>,
}

impl Component {
    /// A component that is not capable.
    #[must_use]
    pub const fn new(uuid: Uuid) -> Self {
        Self {
            uuid,
            capable: false,
            rendezvous_required: true,
            may_reset_cpu: false,
            current_version: FirmwareVersion::new(0, 0),
            pending_version: None,
        }
    }

    /// Capable.
    #[must_use]
    pub const fn capable(mut self) -> Self {
        self.capable = true;
        self
    }

    /// Rendezvous optional.
    #[must_use]
    pub const fn rendezvous_optional(mut self) -> Self {
        self.rendezvous_required = false;
        self
    }

    /// May reset CPUs.
    #[must_use]
    pub const fn may_reset_cpu(mut self) -> Self {
        self.may_reset_cpu = true;
        self
    }

    /// Current version.
    #[must_use]
    pub const fn current(mut self, version: FirmwareVersion) -> Self {
        self.current_version = version;
        self
    }

    /// Pending version.
    #[must_use]
    pub const fn pending(mut self, version: FirmwareVersion) -> Self {
        self.pending_version = Some(version);
        self
    }
}

/// A platform step that may take more than one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Finished.
    Done,
    /// Not finished.
    Again,
}

/// How an activation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activated {
    /// Each CPU returns.
    Return,
    /// Each CPU resumes at its entry point.
    ResetCpus,
    /// Not finished.
    Again,
}

/// Everything only firmware knows.
pub trait Platform: Sync {
    /// Number of components.
    fn component_count(&self) -> u32 {
        0
    }
    /// One component.
    fn component(&self, index: u32) -> Option<Component> {
        let _ = index;
        None
    }
    /// Is it pending.
    fn is_pending(&self, index: u32) -> bool {
        self.component(index)
            .is_some_and(|c| c.pending_version.is_some())
    }
    /// Prime.
    ///
    /// # Errors
    ///
    /// Any.
    fn prime(&self, index: u32) -> Result<Step, LfaError> {
        let _ = index;
        Err(LfaError::NotSupported)
    }
    /// Activate.
    ///
    /// # Errors
    ///
    /// Any.
    fn activate(
        &self,
        index: u32,
        entry_point: u64,
        context_id: u64,
    ) -> Result<Activated, LfaError> {
        let _ = (index, entry_point, context_id);
        Err(LfaError::NotSupported)
    }
    /// Cancel hook.
    fn cancel(&self, index: u32) -> bool {
        let _ = index;
        false
    }
    /// Entry point check.
    fn valid_entry_point(&self, entry_point: u64) -> bool {
        entry_point != 0
    }
    /// CPUs on.
    fn cpus_on(&self) -> u32 {
        1
    }
    /// This CPU.
    fn cpu_index(&self) -> usize {
        0
    }
    /// Clock.
    fn now(&self) -> u64 {
        0
    }
    /// Rendezvous bound.
    fn rendezvous_timeout(&self) -> u64 {
        1 << 24
    }
    /// Poll hook.
    fn relax(&self) {
        core::hint::spin_loop();
    }
}
