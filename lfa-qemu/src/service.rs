// SPDX-License-Identifier: MIT OR Apache-2.0
//! The two versions of the LFA demo service (`service/`), as `build.rs`
//! built them: flat images linked to run at [`SERVICE_BASE`] and their
//! manifests (magic, version, size, SHA-256; see [`Manifest`]).
//!
//! [`Manifest`]: crate::platform::Manifest

use crate::platform::{MANIFEST_LEN, SERVICE_BASE};

include!(concat!(env!("OUT_DIR"), "/service.rs"));

// The images run where the platform calls them.
const _: () = assert!(SERVICE_LINKED_AT == SERVICE_BASE as u64);

/// Version 1.0, the one the firmware boots with.
pub static V1: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/service_v1.bin"));
/// Version 1.0's manifest.
pub static V1_MANIFEST: &[u8; MANIFEST_LEN] =
    include_bytes!(concat!(env!("OUT_DIR"), "/service_v1.manifest"));
/// Version 2.0, the one that is staged and live-activated.
pub static V2: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/service_v2.bin"));
/// Version 2.0's manifest.
pub static V2_MANIFEST: &[u8; MANIFEST_LEN] =
    include_bytes!(concat!(env!("OUT_DIR"), "/service_v2.manifest"));
