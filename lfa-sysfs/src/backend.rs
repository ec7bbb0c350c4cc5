// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`Sysfs`]: the Linux driver's tree, read and written through a
//! [`FileAccess`].

use std::borrow::ToOwned;
use std::io;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::vec::Vec;

use lfa_proto::{FirmwareVersion, InventoryFlags, Uuid};

use crate::access::{FileAccess, RealFs};
use crate::error::{Operation, SysfsError, from_io, from_write};
use crate::info::ComponentInfo;
use crate::parse::{self, VersionText};

/// Where the Linux driver puts its tree.
pub const DEFAULT_ROOT: &str = "/sys/firmware/lfa";

/// The attribute files of a component directory.
pub mod files {
    /// The component's name (well-known name, else a placeholder).
    pub const NAME: &str = "name";
    /// `0`/`1`.
    pub const ACTIVATION_CAPABLE: &str = "activation_capable";
    /// `0`/`1`, re-read from firmware at each read.
    pub const ACTIVATION_PENDING: &str = "activation_pending";
    /// `0`/`1`.
    pub const MAY_RESET_CPU: &str = "may_reset_cpu";
    /// `1` when every CPU must rendezvous.
    pub const CPU_RENDEZVOUS: &str = "cpu_rendezvous";
    /// Read-write `0`/`1`, default `1`.
    pub const FORCE_CPU_RENDEZVOUS: &str = "force_cpu_rendezvous";
    /// `maj.min` (newer drivers).
    pub const CURRENT_VERSION: &str = "current_version";
    /// `maj.min` or `N/A` (newer drivers).
    pub const PENDING_VERSION: &str = "pending_version";
    /// Write-only: `1` primes and activates.
    pub const ACTIVATE: &str = "activate";
    /// Write-only: `1` cancels.
    pub const CANCEL: &str = "cancel";
    /// Read-write `0`/`1`, default `0` (newer drivers).
    pub const AUTO_ACTIVATE: &str = "auto_activate";
}

/// The LFA tree of the Linux driver (`/sys/firmware/lfa/<GUID>/`, see
/// `docs/protocol.md#the-sysfs-files`), at any root, through any
/// [`FileAccess`].
///
/// Every method reads the files it needs afresh (nothing is cached): the
/// kernel re-reads `activation_pending` from firmware at each read, and
/// renumbers components after each activation.
///
/// Files of the current ABI that older drivers lack (`current_version`,
/// `pending_version`, `auto_activate`) are optional when listing
/// ([`ComponentInfo::versions_reported`], [`ComponentInfo::auto_activate`]
/// say what was there) and a [`SysfsError::MissingFile`] when asked for
/// directly. Every other file is required.
#[derive(Clone, Debug)]
pub struct Sysfs<A: FileAccess = RealFs> {
    root: PathBuf,
    access: A,
}

impl Sysfs<RealFs> {
    /// The tree at `root`, on the real file system.
    #[must_use]
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self::with_access(root, RealFs)
    }

    /// The system's tree, [`DEFAULT_ROOT`].
    #[must_use]
    pub fn system() -> Self {
        Self::new(DEFAULT_ROOT)
    }
}

impl<A: FileAccess> Sysfs<A> {
    /// The tree at `root`, through `access`.
    #[must_use]
    pub fn with_access(root: impl Into<PathBuf>, access: A) -> Self {
        Self {
            root: root.into(),
            access,
        }
    }

    /// The root directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file access layer.
    #[must_use]
    pub const fn access(&self) -> &A {
        &self.access
    }

    /// The directory of the component with `uuid` (lower-case, as the
    /// kernel prints `%pUb`).
    #[must_use]
    pub fn component_dir(&self, uuid: Uuid) -> PathBuf {
        self.root.join(uuid.hyphenated().to_string())
    }

    /// The UUIDs of every component, sorted.
    ///
    /// # Errors
    ///
    /// [`SysfsError::NoLfaDirectory`], [`SysfsError::BadEntryName`] for a
    /// directory not named by a UUID, [`SysfsError::PermissionDenied`] or
    /// [`SysfsError::Io`].
    pub fn uuids(&self) -> Result<Vec<Uuid>, SysfsError> {
        let names = match self.access.subdirectories(&self.root) {
            Ok(names) => names,
            Err(e) if is_missing(&e) || !self.access.is_dir(&self.root) => {
                return Err(self.no_root());
            }
            Err(e) => return Err(from_io(self.root.clone(), Operation::List, e)),
        };
        let mut uuids = Vec::with_capacity(names.len());
        for name in names {
            let parsed = name.to_str().and_then(|n| Uuid::parse_str(n).ok());
            match parsed {
                Some(uuid) => uuids.push(uuid),
                None => {
                    return Err(SysfsError::BadEntryName {
                        path: self.root.join(name),
                    });
                }
            }
        }
        uuids.sort_unstable();
        Ok(uuids)
    }

    /// Every component, sorted by UUID. A component whose directory is gone
    /// by the time its files are read (the kernel re-enumerates after an
    /// activation) is left out.
    ///
    /// # Errors
    ///
    /// The errors of [`Sysfs::uuids`] and [`Sysfs::component`].
    pub fn components(&self) -> Result<Vec<ComponentInfo>, SysfsError> {
        let mut list = Vec::new();
        for uuid in self.uuids()? {
            match self.component(uuid) {
                Ok(c) => list.push(c),
                Err(SysfsError::NoSuchComponent { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(list)
    }

    /// The component with `uuid`, every file read now.
    ///
    /// # Errors
    ///
    /// [`SysfsError::NoSuchComponent`] if its directory is not there,
    /// [`SysfsError::MissingFile`] for a required file,
    /// [`SysfsError::Unparsable`] for content the ABI does not allow, and
    /// the errors of reading.
    pub fn component(&self, uuid: Uuid) -> Result<ComponentInfo, SysfsError> {
        let name_path = self.file(uuid, files::NAME);
        let name_bytes = self.read(uuid, files::NAME)?;
        let name = parse::name(&name_bytes, uuid)
            .map_err(|()| unparsable(name_path, &name_bytes, "UTF-8 text"))?
            .map(ToOwned::to_owned);

        let mut flags = InventoryFlags::empty();
        if self.read_bool(uuid, files::ACTIVATION_CAPABLE)? {
            flags |= InventoryFlags::ACTIVATION_CAPABLE;
        }
        let pending = self.read_bool(uuid, files::ACTIVATION_PENDING)?;
        if pending {
            flags |= InventoryFlags::ACTIVATION_PENDING;
        }
        if self.read_bool(uuid, files::MAY_RESET_CPU)? {
            flags |= InventoryFlags::MAY_RESET_CPU;
        }
        if !self.read_bool(uuid, files::CPU_RENDEZVOUS)? {
            flags |= InventoryFlags::CPU_RENDEZVOUS_OPTIONAL;
        }
        let force = self.read_bool(uuid, files::FORCE_CPU_RENDEZVOUS)?;
        let auto = optional(self.read_bool(uuid, files::AUTO_ACTIVATE))?;

        let current = optional(self.read_version(uuid, files::CURRENT_VERSION))?;
        let pending_version = optional(self.read_version(uuid, files::PENDING_VERSION))?;
        let versions_reported = current.is_some() && pending_version.is_some();
        Ok(ComponentInfo {
            uuid,
            name,
            flags,
            current_version: current.and_then(known_version),
            pending_version: pending_version.and_then(known_version).filter(|_| pending),
            versions_reported,
            seq_id: None,
            force_cpu_rendezvous: Some(force),
            auto_activate: auto,
        })
    }

    /// The component `query` names: a UUID (any case, with or without
    /// hyphens), else a name, as [`select`] matches it.
    ///
    /// # Errors
    ///
    /// [`SysfsError::NoSuchComponent`], [`SysfsError::AmbiguousName`], and
    /// the errors of [`Sysfs::component`] / [`Sysfs::components`].
    pub fn find(&self, query: &str) -> Result<ComponentInfo, SysfsError> {
        match Uuid::parse_str(query.trim()) {
            Ok(uuid) => self.component(uuid),
            Err(_) => select(self.components()?, query, &self.root),
        }
    }

    /// activation_pending, read now (the kernel asks firmware at each read).
    ///
    /// # Errors
    ///
    /// As [`Sysfs::component`].
    pub fn is_pending(&self, uuid: Uuid) -> Result<bool, SysfsError> {
        self.read_bool(uuid, files::ACTIVATION_PENDING)
    }

    /// Writes `1` to `activate`: the kernel primes, then activates (with a
    /// rendezvous of every CPU unless the component allows one and
    /// `force_cpu_rendezvous` is off), and only then answers. This call
    /// therefore blocks for as long as the activation takes.
    ///
    /// # Errors
    ///
    /// [`SysfsError::Busy`] (another activation is running),
    /// [`SysfsError::ActivationFailed`] (`ECANCELED`: prime or activate
    /// failed), [`SysfsError::Refused`] (`EINVAL`, `ENODEV`),
    /// [`SysfsError::PermissionDenied`], [`SysfsError::NoSuchComponent`],
    /// [`SysfsError::MissingFile`], [`SysfsError::Io`].
    pub fn activate(&self, uuid: Uuid) -> Result<(), SysfsError> {
        self.write(uuid, files::ACTIVATE, b"1")
    }

    /// Writes `1` to `cancel`: the kernel sends `LFA_CANCEL`.
    ///
    /// # Errors
    ///
    /// [`SysfsError::Refused`] with `EINVAL` if the firmware refused it
    /// (nothing to cancel, or too late); otherwise as [`Sysfs::activate`].
    pub fn cancel(&self, uuid: Uuid) -> Result<(), SysfsError> {
        self.write(uuid, files::CANCEL, b"1")
    }

    /// The `force_cpu_rendezvous` setting.
    ///
    /// # Errors
    ///
    /// As [`Sysfs::component`].
    pub fn force_cpu_rendezvous(&self, uuid: Uuid) -> Result<bool, SysfsError> {
        self.read_bool(uuid, files::FORCE_CPU_RENDEZVOUS)
    }

    /// Sets `force_cpu_rendezvous` (writes `1` or `0`).
    ///
    /// # Errors
    ///
    /// As [`Sysfs::activate`].
    pub fn set_force_cpu_rendezvous(&self, uuid: Uuid, on: bool) -> Result<(), SysfsError> {
        self.write(uuid, files::FORCE_CPU_RENDEZVOUS, bool_text(on))
    }

    /// The `auto_activate` setting.
    ///
    /// # Errors
    ///
    /// [`SysfsError::MissingFile`] on a kernel without it; otherwise as
    /// [`Sysfs::component`].
    pub fn auto_activate(&self, uuid: Uuid) -> Result<bool, SysfsError> {
        self.read_bool(uuid, files::AUTO_ACTIVATE)
    }

    /// Sets `auto_activate` (writes `1` or `0`).
    ///
    /// # Errors
    ///
    /// [`SysfsError::MissingFile`] on a kernel without it; otherwise as
    /// [`Sysfs::activate`].
    pub fn set_auto_activate(&self, uuid: Uuid, on: bool) -> Result<(), SysfsError> {
        self.write(uuid, files::AUTO_ACTIVATE, bool_text(on))
    }

    fn file(&self, uuid: Uuid, file: &str) -> PathBuf {
        self.component_dir(uuid).join(file)
    }

    fn read(&self, uuid: Uuid, file: &'static str) -> Result<Vec<u8>, SysfsError> {
        let path = self.file(uuid, file);
        match self.access.read(&path) {
            Ok(bytes) => Ok(bytes),
            Err(e) if is_missing(&e) => Err(self.not_found(uuid, file, path)),
            Err(e) => Err(from_io(path, Operation::Read, e)),
        }
    }

    fn write(&self, uuid: Uuid, file: &'static str, contents: &[u8]) -> Result<(), SysfsError> {
        let path = self.file(uuid, file);
        match self.access.write(&path, contents) {
            Ok(()) => Ok(()),
            Err(e) if is_missing(&e) => Err(self.not_found(uuid, file, path)),
            Err(e) => Err(from_write(path, e)),
        }
    }

    fn read_bool(&self, uuid: Uuid, file: &'static str) -> Result<bool, SysfsError> {
        let bytes = self.read(uuid, file)?;
        parse::boolean(&bytes).ok_or_else(|| unparsable(self.file(uuid, file), &bytes, "0 or 1"))
    }

    fn read_version(&self, uuid: Uuid, file: &'static str) -> Result<VersionText, SysfsError> {
        let bytes = self.read(uuid, file)?;
        parse::version(&bytes)
            .ok_or_else(|| unparsable(self.file(uuid, file), &bytes, "maj.min or N/A"))
    }

    /// Says which of root, component directory or file is missing.
    fn not_found(&self, uuid: Uuid, file: &'static str, path: PathBuf) -> SysfsError {
        if !self.access.is_dir(&self.root) {
            self.no_root()
        } else if !self.access.is_dir(&self.component_dir(uuid)) {
            SysfsError::NoSuchComponent {
                query: uuid.to_string(),
                root: self.root.clone(),
            }
        } else {
            SysfsError::MissingFile { path, file }
        }
    }

    fn no_root(&self) -> SysfsError {
        SysfsError::NoLfaDirectory {
            root: self.root.clone(),
        }
    }
}

/// The one component among `components` that `query` names: a UUID (any
/// case, with or without hyphens); else a name ([`ComponentInfo::name`])
/// equal to `query` ignoring ASCII case; else the only name that starts
/// with `query` (ignoring ASCII case). For any backend's list; `root` only
/// labels the error.
///
/// ```
/// use lfa_sysfs::{select, ComponentInfo, SysfsError};
/// use lfa_proto::{components::{BL33, TF_RMM}, InventoryFlags};
///
/// let list = vec![
///     ComponentInfo::new(TF_RMM.uuid, InventoryFlags::empty()),
///     ComponentInfo::new(BL33.uuid, InventoryFlags::empty()),
/// ];
/// let root = "sim".as_ref();
/// assert_eq!(select(list.clone(), "tf-rmm", root)?.uuid(), TF_RMM.uuid);
/// assert_eq!(select(list.clone(), "bl33", root)?.uuid(), BL33.uuid); // "BL33 non-secure payload"
/// assert!(matches!(select(list, "BL31", root), Err(SysfsError::NoSuchComponent { .. })));
/// # Ok::<(), SysfsError>(())
/// ```
///
/// # Errors
///
/// [`SysfsError::NoSuchComponent`], or [`SysfsError::AmbiguousName`] when
/// several names are equal to `query` or (with none equal) start with it.
pub fn select(
    components: Vec<ComponentInfo>,
    query: &str,
    root: &Path,
) -> Result<ComponentInfo, SysfsError> {
    let query = query.trim();
    let mut matching: Vec<ComponentInfo> = match Uuid::parse_str(query) {
        Ok(uuid) => components
            .into_iter()
            .filter(|c| c.uuid() == uuid)
            .collect(),
        Err(_) => {
            let lower = query.to_ascii_lowercase();
            let (exact, prefixed): (Vec<_>, Vec<_>) = components
                .into_iter()
                .filter(|c| {
                    c.name()
                        .is_some_and(|n| n.to_ascii_lowercase().starts_with(&lower))
                })
                .partition(|c| c.name().is_some_and(|n| n.eq_ignore_ascii_case(query)));
            if exact.is_empty() { prefixed } else { exact }
        }
    };
    let no_such = || SysfsError::NoSuchComponent {
        query: query.to_owned(),
        root: root.to_path_buf(),
    };
    match matching.len() {
        0 | 1 => matching.pop().ok_or_else(no_such),
        _ => Err(SysfsError::AmbiguousName {
            name: query.to_owned(),
            matches: matching.iter().map(ComponentInfo::uuid).collect(),
        }),
    }
}

fn is_missing(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound
}

/// A missing optional file is `None`; any other error stays an error.
fn optional<T>(result: Result<T, SysfsError>) -> Result<Option<T>, SysfsError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(SysfsError::MissingFile { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `0.0` and `N/A` are "unknown", as in [`lfa_client::Component`].
fn known_version(text: VersionText) -> Option<FirmwareVersion> {
    match text {
        VersionText::Version(v) if !v.is_zero() => Some(v),
        _ => None,
    }
}

fn unparsable(path: PathBuf, bytes: &[u8], expected: &'static str) -> SysfsError {
    SysfsError::Unparsable {
        path,
        content: String::from_utf8_lossy(bytes).trim().to_owned(),
        expected,
    }
}

const fn bool_text(on: bool) -> &'static [u8] {
    if on { b"1" } else { b"0" }
}
