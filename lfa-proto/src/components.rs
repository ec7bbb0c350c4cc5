// SPDX-License-Identifier: MIT OR Apache-2.0
//! Well-known components and their names.

use uuid::{Uuid, uuid};

/// A component whose UUID is published, with the name tools show for it
/// (the names the Linux driver uses in `/sys/firmware/lfa/<GUID>/name`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KnownComponent {
    /// The component's UUID.
    pub uuid: Uuid,
    /// Its human-readable name.
    pub name: &'static str,
}

/// Trusted Firmware-A's BL31 runtime firmware (EL3).
pub const TFA_BL31: KnownComponent = KnownComponent {
    uuid: uuid!("47d4086d-4cfe-9846-9b95-2950cbbd5a00"),
    name: "TF-A BL31 runtime",
};

/// The BL33 non-secure payload (for example UEFI or U-Boot).
pub const BL33: KnownComponent = KnownComponent {
    uuid: uuid!("d6d0eea7-fcea-d54b-9782-9934f234b6e4"),
    name: "BL33 non-secure payload",
};

/// TF-RMM, the Realm Management Monitor.
pub const TF_RMM: KnownComponent = KnownComponent {
    uuid: uuid!("6c0762a6-12f2-4b56-92cb-ba8f633606d9"),
    name: "TF-RMM",
};

/// Every well-known component.
pub const KNOWN_COMPONENTS: [KnownComponent; 3] = [TFA_BL31, BL33, TF_RMM];

/// The well-known component with this UUID, if any.
///
/// ```
/// use lfa_proto::components::{known_component, TF_RMM};
///
/// assert_eq!(known_component(TF_RMM.uuid).map(|c| c.name), Some("TF-RMM"));
/// assert_eq!(known_component(uuid::Uuid::nil()), None);
/// ```
#[must_use]
pub fn known_component(uuid: Uuid) -> Option<KnownComponent> {
    KNOWN_COMPONENTS.into_iter().find(|c| c.uuid == uuid)
}

/// The well-known component with this name (compared ignoring ASCII case).
#[must_use]
pub fn known_component_by_name(name: &str) -> Option<KnownComponent> {
    KNOWN_COMPONENTS
        .into_iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
}
