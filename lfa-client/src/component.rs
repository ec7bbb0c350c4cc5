// SPDX-License-Identifier: MIT OR Apache-2.0
//! A component as the inventory describes it.

use core::num::NonZeroU32;

use lfa_proto::{FirmwareVersion, InventoryFlags, InventoryResponse, SeqId, Uuid};

use crate::ComponentRef;

/// One firmware component, as `LFA_GET_INVENTORY` described it.
///
/// Only the client makes these (by listing the inventory), so a sequence id
/// never comes from the caller. Each value remembers the client *generation*
/// it was read in; the generation changes with every activation and is
/// unique across the clients of the program (see
/// [`Client::generation`](crate::Client::generation)), so a value from an
/// older generation or from another client is refused with
/// [`ErrorDetail::StaleComponent`](crate::ErrorDetail::StaleComponent) instead of being
/// used to address firmware whose numbering may have changed.
///
/// Versions are `Option`s because agents such as TF-A's do not fill x4/x5:
/// the client sends zeros there and reads `0.0` back, which it reports as
/// unknown (`None`). The pending version is given only while activation is
/// pending and x5 is not zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Component {
    uuid: Uuid,
    seq_id: SeqId,
    /// Stamp of the client generation it was read in (see `Client`); never
    /// 0, which gives `Option<Component>` a niche.
    generation: NonZeroU32,
    flags: InventoryFlags,
    /// `0.0`: not reported.
    current_version: FirmwareVersion,
    /// `0.0`: none (not pending, or not reported).
    pending_version: FirmwareVersion,
}

impl Component {
    pub(crate) fn from_inventory(
        seq_id: SeqId,
        response: &InventoryResponse,
        generation: NonZeroU32,
    ) -> Self {
        Self {
            uuid: response.uuid,
            seq_id,
            generation,
            flags: response.flags,
            current_version: response.current_version,
            pending_version: match response.pending_version() {
                Some(version) => version,
                None => FirmwareVersion::new(0, 0),
            },
        }
    }

    /// The component's UUID, its only stable identity.
    #[must_use]
    pub const fn uuid(&self) -> Uuid {
        self.uuid
    }

    /// The well-known name (`lfa_proto::components`), if the UUID has one.
    #[must_use]
    pub fn name(&self) -> Option<&'static str> {
        lfa_proto::components::known_component(self.uuid).map(|c| c.name)
    }

    /// The sequence id the agent gave it in this generation (for display; the
    /// client re-reads it before using it).
    #[must_use]
    pub const fn seq_id(&self) -> SeqId {
        self.seq_id
    }

    /// All flags from x3, reserved bits included.
    #[must_use]
    pub const fn flags(&self) -> InventoryFlags {
        self.flags
    }

    /// activation_capable: the component can be activated live.
    #[must_use]
    pub const fn is_capable(&self) -> bool {
        self.flags.is_capable()
    }

    /// activation_pending: a staged image waits to be activated.
    #[must_use]
    pub const fn is_pending(&self) -> bool {
        self.flags.is_pending()
    }

    /// Capable and pending: the component can be activated now.
    #[must_use]
    pub const fn is_activatable(&self) -> bool {
        self.flags.is_activatable()
    }

    /// may_reset_cpu: activation may reset CPUs, which then resume at the
    /// caller's entry point ([`Options::cpu_reset`](crate::Options::cpu_reset)).
    #[must_use]
    pub const fn may_reset_cpu(&self) -> bool {
        self.flags.may_reset_cpu()
    }

    /// Whether every powered-on CPU must call `LFA_ACTIVATE` (the inverse of
    /// cpu_rendezvous_optional).
    #[must_use]
    pub const fn rendezvous_required(&self) -> bool {
        self.flags.rendezvous_required()
    }

    /// The running version, or `None` when the agent did not report one (x4
    /// read back as `0.0`).
    #[must_use]
    pub const fn current_version(&self) -> Option<FirmwareVersion> {
        if self.current_version.is_zero() {
            None
        } else {
            Some(self.current_version)
        }
    }

    /// The staged version, only while activation is pending and the agent
    /// reported one (x5 not zero).
    #[must_use]
    pub const fn pending_version(&self) -> Option<FirmwareVersion> {
        if self.pending_version.is_zero() {
            None
        } else {
            Some(self.pending_version)
        }
    }

    /// The client generation this value was read in
    /// ([`Client::generation`](crate::Client::generation)).
    #[must_use]
    pub const fn generation(&self) -> u32 {
        self.generation.get()
    }

    /// The UUID and sequence id, as errors report them.
    #[must_use]
    pub const fn to_ref(self) -> ComponentRef {
        ComponentRef {
            uuid: self.uuid,
            seq_id: self.seq_id,
        }
    }
}
