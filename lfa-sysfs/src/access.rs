// SPDX-License-Identifier: MIT OR Apache-2.0
//! The file access layer: every read, write and directory listing of the
//! sysfs backend goes through [`FileAccess`], so tests can inject errors.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::vec::Vec;

/// How the sysfs backend reaches files. [`RealFs`] is the real file system;
/// a test can wrap it to inject errors (`EBUSY`, `ECANCELED`, `EACCES`, ...)
/// exactly where the kernel would return them.
///
/// ```
/// use std::io;
/// use std::path::Path;
/// use lfa_sysfs::{FileAccess, RealFs};
///
/// /// Every write fails with EBUSY, as while another activation runs.
/// struct AlwaysBusy;
///
/// impl FileAccess for AlwaysBusy {
///     fn read(&self, path: &Path) -> io::Result<Vec<u8>> { RealFs.read(path) }
///     fn write(&self, _: &Path, _: &[u8]) -> io::Result<()> {
///         Err(io::Error::from_raw_os_error(16)) // EBUSY
///     }
///     fn subdirectories(&self, path: &Path) -> io::Result<Vec<std::ffi::OsString>> {
///         RealFs.subdirectories(path)
///     }
///     fn is_dir(&self, path: &Path) -> bool { RealFs.is_dir(path) }
/// }
/// ```
pub trait FileAccess {
    /// The whole content of the file at `path`.
    ///
    /// # Errors
    ///
    /// The operating system's error.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// Writes `contents` to the existing file at `path` in one `write(2)`
    /// (a sysfs attribute takes one write; the kernel's answer is the
    /// result). Must not create the file.
    ///
    /// # Errors
    ///
    /// The operating system's error, for example `EBUSY` from the kernel.
    fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()>;

    /// The names of the subdirectories of `path` (files are left out), in
    /// any order.
    ///
    /// # Errors
    ///
    /// The operating system's error.
    fn subdirectories(&self, path: &Path) -> io::Result<Vec<std::ffi::OsString>>;

    /// Whether `path` is a directory (following symbolic links).
    fn is_dir(&self, path: &Path) -> bool;
}

impl<A: FileAccess + ?Sized> FileAccess for &A {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        (**self).read(path)
    }
    fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        (**self).write(path, contents)
    }
    fn subdirectories(&self, path: &Path) -> io::Result<Vec<std::ffi::OsString>> {
        (**self).subdirectories(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        (**self).is_dir(path)
    }
}

/// The real file system, through `std::fs`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RealFs;

impl FileAccess for RealFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        fs::read(path)
    }

    fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        // No `create`: a missing attribute is an error, not a new file.
        // `truncate` is what a shell's `echo 1 > file` does; sysfs ignores it,
        // and it keeps a fake tree's file holding exactly what was written.
        let mut file = fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)?;
        file.write_all(contents)
    }

    fn subdirectories(&self, path: &Path) -> io::Result<Vec<std::ffi::OsString>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(path)? {
            let entry = entry?;
            if entry.path().is_dir() {
                names.push(entry.file_name());
            }
        }
        Ok(names)
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}
