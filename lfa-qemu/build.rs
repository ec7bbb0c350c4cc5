// SPDX-License-Identifier: MIT OR Apache-2.0
//! Links every image of this crate with `link.ld` (load address, stacks,
//! .bss), and builds the two versions of the LFA demo service
//! (`service/`) that the live-activation image installs and activates.
//!
//! The service is its own Cargo workspace, built here by a nested
//! `cargo build --release --offline` into `OUT_DIR` with its own target dir
//! (no lock shared with this build; it has no dependencies, so nothing is
//! fetched). Each ELF is flattened by the small ELF64 reader below (the
//! loadable segments laid out from the lowest address, gaps and .bss as
//! zeros): no objcopy of some LLVM install, no extra build dependency, and
//! the reader checks what the firmware relies on (AArch64, entry at the
//! start of the image, one execution address for both, the size bound).
//! For each version it writes `service_vN.bin` (the flat image) and
//! `service_vN.manifest` (magic, version, size, SHA-256: what a signing
//! step would publish with the image), and `service.rs` with the address.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// Magic of a demo-service manifest (`src/platform.rs` reads it).
const MANIFEST_MAGIC: &[u8; 8] = b"LFADEMO1";
/// The most a service image may take (`src/platform.rs`: SERVICE_MAX).
const SERVICE_MAX: u64 = 0x1_0000;
/// The versions: bin name and (major, minor) as the service reports it.
const VERSIONS: [(&str, u16, u16); 2] = [("v1", 1, 0), ("v2", 2, 0)];

fn main() -> Result<(), String> {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    println!("cargo:rustc-link-arg=-T{dir}/link.ld");
    println!("cargo:rerun-if-changed=link.ld");
    for file in [
        "service/src",
        "service/link.ld",
        "service/build.rs",
        "service/Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={dir}/{file}");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?);
    build_service(Path::new(&dir).join("service").as_path(), &out)?;
    let mut base = None;
    for (bin, major, minor) in VERSIONS {
        let elf = out
            .join("service-target/aarch64-unknown-none/release")
            .join(bin);
        let bytes = std::fs::read(&elf).map_err(|e| format!("{}: {e}", elf.display()))?;
        let (start, flat) = flatten(&bytes).map_err(|e| format!("{}: {e}", elf.display()))?;
        if *base.get_or_insert(start) != start {
            return Err(format!(
                "service {bin} is linked at {start:#x}, not at {base:#x?}"
            ));
        }
        let size = u64::try_from(flat.len()).map_err(|e| e.to_string())?;
        if size > SERVICE_MAX {
            return Err(format!(
                "service {bin} is {size} bytes, more than {SERVICE_MAX}"
            ));
        }
        let mut manifest = Vec::with_capacity(48);
        manifest.extend_from_slice(MANIFEST_MAGIC);
        manifest.extend_from_slice(&((u32::from(major) << 16) | u32::from(minor)).to_le_bytes());
        manifest.extend_from_slice(
            &u32::try_from(size)
                .map_err(|e| e.to_string())?
                .to_le_bytes(),
        );
        manifest.extend_from_slice(&Sha256::digest(&flat));
        write(&out.join(format!("service_{bin}.bin")), &flat)?;
        write(&out.join(format!("service_{bin}.manifest")), &manifest)?;
    }
    let base = base.unwrap_or(0);
    write(
        &out.join("service.rs"),
        format!(
            "/// Where the service images are linked to run (`service/link.ld`).\n\
             pub const SERVICE_LINKED_AT: u64 = {base:#x};\n"
        )
        .as_bytes(),
    )
}

/// `cargo build --release` of the service crate into `out/service-target`.
fn build_service(service: &Path, out: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(service)
        .args([
            "build",
            "--release",
            "--offline",
            "--target",
            "aarch64-unknown-none",
        ])
        .arg("--target-dir")
        .arg(out.join("service-target"));
    // What this build's cargo set for us is not for the nested one: its
    // flags, target dir and (under clippy) the rustc wrapper.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        command.env_remove(var);
    }
    let output = command
        .output()
        .map_err(|e| format!("running cargo for the service: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "building the demo service failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Little-endian field of `N` bytes at `at`.
fn field<const N: usize>(elf: &[u8], at: usize) -> Result<[u8; N], String> {
    elf.get(at..at + N)
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .ok_or_else(|| format!("truncated ELF (field at {at})"))
}

fn u16_at(elf: &[u8], at: usize) -> Result<u64, String> {
    Ok(u64::from(u16::from_le_bytes(field(elf, at)?)))
}

fn u32_at(elf: &[u8], at: usize) -> Result<u64, String> {
    Ok(u64::from(u32::from_le_bytes(field(elf, at)?)))
}

fn u64_at(elf: &[u8], at: usize) -> Result<u64, String> {
    Ok(u64::from_le_bytes(field(elf, at)?))
}

fn index(value: u64) -> Result<usize, String> {
    usize::try_from(value).map_err(|e| e.to_string())
}

/// The flat image of an AArch64 ELF64 executable: (lowest load address,
/// bytes from it to the end of the last loadable segment).
fn flatten(elf: &[u8]) -> Result<(u64, Vec<u8>), String> {
    const PT_LOAD: u64 = 1;
    const EM_AARCH64: u64 = 0xB7;
    if field::<4>(elf, 0)? != *b"\x7fELF" || field::<2>(elf, 4)? != [2, 1] {
        return Err("not a little-endian ELF64 file".into());
    }
    if u16_at(elf, 18)? != EM_AARCH64 {
        return Err("not an AArch64 ELF file".into());
    }
    let entry = u64_at(elf, 24)?;
    let phoff = index(u64_at(elf, 32)?)?;
    let phentsize = index(u16_at(elf, 54)?)?;
    let phnum = index(u16_at(elf, 56)?)?;
    let mut segments = Vec::new();
    for n in 0..phnum {
        let ph = phoff + n * phentsize;
        if u32_at(elf, ph)? != PT_LOAD {
            continue;
        }
        let (offset, vaddr) = (u64_at(elf, ph + 8)?, u64_at(elf, ph + 16)?);
        let (filesz, memsz) = (u64_at(elf, ph + 32)?, u64_at(elf, ph + 40)?);
        if memsz > 0 {
            segments.push((offset, vaddr, filesz.min(memsz), memsz));
        }
    }
    let start = segments
        .iter()
        .map(|s| s.1)
        .min()
        .ok_or("no loadable segment")?;
    let end = segments
        .iter()
        .map(|s| s.1 + s.3)
        .max()
        .ok_or("no loadable segment")?;
    if entry != start {
        return Err(format!(
            "entry {entry:#x} is not the image start {start:#x}"
        ));
    }
    let mut flat = vec![0_u8; index(end - start)?];
    for (offset, vaddr, filesz, _) in segments {
        let from = index(offset)?;
        let bytes = elf
            .get(from..from + index(filesz)?)
            .ok_or("segment outside the file")?;
        let at = index(vaddr - start)?;
        flat.get_mut(at..at + bytes.len())
            .ok_or("segment outside the image")?
            .copy_from_slice(bytes);
    }
    Ok((start, flat))
}
