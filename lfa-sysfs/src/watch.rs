// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`Watcher`]: what changed between two listings.

use std::collections::BTreeMap;
use std::string::String;
use std::vec::Vec;

use lfa_proto::Uuid;

use crate::info::ComponentInfo;

/// One change a [`Watcher`] saw.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// A component is listed that was not before (every component, at the
    /// first observation).
    Appeared {
        /// Its UUID.
        uuid: Uuid,
        /// Its name, if any.
        name: Option<String>,
        /// Whether activation is pending.
        pending: bool,
    },
    /// A component is no longer listed (the kernel re-enumerates after an
    /// activation).
    Disappeared {
        /// Its UUID.
        uuid: Uuid,
        /// Its name, if any.
        name: Option<String>,
    },
    /// activation_pending changed.
    PendingChanged {
        /// Its UUID.
        uuid: Uuid,
        /// Its name, if any.
        name: Option<String>,
        /// The new value.
        pending: bool,
    },
}

/// Remembers which components were listed and which were pending, and
/// reports what changed at each observation. It does no I/O and has no
/// loop: the caller lists (with any backend) and decides how often.
///
/// ```
/// use lfa_sysfs::{Change, ComponentInfo, Watcher};
/// use lfa_proto::{InventoryFlags, Uuid};
///
/// let uuid = Uuid::from_u128(1);
/// let idle = ComponentInfo::new(uuid, InventoryFlags::ACTIVATION_CAPABLE);
/// let pending = ComponentInfo::new(uuid, InventoryFlags::ACTIVATION_CAPABLE | InventoryFlags::ACTIVATION_PENDING);
///
/// let mut watcher = Watcher::new();
/// assert_eq!(watcher.observe(&[idle.clone()]), [Change::Appeared { uuid, name: None, pending: false }]);
/// assert_eq!(watcher.observe(&[idle]), []);
/// assert_eq!(watcher.observe(&[pending]), [Change::PendingChanged { uuid, name: None, pending: true }]);
/// assert_eq!(watcher.observe(&[]), [Change::Disappeared { uuid, name: None }]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Watcher {
    last: BTreeMap<Uuid, (Option<String>, bool)>,
}

impl Watcher {
    /// A watcher that has seen nothing yet.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            last: BTreeMap::new(),
        }
    }

    /// Compares `components` with the previous observation and remembers
    /// them. Changes come sorted by UUID, disappearances last.
    pub fn observe(&mut self, components: &[ComponentInfo]) -> Vec<Change> {
        let mut changes = Vec::new();
        let mut now = BTreeMap::new();
        for c in components {
            let name = c.name().map(String::from);
            let pending = c.is_pending();
            match self.last.get(&c.uuid()) {
                None => changes.push(Change::Appeared {
                    uuid: c.uuid(),
                    name: name.clone(),
                    pending,
                }),
                Some((_, was)) if *was != pending => changes.push(Change::PendingChanged {
                    uuid: c.uuid(),
                    name: name.clone(),
                    pending,
                }),
                Some(_) => {}
            }
            now.insert(c.uuid(), (name, pending));
        }
        changes.sort_by_key(change_uuid);
        for (uuid, (name, _)) in &self.last {
            if !now.contains_key(uuid) {
                changes.push(Change::Disappeared {
                    uuid: *uuid,
                    name: name.clone(),
                });
            }
        }
        self.last = now;
        changes
    }
}

fn change_uuid(change: &Change) -> Uuid {
    match change {
        Change::Appeared { uuid, .. }
        | Change::Disappeared { uuid, .. }
        | Change::PendingChanged { uuid, .. } => *uuid,
    }
}
