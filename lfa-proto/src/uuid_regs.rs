// SPDX-License-Identifier: MIT OR Apache-2.0
//! A component UUID packed into two registers (x1, x2).

use uuid::Uuid;

/// Packs a UUID into (x1, x2) the way an agent returns it from
/// `LFA_GET_INVENTORY`: the agent copies the 16 bytes of the UUID (in the
/// RFC 4122 / string order) into the two registers, so x1 holds bytes 0..7 and
/// x2 bytes 8..15, each little-endian.
///
/// ```
/// use lfa_proto::{uuid_from_regs, uuid_to_regs};
/// use uuid::uuid;
///
/// let rmm = uuid!("6c0762a6-12f2-4b56-92cb-ba8f633606d9");
/// assert_eq!(uuid_to_regs(rmm), (0x564b_f212_a662_076c, 0xd906_3663_8fba_cb92));
/// assert_eq!(uuid_from_regs(0x564b_f212_a662_076c, 0xd906_3663_8fba_cb92), rmm);
/// ```
#[must_use]
pub const fn uuid_to_regs(uuid: Uuid) -> (u64, u64) {
    let [
        a0,
        a1,
        a2,
        a3,
        a4,
        a5,
        a6,
        a7,
        b0,
        b1,
        b2,
        b3,
        b4,
        b5,
        b6,
        b7,
    ] = *uuid.as_bytes();
    (
        u64::from_le_bytes([a0, a1, a2, a3, a4, a5, a6, a7]),
        u64::from_le_bytes([b0, b1, b2, b3, b4, b5, b6, b7]),
    )
}

/// Unpacks a UUID from (x1, x2); the inverse of [`uuid_to_regs`]. Every pair of
/// registers is some UUID, so this cannot fail.
#[must_use]
pub const fn uuid_from_regs(x1: u64, x2: u64) -> Uuid {
    let [a0, a1, a2, a3, a4, a5, a6, a7] = x1.to_le_bytes();
    let [b0, b1, b2, b3, b4, b5, b6, b7] = x2.to_le_bytes();
    Uuid::from_bytes([
        a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7,
    ])
}
