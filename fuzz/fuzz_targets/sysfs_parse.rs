// SPDX-License-Identifier: MIT OR Apache-2.0
//! The sysfs backend's parser on a fuzzed in-memory tree: directory names
//! and every attribute file's bytes come from the fuzzer (through the public
//! `FileAccess` layer). Listing, lookup and reads end in values or typed
//! errors, never a panic.
#![no_main]

use std::ffi::OsString;
use std::io;
use std::path::Path;

use lfa_sysfs::{FileAccess, Sysfs, files};
use lfa_fuzz::Input;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 11] = [
    files::NAME,
    files::ACTIVATION_CAPABLE,
    files::ACTIVATION_PENDING,
    files::MAY_RESET_CPU,
    files::CPU_RENDEZVOUS,
    files::FORCE_CPU_RENDEZVOUS,
    files::CURRENT_VERSION,
    files::PENDING_VERSION,
    files::AUTO_ACTIVATE,
    files::ACTIVATE,
    files::CANCEL,
];

/// Directories (by name) each holding the bytes of the files in `NAMES`
/// (`None`: the file is missing).
struct Tree {
    dirs: Vec<(OsString, Vec<Option<Vec<u8>>>)>,
}

impl Tree {
    fn file(&self, path: &Path) -> Option<&Vec<u8>> {
        let dir = path.parent()?.file_name()?;
        let name = path.file_name()?.to_str()?;
        let index = NAMES.iter().position(|n| *n == name)?;
        let (_, contents) = self.dirs.iter().find(|(d, _)| d == dir)?;
        contents.get(index)?.as_ref()
    }
}

impl FileAccess for Tree {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.file(path)
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
    fn write(&self, path: &Path, _contents: &[u8]) -> io::Result<()> {
        self.file(path)
            .map(|_| ())
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
    fn subdirectories(&self, _path: &Path) -> io::Result<Vec<OsString>> {
        Ok(self.dirs.iter().map(|(d, _)| d.clone()).collect())
    }
    fn is_dir(&self, _path: &Path) -> bool {
        true
    }
}

const SAMPLES: [&[u8]; 8] = [
    b"0\n",
    b"1\n",
    b"N/A\n",
    b"1.2\n",
    b"4294967295.0\n",
    b"TF-RMM\n",
    b"",
    b" 7.8 ",
];

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mut dirs = Vec::new();
    for n in 0..input.u8() % 4 {
        let name = match input.u8() % 4 {
            0 => OsString::from(format!("6c0762a6-12f2-4b56-92cb-ba8f633606d{n}")),
            1 => OsString::from(String::from_utf8_lossy(input.take(40)).into_owned()),
            _ => OsString::from(format!("00000000-0000-0000-0000-00000000000{n}")),
        };
        let contents = NAMES
            .iter()
            .map(|_| match input.u8() % 8 {
                0 => None,
                1 | 2 => Some(input.take(24).to_vec()),
                k => Some(SAMPLES[usize::from(k + input.u8()) % SAMPLES.len()].to_vec()),
            })
            .collect();
        dirs.push((name, contents));
    }
    let query = String::from_utf8_lossy(input.take(40)).into_owned();
    let sysfs = Sysfs::with_access("/sys/firmware/lfa", Tree { dirs });
    if let Ok(components) = sysfs.components() {
        for c in &components {
            let _ = (c.name(), c.pending_version(), c.is_activatable());
            let _ = sysfs.is_pending(c.uuid());
            let _ = sysfs.activate(c.uuid());
        }
    }
    match sysfs.find(&query) {
        Ok(c) => {
            let _ = sysfs.component(c.uuid());
        }
        Err(e) => {
            let _ = (e.to_string(), e.errno());
        }
    }
});
