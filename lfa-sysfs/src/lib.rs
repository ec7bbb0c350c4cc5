// SPDX-License-Identifier: MIT OR Apache-2.0
//! The Linux backend of Arm Live Firmware Activation: the LFA driver's sysfs
//! tree, `/sys/firmware/lfa/<GUID>/`.
//!
//! On Linux the kernel driver owns the SMC calls; userspace lists components
//! and triggers activation through files (see
//! `docs/protocol.md#the-sysfs-files`). [`Sysfs`] reads and writes them with typed results, at any
//! root (default [`DEFAULT_ROOT`]) and through a [`FileAccess`] layer, and
//! gives each component as a [`ComponentInfo`]: the same model (UUID, name,
//! flags, versions) as the SMCCC [`Client`](lfa_client::Client)'s
//! [`Component`](lfa_client::Component), which converts into it.
//!
//! ```
//! use lfa_sysfs::{Sysfs, SysfsError};
//! use lfa_proto::{components::TF_RMM, FirmwareVersion};
//!
//! // A fake tree with one component, as the kernel would show TF-RMM.
//! let root = std::env::temp_dir().join(format!("lfa-doc-{}", std::process::id()));
//! let dir = root.join(TF_RMM.uuid.to_string());
//! std::fs::create_dir_all(&dir).unwrap();
//! for (file, content) in [
//!     ("name", "TF-RMM\n"), ("activation_capable", "1\n"), ("activation_pending", "1\n"),
//!     ("may_reset_cpu", "0\n"), ("cpu_rendezvous", "0\n"), ("force_cpu_rendezvous", "1\n"),
//!     ("current_version", "0.7\n"), ("pending_version", "0.8\n"), ("auto_activate", "0\n"),
//!     ("activate", ""), ("cancel", ""),
//! ] {
//!     std::fs::write(dir.join(file), content).unwrap();
//! }
//!
//! let lfa = Sysfs::new(&root);
//! let rmm = lfa.find("tf-rmm")?; // a UUID or a name
//! assert_eq!(rmm.uuid(), TF_RMM.uuid);
//! assert!(rmm.is_activatable() && !rmm.rendezvous_required());
//! assert_eq!(rmm.pending_version(), Some(FirmwareVersion::new(0, 8)));
//!
//! lfa.set_force_cpu_rendezvous(rmm.uuid(), false)?; // let one CPU activate it
//! lfa.activate(rmm.uuid())?; // writes "1" to activate; blocks while the kernel works
//! assert_eq!(std::fs::read_to_string(dir.join("activate")).unwrap(), "1");
//!
//! // Odd cases are typed errors.
//! let none = Sysfs::new(root.join("nowhere"));
//! assert!(matches!(none.components(), Err(SysfsError::NoLfaDirectory { .. })));
//! # std::fs::remove_dir_all(&root).unwrap();
//! # Ok::<(), SysfsError>(())
//! ```
//!
//! Unlike `lfa-client`, which is `no_std` and never allocates, this crate
//! needs `std`: it allocates paths, names and lists.

#![forbid(unsafe_code)]

mod access;
mod backend;
mod error;
mod info;
mod parse;
mod watch;

pub use access::{FileAccess, RealFs};
pub use backend::{DEFAULT_ROOT, Sysfs, files, select};
pub use error::{ErrorClass, Operation, SysfsError};
pub use info::ComponentInfo;
pub use watch::{Change, Watcher};

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
