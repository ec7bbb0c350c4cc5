// SPDX-License-Identifier: MIT OR Apache-2.0
//! A simulated firmware component and the inventory changes an activation can
//! cause.

use lfa_proto::{FirmwareVersion, InventoryFlags, Uuid};

/// One firmware component of the simulated agent: what `LFA_GET_INVENTORY`
/// reports for it, and how its PRIME and ACTIVATE behave.
///
/// Built with `const fn` methods:
///
/// ```
/// use lfa_proto::{FirmwareVersion, InventoryFlags, components::TF_RMM};
/// use lfa_sim::SimComponent;
///
/// let rmm = SimComponent::new(TF_RMM.uuid)
///     .capable()
///     .current(FirmwareVersion::new(1, 0))
///     .pending(FirmwareVersion::new(1, 1))
///     .rendezvous_optional()
///     .prime_rounds(2);
/// assert_eq!(
///     rmm.flags,
///     InventoryFlags::ACTIVATION_CAPABLE
///         | InventoryFlags::ACTIVATION_PENDING
///         | InventoryFlags::CPU_RENDEZVOUS_OPTIONAL
/// );
/// assert_eq!(rmm.pending_version(), Some(FirmwareVersion::new(1, 1)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SimComponent {
    /// The UUID returned in x1:x2.
    pub uuid: Uuid,
    /// The flags returned in x3 (reserved bits included, see
    /// [`SimComponent::reserved_flags`]).
    pub flags: InventoryFlags,
    /// The running version (x4).
    pub current_version: FirmwareVersion,
    /// The staged version (x5); 0.0 when nothing is pending.
    pub pending_version: FirmwareVersion,
    /// How many times the platform's image load answers "again" (PRIME
    /// answers CALL_AGAIN) before it completes (0: the first PRIME
    /// completes). Per PRIME sequence, unless [`SimComponent::again_per_boot`].
    pub prime_rounds: u32,
    /// The `prime_rounds` "again" answers belong to the platform and are
    /// given once per boot, not once per PRIME sequence: a later sequence
    /// needs none, until an accepted CANCEL of this component restores them
    /// (TF-A's measured port). See [`SimComponent::prime_again_per_boot`].
    pub again_per_boot: bool,
    /// How many rounds of ACTIVATE answer CALL_AGAIN before the activation
    /// completes (0: the first round completes). With a rendezvous, a round is
    /// one call from every online CPU.
    pub activate_rounds: u32,
    /// Whether the component's activator can be cancelled while CPUs wait in
    /// the rendezvous: with a hook, CANCEL releases the waiting CPUs with
    /// ACTIVATION_FAILED (-11); without one, in the TF-A profile, CANCEL
    /// returns 0 and the waiting CPUs stay in the pen: they count in the
    /// next rendezvous round, or give up after their spin budget (a
    /// detected hang). TF-A's behaviour depends on the activator; the
    /// default is `true`. In the clean profile this is the platform's
    /// `cancel` hook, and `lfa-agent` releases the waiting CPUs either way.
    pub cancel_hook: bool,
    /// TF-A profile: the activator resets the agent after a successful
    /// activation (TF-A's RMM activator does), so the component does not
    /// stay current and a CANCEL after it is -8. (The clean profile's agent
    /// always resets.)
    pub resets_agent: bool,
    /// How many polls one activation step takes (0: none). Meanwhile the
    /// agent's lock is held: in the TF-A profile PRIME, CANCEL and a skip
    /// ACTIVATE from other CPUs answer BUSY and a rendezvous ACTIVATE waits
    /// for the step to end; in the clean profile `lfa-agent`'s lock makes
    /// every other call wait. Each poll calls the spin relax function
    /// ([`SimAgent::set_spin_relax`](crate::SimAgent::set_spin_relax)).
    pub activation_polls: u64,
}

impl SimComponent {
    /// A component with this UUID: not capable, nothing pending, version 0.0,
    /// rendezvous required, no CALL_AGAIN rounds, a cancel hook.
    #[must_use]
    pub const fn new(uuid: Uuid) -> Self {
        Self {
            uuid,
            flags: InventoryFlags::empty(),
            current_version: FirmwareVersion::new(0, 0),
            pending_version: FirmwareVersion::new(0, 0),
            prime_rounds: 0,
            again_per_boot: false,
            activate_rounds: 0,
            cancel_hook: true,
            resets_agent: false,
            activation_polls: 0,
        }
    }

    /// Sets `activation_capable`.
    #[must_use]
    pub const fn capable(mut self) -> Self {
        self.flags = self.flags.union(InventoryFlags::ACTIVATION_CAPABLE);
        self
    }

    /// Stages `version`: sets `activation_pending` and the pending version.
    #[must_use]
    pub const fn pending(mut self, version: FirmwareVersion) -> Self {
        self.flags = self.flags.union(InventoryFlags::ACTIVATION_PENDING);
        self.pending_version = version;
        self
    }

    /// Sets the running version.
    #[must_use]
    pub const fn current(mut self, version: FirmwareVersion) -> Self {
        self.current_version = version;
        self
    }

    /// Sets `may_reset_cpu`. (The simulator never resets a CPU: the flag is
    /// only reported, and the entry point and context id of ACTIVATE are
    /// visible in the call log.)
    #[must_use]
    pub const fn may_reset_cpu(mut self) -> Self {
        self.flags = self.flags.union(InventoryFlags::MAY_RESET_CPU);
        self
    }

    /// Sets `cpu_rendezvous_optional`: one CPU may activate with
    /// skip_cpu_rendezvous.
    #[must_use]
    pub const fn rendezvous_optional(mut self) -> Self {
        self.flags = self.flags.union(InventoryFlags::CPU_RENDEZVOUS_OPTIONAL);
        self
    }

    /// PRIME answers CALL_AGAIN `rounds` times before it completes.
    #[must_use]
    pub const fn prime_rounds(mut self, rounds: u32) -> Self {
        self.prime_rounds = rounds;
        self
    }

    /// The platform's image load answers "again" `rounds` times per boot:
    /// the first PRIME sequence needs `rounds` CALL_AGAIN answers, a later
    /// one none, until an accepted CANCEL of this component restores them
    /// (as TF-A's measured QEMU port does, with 2). Both profiles.
    #[must_use]
    pub const fn prime_again_per_boot(mut self, rounds: u32) -> Self {
        self.prime_rounds = rounds;
        self.again_per_boot = true;
        self
    }

    /// The activator resets the agent after a successful activation (see
    /// [`SimComponent::resets_agent`]).
    #[must_use]
    pub const fn resets_agent_after_activation(mut self) -> Self {
        self.resets_agent = true;
        self
    }

    /// Each activation step takes `polls` polls with the agent's lock held
    /// (see [`SimComponent::activation_polls`]).
    #[must_use]
    pub const fn activation_time(mut self, polls: u64) -> Self {
        self.activation_polls = polls;
        self
    }

    /// ACTIVATE answers CALL_AGAIN for `rounds` rounds before it completes.
    #[must_use]
    pub const fn activate_rounds(mut self, rounds: u32) -> Self {
        self.activate_rounds = rounds;
        self
    }

    /// The activator has no cancel hook (see [`SimComponent::cancel_hook`]).
    #[must_use]
    pub const fn without_cancel_hook(mut self) -> Self {
        self.cancel_hook = false;
        self
    }

    /// Also reports these reserved bits (63:4) in x3, to test that callers
    /// keep or ignore them. Bits 3:0 of `bits` are ignored.
    #[must_use]
    pub const fn reserved_flags(mut self, bits: u64) -> Self {
        let reserved = bits & !InventoryFlags::all().bits();
        self.flags = self.flags.union(InventoryFlags::from_bits_retain(reserved));
        self
    }

    /// Whether `activation_capable` is set.
    #[must_use]
    pub const fn is_capable(&self) -> bool {
        self.flags.is_capable()
    }

    /// Whether `activation_pending` is set.
    #[must_use]
    pub const fn is_pending(&self) -> bool {
        self.flags.is_pending()
    }

    /// Whether every online CPU must call ACTIVATE.
    #[must_use]
    pub const fn rendezvous_required(&self) -> bool {
        self.flags.rendezvous_required()
    }

    /// The pending version while activation is pending.
    #[must_use]
    pub const fn pending_version(&self) -> Option<FirmwareVersion> {
        if self.is_pending() {
            Some(self.pending_version)
        } else {
            None
        }
    }

    /// The component after a successful activation: the pending version is
    /// running, nothing is pending.
    pub(crate) const fn activated(mut self) -> Self {
        self.current_version = self.pending_version;
        self.pending_version = FirmwareVersion::new(0, 0);
        self.flags = self.flags.difference(InventoryFlags::ACTIVATION_PENDING);
        self
    }
}

/// How the inventory changes after the next successful activation, so that a
/// caller holding sequence ids from before sees them go stale.
///
/// A change set with [`SimAgent::set_post_activation`](crate::SimAgent::set_post_activation)
/// applies once, to the next successful activation, and is then cleared. Any
/// change (other than [`InventoryChange::Unchanged`]) also forgets which ids
/// GET_INVENTORY has read (the TF-A profile's PRIME precondition).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum InventoryChange {
    /// Nothing changes.
    #[default]
    Unchanged,
    /// Every component moves up one id and the last becomes id 0, so every id
    /// names a different component (with two or more components).
    Rotate,
    /// This component is appended (id = the old count). Ignored when the
    /// table is full.
    Add(SimComponent),
    /// The component with this UUID is removed; later ids move down by one.
    /// Ignored when no component has it.
    Remove(Uuid),
}
