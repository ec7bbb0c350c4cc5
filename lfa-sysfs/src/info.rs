// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`ComponentInfo`]: one component, read from sysfs or from the SMCCC
//! client, in one representation.

use std::string::String;

use lfa_proto::{FirmwareVersion, InventoryFlags, SeqId, Uuid};

use lfa_client::Component;

/// One firmware component as a tool shows it, whichever way it was read:
/// from `/sys/firmware/lfa/<GUID>/` ([`Sysfs`](crate::Sysfs)) or from the
/// firmware through the SMCCC [`Client`](lfa_client::Client) (`From<&Component>`).
///
/// It carries the same model as [`Component`], with the same accessors and
/// the same `lfa-proto` types (UUID, name, [`InventoryFlags`], versions as
/// `Option<FirmwareVersion>` with the same meaning), plus what only one side
/// has: the sequence id (SMCCC only; the kernel hides it) and the kernel's
/// two settings `force_cpu_rendezvous` and `auto_activate` (sysfs only).
/// It is a plain owned value, so the two backends share it without a trait.
///
/// ```
/// use lfa_sysfs::ComponentInfo;
/// use lfa_client::Client;
/// use lfa_proto::components::TF_RMM;
/// use lfa_sim::SimAgent;
///
/// let agent = SimAgent::demo();
/// let client = Client::discover(&agent)?;
/// let rmm = client.find(TF_RMM.uuid)?.expect("listed");
/// let info = ComponentInfo::from(&rmm);
/// assert_eq!(info.name(), Some("TF-RMM"));
/// assert_eq!((info.is_capable(), info.is_pending()), (rmm.is_capable(), rmm.is_pending()));
/// assert_eq!(info.pending_version(), rmm.pending_version());
/// assert_eq!(info.seq_id(), Some(rmm.seq_id()));
/// assert_eq!(info.auto_activate(), None); // a kernel setting, not the firmware's
/// # Ok::<(), lfa_client::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ComponentInfo {
    pub(crate) uuid: Uuid,
    pub(crate) name: Option<String>,
    pub(crate) flags: InventoryFlags,
    pub(crate) current_version: Option<FirmwareVersion>,
    pub(crate) pending_version: Option<FirmwareVersion>,
    pub(crate) versions_reported: bool,
    pub(crate) seq_id: Option<SeqId>,
    pub(crate) force_cpu_rendezvous: Option<bool>,
    pub(crate) auto_activate: Option<bool>,
}

impl ComponentInfo {
    /// A component with the given UUID and flags, no name, no versions, no
    /// settings (for tools that build entries themselves).
    #[must_use]
    pub const fn new(uuid: Uuid, flags: InventoryFlags) -> Self {
        Self {
            uuid,
            name: None,
            flags,
            current_version: None,
            pending_version: None,
            versions_reported: true,
            seq_id: None,
            force_cpu_rendezvous: None,
            auto_activate: None,
        }
    }

    /// The component's UUID, its only stable identity (the directory name in
    /// sysfs).
    #[must_use]
    pub const fn uuid(&self) -> Uuid {
        self.uuid
    }

    /// Its name: the kernel's `name` file unless that holds a placeholder
    /// (nothing, `(unknown)`, or the UUID itself), else the well-known name
    /// (`lfa_proto::components`) if the UUID has one.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        match &self.name {
            Some(name) => Some(name),
            None => lfa_proto::components::known_component(self.uuid).map(|c| c.name),
        }
    }

    /// Flags as in `LFA_GET_INVENTORY` x3. From sysfs, bits 0..3 are rebuilt
    /// from the four files (`cpu_rendezvous` is the inverse of bit 3); the
    /// reserved bits are not visible there and read as zero.
    #[must_use]
    pub const fn flags(&self) -> InventoryFlags {
        self.flags
    }

    /// activation_capable.
    #[must_use]
    pub const fn is_capable(&self) -> bool {
        self.flags.contains(InventoryFlags::ACTIVATION_CAPABLE)
    }

    /// activation_pending, as read when this value was made.
    #[must_use]
    pub const fn is_pending(&self) -> bool {
        self.flags.contains(InventoryFlags::ACTIVATION_PENDING)
    }

    /// Capable and pending.
    #[must_use]
    pub const fn is_activatable(&self) -> bool {
        self.flags.is_activatable()
    }

    /// may_reset_cpu.
    #[must_use]
    pub const fn may_reset_cpu(&self) -> bool {
        self.flags.contains(InventoryFlags::MAY_RESET_CPU)
    }

    /// Whether every CPU must rendezvous (sysfs `cpu_rendezvous`).
    #[must_use]
    pub const fn rendezvous_required(&self) -> bool {
        self.flags.rendezvous_required()
    }

    /// The running version; `None` when unknown (reported as `0.0`, as from
    /// an agent that does not fill x4, or not provided by the kernel).
    #[must_use]
    pub const fn current_version(&self) -> Option<FirmwareVersion> {
        self.current_version
    }

    /// The staged version, only while activation is pending and a non-zero
    /// version is reported (sysfs `N/A` is `None`).
    #[must_use]
    pub const fn pending_version(&self) -> Option<FirmwareVersion> {
        self.pending_version
    }

    /// False when the kernel has no `current_version`/`pending_version`
    /// files (a driver older than the spec's BET1 revision); the versions are
    /// then `None` because nobody could say, not because firmware said so.
    #[must_use]
    pub const fn versions_reported(&self) -> bool {
        self.versions_reported
    }

    /// The firmware's sequence id, known only through the SMCCC client.
    #[must_use]
    pub const fn seq_id(&self) -> Option<SeqId> {
        self.seq_id
    }

    /// The kernel's `force_cpu_rendezvous` setting (`None` when not read from
    /// sysfs).
    #[must_use]
    pub const fn force_cpu_rendezvous(&self) -> Option<bool> {
        self.force_cpu_rendezvous
    }

    /// The kernel's `auto_activate` setting (`None` when not read from sysfs,
    /// or when the kernel has no such file).
    #[must_use]
    pub const fn auto_activate(&self) -> Option<bool> {
        self.auto_activate
    }

    /// Whether activation will be a rendezvous of every CPU: the component
    /// requires it, or `force_cpu_rendezvous` is on (unset counts as on, the
    /// kernel's default).
    #[must_use]
    pub const fn activates_with_rendezvous(&self) -> bool {
        self.rendezvous_required() || !matches!(self.force_cpu_rendezvous, Some(false))
    }

    /// The same value with the name replaced (`None`: no name, the
    /// well-known table still applies).
    #[must_use]
    pub fn with_name(mut self, name: Option<String>) -> Self {
        self.name = name;
        self
    }

    /// The same value with versions.
    #[must_use]
    pub const fn with_versions(
        mut self,
        current: Option<FirmwareVersion>,
        pending: Option<FirmwareVersion>,
    ) -> Self {
        self.current_version = current;
        self.pending_version = pending;
        self
    }

    /// The same value with the two kernel settings (for a backend, such as
    /// a simulated one, that keeps them itself).
    #[must_use]
    pub const fn with_settings(
        mut self,
        force_cpu_rendezvous: Option<bool>,
        auto_activate: Option<bool>,
    ) -> Self {
        self.force_cpu_rendezvous = force_cpu_rendezvous;
        self.auto_activate = auto_activate;
        self
    }
}

impl From<&Component> for ComponentInfo {
    fn from(c: &Component) -> Self {
        Self {
            uuid: c.uuid(),
            name: None,
            flags: c.flags(),
            current_version: c.current_version(),
            pending_version: c.pending_version(),
            versions_reported: true,
            seq_id: Some(c.seq_id()),
            force_cpu_rendezvous: None,
            auto_activate: None,
        }
    }
}
