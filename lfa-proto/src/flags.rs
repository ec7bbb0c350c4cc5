// SPDX-License-Identifier: MIT OR Apache-2.0
//! Flag registers: inventory flags (x3), activate flags (x2), CALL_AGAIN (x1).

use bitflags::bitflags;

bitflags! {
    /// The flags `LFA_GET_INVENTORY` returns in x3.
    ///
    /// Bits 63:4 are reserved. They are kept exactly as the agent sent them
    /// (this type holds all 64 bits) and [`InventoryFlags::reserved`] shows
    /// them; nothing drops them silently and nothing panics on them.
    ///
    /// ```
    /// use lfa_proto::InventoryFlags;
    ///
    /// let f = InventoryFlags::from_bits_retain(0b1_0011);
    /// assert!(f.contains(InventoryFlags::ACTIVATION_CAPABLE | InventoryFlags::ACTIVATION_PENDING));
    /// assert!(f.rendezvous_required());
    /// assert_eq!(f.reserved(), 0b1_0000);
    /// assert_eq!(f.bits(), 0b1_0011); // reserved bits survive a round trip
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct InventoryFlags: u64 {
        /// Bit 0: the component can be activated live.
        const ACTIVATION_CAPABLE = 1 << 0;
        /// Bit 1: a staged image is waiting to be activated.
        const ACTIVATION_PENDING = 1 << 1;
        /// Bit 2: activation may reset CPUs, which then re-enter the caller
        /// through the entry point given to `LFA_ACTIVATE`.
        const MAY_RESET_CPU = 1 << 2;
        /// Bit 3: every CPU need *not* rendezvous in `LFA_ACTIVATE` (inverse
        /// logic: clear means all online CPUs must call it).
        const CPU_RENDEZVOUS_OPTIONAL = 1 << 3;
    }
}

impl InventoryFlags {
    /// The reserved bits (63:4) as the agent set them.
    #[must_use]
    pub const fn reserved(self) -> u64 {
        self.bits() & !Self::all().bits()
    }

    /// Bit 0: the component can be activated live.
    #[must_use]
    pub const fn is_capable(self) -> bool {
        self.contains(Self::ACTIVATION_CAPABLE)
    }

    /// Bit 1: a staged image is waiting to be activated.
    #[must_use]
    pub const fn is_pending(self) -> bool {
        self.contains(Self::ACTIVATION_PENDING)
    }

    /// Bit 2: activation may reset CPUs.
    #[must_use]
    pub const fn may_reset_cpu(self) -> bool {
        self.contains(Self::MAY_RESET_CPU)
    }

    /// Whether every online CPU must call `LFA_ACTIVATE` for this component.
    #[must_use]
    pub const fn rendezvous_required(self) -> bool {
        !self.contains(Self::CPU_RENDEZVOUS_OPTIONAL)
    }

    /// Capable and pending: the component can be activated now.
    #[must_use]
    pub const fn is_activatable(self) -> bool {
        self.contains(Self::ACTIVATION_CAPABLE.union(Self::ACTIVATION_PENDING))
    }
}

bitflags! {
    /// The flags a caller passes to `LFA_ACTIVATE` in x2.
    ///
    /// Bits 63:1 are reserved; an agent decoding a request rejects them
    /// ([`crate::DecodeError::ReservedBits`]).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct ActivateFlags: u64 {
        /// Bit 0: activate from this CPU only; allowed only for components with
        /// [`InventoryFlags::CPU_RENDEZVOUS_OPTIONAL`].
        const SKIP_CPU_RENDEZVOUS = 1 << 0;
    }
}

bitflags! {
    /// The progress flags `LFA_PRIME` and `LFA_ACTIVATE` return in x1.
    ///
    /// Bits 63:1 are reserved and kept as received.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct ProgressFlags: u64 {
        /// Bit 0: the call succeeded but the step is not finished; send the same
        /// call with the same arguments again.
        const CALL_AGAIN = 1 << 0;
    }
}

impl ProgressFlags {
    /// Whether the caller must call again.
    #[must_use]
    pub const fn call_again(self) -> bool {
        self.contains(Self::CALL_AGAIN)
    }

    /// The reserved bits (63:1) as the agent set them.
    #[must_use]
    pub const fn reserved(self) -> u64 {
        self.bits() & !Self::all().bits()
    }
}
