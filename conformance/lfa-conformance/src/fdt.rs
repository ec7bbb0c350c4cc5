// SPDX-License-Identifier: MIT OR Apache-2.0
//! A minimal flattened device tree (FDT, DTB) reader: the MPIDRs of the CPUs
//! the `/cpus` node describes. Bounds-checked on every read, no panic on any
//! input (a malformed blob is a typed [`FdtError`]), no allocation, no
//! `unsafe`, nothing from the rest of the image: `scripts/conformance-test.sh`
//! compiles this file alone as a host test (`rustc --test`).

/// The FDT header magic, big-endian.
pub const MAGIC: u32 = 0xd00d_feed;
/// Largest blob the reader accepts (QEMU's `virt` DTB is about 1 MiB at most).
pub const MAX_SIZE: usize = 2 << 20;

const BEGIN_NODE: u32 = 1;
const END_NODE: u32 = 2;
const PROP: u32 = 3;
const NOP: u32 = 4;
const END: u32 = 9;
/// Deepest node nesting the reader follows.
const MAX_DEPTH: usize = 16;

/// Why a blob could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdtError {
    /// Shorter than its header or than `totalsize`.
    Truncated,
    /// The magic is not 0xd00dfeed.
    BadMagic,
    /// `totalsize` above [`MAX_SIZE`] or below the header.
    BadSize,
    /// Version older than 16 (the first with this layout).
    BadVersion,
    /// A structure or strings offset outside the blob.
    BadOffset,
    /// An unknown token, a property outside a node, unbalanced nodes.
    BadStructure,
    /// Nodes nested deeper than the reader follows.
    TooDeep,
    /// No `/cpus` node.
    NoCpus,
    /// A `reg` of a CPU node whose length is not `#address-cells` cells.
    BadReg,
}

impl core::fmt::Display for FdtError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Truncated => "the blob is truncated",
            Self::BadMagic => "no FDT magic",
            Self::BadSize => "implausible totalsize",
            Self::BadVersion => "FDT version older than 16",
            Self::BadOffset => "an offset points outside the blob",
            Self::BadStructure => "malformed structure block",
            Self::TooDeep => "nodes nested too deep",
            Self::NoCpus => "no /cpus node",
            Self::BadReg => "a cpu node's reg does not match #address-cells",
        })
    }
}

/// Big-endian u32 at `at`.
fn be32(blob: &[u8], at: usize) -> Result<u32, FdtError> {
    let end = at.checked_add(4).ok_or(FdtError::Truncated)?;
    match blob.get(at..end) {
        Some(&[a, b, c, d]) => Ok(u32::from_be_bytes([a, b, c, d])),
        _ => Err(FdtError::Truncated),
    }
}

/// The `totalsize` of the blob whose header starts `header` (at least 40
/// bytes), after checking magic and size: how many bytes to read.
///
/// # Errors
///
/// [`FdtError::BadMagic`], [`FdtError::BadSize`], [`FdtError::Truncated`].
pub fn total_size(header: &[u8]) -> Result<usize, FdtError> {
    if be32(header, 0)? != MAGIC {
        return Err(FdtError::BadMagic);
    }
    let size = usize::try_from(be32(header, 4)?).map_err(|_| FdtError::BadSize)?;
    if !(40..=MAX_SIZE).contains(&size) {
        return Err(FdtError::BadSize);
    }
    Ok(size)
}

/// The NUL-terminated string at `at` in `bytes`.
fn c_str(bytes: &[u8], at: usize) -> Result<&[u8], FdtError> {
    let rest = bytes.get(at..).ok_or(FdtError::BadOffset)?;
    let len = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or(FdtError::BadStructure)?;
    rest.get(..len).ok_or(FdtError::BadStructure)
}

/// `at` rounded up to 4.
fn align4(at: usize) -> Result<usize, FdtError> {
    at.checked_add(3)
        .map(|v| v & !3)
        .ok_or(FdtError::BadStructure)
}

/// The node name without its unit address (`cpu@1` -> `cpu`).
fn base_name(name: &[u8]) -> &[u8] {
    match name.iter().position(|&b| b == b'@') {
        Some(at) => name.get(..at).unwrap_or(name),
        None => name,
    }
}

/// What one CPU node said.
#[derive(Clone, Copy, Default)]
struct CpuNode {
    is_cpu: bool,
    failed: bool,
    reg: Option<u64>,
    bad_reg: bool,
}

/// What the walk found under `/cpus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuList<const N: usize> {
    /// The MPIDRs (`reg`) of the CPU nodes, in tree order, the first `count`.
    pub mpidrs: [u64; N],
    /// How many of `mpidrs` are set.
    pub count: usize,
    /// CPU nodes that did not fit in `mpidrs`.
    pub dropped: usize,
    /// CPU nodes skipped because their `status` is `fail...`.
    pub failed: usize,
}

impl<const N: usize> CpuList<N> {
    /// The MPIDRs read.
    #[must_use]
    pub fn as_slice(&self) -> &[u64] {
        self.mpidrs.get(..self.count).unwrap_or_default()
    }
}

/// Reads the MPIDRs of the `device_type = "cpu"` children of `/cpus` (their
/// `reg`, `#address-cells` of `/cpus` cells, 1 or 2). Nodes whose `status`
/// starts with `fail` are counted in [`CpuList::failed`] and left out.
///
/// # Errors
///
/// An [`FdtError`] for anything malformed, and [`FdtError::NoCpus`] when
/// there is no `/cpus` node.
pub fn cpus<const N: usize>(blob: &[u8]) -> Result<CpuList<N>, FdtError> {
    let size = total_size(blob)?;
    let blob = blob.get(..size).ok_or(FdtError::Truncated)?;
    let off_struct = usize::try_from(be32(blob, 8)?).map_err(|_| FdtError::BadOffset)?;
    let off_strings = usize::try_from(be32(blob, 12)?).map_err(|_| FdtError::BadOffset)?;
    if be32(blob, 20)? < 16 {
        return Err(FdtError::BadVersion);
    }
    let strings = blob.get(off_strings..).ok_or(FdtError::BadOffset)?;
    if off_struct >= size || off_struct % 4 != 0 {
        return Err(FdtError::BadOffset);
    }

    let mut list = CpuList {
        mpidrs: [0; N],
        count: 0,
        dropped: 0,
        failed: 0,
    };
    let mut found_cpus = false;
    // depth 1 = the root's children; `in_cpus` while inside /cpus (depth 1),
    // `node` for a direct child of /cpus (depth 2).
    let mut depth = 0_usize;
    let mut in_cpus = false;
    let mut address_cells = 1_u32;
    let mut node = CpuNode::default();
    let mut at = off_struct;
    loop {
        let token = be32(blob, at)?;
        at = at.checked_add(4).ok_or(FdtError::BadStructure)?;
        match token {
            BEGIN_NODE => {
                let name = c_str(blob, at)?;
                at = align4(at + name.len() + 1)?;
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(FdtError::TooDeep);
                }
                if depth == 2 && base_name(name) == b"cpus" {
                    in_cpus = true;
                    found_cpus = true;
                    address_cells = 1;
                } else if depth == 3 && in_cpus {
                    node = CpuNode::default();
                }
            }
            END_NODE => {
                if depth == 0 {
                    return Err(FdtError::BadStructure);
                }
                if depth == 3 && in_cpus && node.is_cpu {
                    if node.failed {
                        list.failed += 1;
                    } else if node.bad_reg {
                        return Err(FdtError::BadReg);
                    } else if let Some(mpidr) = node.reg {
                        match list.mpidrs.get_mut(list.count) {
                            Some(slot) => {
                                *slot = mpidr;
                                list.count += 1;
                            }
                            None => list.dropped += 1,
                        }
                    } else {
                        return Err(FdtError::BadReg);
                    }
                }
                if depth == 2 {
                    in_cpus = false;
                }
                depth -= 1;
            }
            PROP => {
                let len = usize::try_from(be32(blob, at)?).map_err(|_| FdtError::BadStructure)?;
                let name_off =
                    usize::try_from(be32(blob, at + 4)?).map_err(|_| FdtError::BadOffset)?;
                let start = at.checked_add(8).ok_or(FdtError::BadStructure)?;
                let end = start.checked_add(len).ok_or(FdtError::BadStructure)?;
                let value = blob.get(start..end).ok_or(FdtError::Truncated)?;
                at = align4(end)?;
                if depth == 0 {
                    return Err(FdtError::BadStructure);
                }
                let name = c_str(strings, name_off)?;
                if depth == 2 && in_cpus && name == b"#address-cells" {
                    address_cells = be32(value, 0)?;
                } else if depth == 3 && in_cpus {
                    match name {
                        b"device_type" => node.is_cpu = value.strip_suffix(&[0]) == Some(b"cpu"),
                        b"status" => node.failed = value.starts_with(b"fail"),
                        b"reg" => match (address_cells, value.len()) {
                            (1, 4) => node.reg = Some(u64::from(be32(value, 0)?)),
                            (2, 8) => {
                                let high = u64::from(be32(value, 0)?);
                                node.reg = Some((high << 32) | u64::from(be32(value, 4)?));
                            }
                            _ => node.bad_reg = true,
                        },
                        _ => {}
                    }
                }
            }
            NOP => {}
            END => break,
            _ => return Err(FdtError::BadStructure),
        }
    }
    if depth != 0 {
        return Err(FdtError::BadStructure);
    }
    if !found_cpus {
        return Err(FdtError::NoCpus);
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small FDT writer for the tests.
    struct Builder {
        structure: Vec<u8>,
        strings: Vec<u8>,
    }

    impl Builder {
        fn new() -> Self {
            Self {
                structure: Vec::new(),
                strings: Vec::new(),
            }
        }
        fn token(&mut self, t: u32) -> &mut Self {
            self.structure.extend_from_slice(&t.to_be_bytes());
            self
        }
        fn pad(&mut self) {
            while self.structure.len() % 4 != 0 {
                self.structure.push(0);
            }
        }
        fn begin(&mut self, name: &str) -> &mut Self {
            self.token(BEGIN_NODE);
            self.structure.extend_from_slice(name.as_bytes());
            self.structure.push(0);
            self.pad();
            self
        }
        fn end(&mut self) -> &mut Self {
            self.token(END_NODE)
        }
        fn prop(&mut self, name: &str, value: &[u8]) -> &mut Self {
            let off = self.strings.len() as u32;
            self.strings.extend_from_slice(name.as_bytes());
            self.strings.push(0);
            self.token(PROP);
            self.structure
                .extend_from_slice(&(value.len() as u32).to_be_bytes());
            self.structure.extend_from_slice(&off.to_be_bytes());
            self.structure.extend_from_slice(value);
            self.pad();
            self
        }
        fn finish(&mut self) -> Vec<u8> {
            self.token(END);
            let off_struct = 40 + 16; // header + one empty reservation entry
            let off_strings = off_struct + self.structure.len();
            let total = off_strings + self.strings.len();
            let mut blob = Vec::new();
            for word in [
                MAGIC,
                total as u32,
                off_struct as u32,
                off_strings as u32,
                40,
                17,
                16,
                0,
                self.strings.len() as u32,
                self.structure.len() as u32,
            ] {
                blob.extend_from_slice(&word.to_be_bytes());
            }
            blob.extend_from_slice(&[0; 16]);
            blob.extend_from_slice(&self.structure);
            blob.extend_from_slice(&self.strings);
            blob
        }
    }

    fn cpu(b: &mut Builder, name: &str, reg: &[u8], status: Option<&str>) {
        b.begin(name).prop("device_type", b"cpu\0").prop("reg", reg);
        if let Some(s) = status {
            let mut v = s.as_bytes().to_vec();
            v.push(0);
            b.prop("status", &v);
        }
        b.end();
    }

    /// QEMU virt's shape: /cpus with #address-cells = 1, a cpu-map child.
    fn four_cpus() -> Vec<u8> {
        let mut b = Builder::new();
        b.begin("").prop("#address-cells", &2u32.to_be_bytes());
        b.begin("memory@40000000")
            .prop("device_type", b"memory\0")
            .prop("reg", &[0; 16])
            .end();
        b.begin("cpus")
            .prop("#address-cells", &1u32.to_be_bytes())
            .prop("#size-cells", &0u32.to_be_bytes());
        b.begin("cpu-map").begin("socket0").end().end();
        for i in 0..4u32 {
            cpu(&mut b, &format!("cpu@{i}"), &i.to_be_bytes(), None);
        }
        b.end().end();
        b.finish()
    }

    /// QEMU's own DTB (`-machine virt,secure=on,virtualization=on,dumpdtb=`,
    /// `-smp 4`, trimmed to its totalsize), also the fuzz seed.
    #[test]
    fn qemu_virt_dtb() {
        let blob = include_bytes!("../../../fuzz/seeds/fdt_cpus/qemu-virt-smp4.dtb");
        let list = cpus::<8>(blob).unwrap();
        assert_eq!(list.as_slice(), &[0, 1, 2, 3]);
        assert_eq!(total_size(blob), Ok(blob.len()));
    }

    #[test]
    fn reads_every_cpu_in_order() {
        let list = cpus::<8>(&four_cpus()).unwrap();
        assert_eq!(list.as_slice(), &[0, 1, 2, 3]);
        assert_eq!((list.dropped, list.failed), (0, 0));
    }

    #[test]
    fn two_address_cells_and_failed_status() {
        let mut b = Builder::new();
        b.begin("")
            .begin("cpus")
            .prop("#address-cells", &2u32.to_be_bytes());
        cpu(&mut b, "cpu@0", &0u64.to_be_bytes(), Some("okay"));
        cpu(&mut b, "cpu@100", &0x100u64.to_be_bytes(), None);
        cpu(
            &mut b,
            "cpu@1_0000_0000",
            &0x1_0000_0000u64.to_be_bytes(),
            None,
        );
        cpu(&mut b, "cpu@101", &0x101u64.to_be_bytes(), Some("fail"));
        b.end().end();
        let list = cpus::<8>(&b.finish()).unwrap();
        assert_eq!(list.as_slice(), &[0, 0x100, 0x1_0000_0000]);
        assert_eq!(list.failed, 1);
    }

    #[test]
    fn more_cpus_than_room_are_counted() {
        let list = cpus::<3>(&four_cpus()).unwrap();
        assert_eq!(list.as_slice(), &[0, 1, 2]);
        assert_eq!(list.dropped, 1);
    }

    #[test]
    fn typed_errors() {
        let good = four_cpus();
        let mut bad = good.clone();
        bad[0] = 0;
        assert_eq!(cpus::<8>(&bad), Err(FdtError::BadMagic));
        assert_eq!(cpus::<8>(&good[..good.len() - 1]), Err(FdtError::Truncated));
        assert_eq!(cpus::<8>(&good[..20]), Err(FdtError::Truncated));
        let mut big = good.clone();
        big[4..8].copy_from_slice(&(MAX_SIZE as u32 + 1).to_be_bytes());
        assert_eq!(cpus::<8>(&big), Err(FdtError::BadSize));
        let mut old = good.clone();
        old[20..24].copy_from_slice(&15u32.to_be_bytes());
        assert_eq!(cpus::<8>(&old), Err(FdtError::BadVersion));
        let mut off = good.clone();
        off[8..12].copy_from_slice(&0xFFFF_FFF0u32.to_be_bytes());
        assert_eq!(cpus::<8>(&off), Err(FdtError::BadOffset));
        // No /cpus.
        let mut b = Builder::new();
        b.begin("").begin("memory").end().end();
        assert_eq!(cpus::<8>(&b.finish()), Err(FdtError::NoCpus));
        // reg of 3 bytes.
        let mut b = Builder::new();
        b.begin("").begin("cpus");
        cpu(&mut b, "cpu@0", &[0, 0, 1], None);
        b.end().end();
        assert_eq!(cpus::<8>(&b.finish()), Err(FdtError::BadReg));
        // Unbalanced: END_NODE at depth 0.
        let mut b = Builder::new();
        b.end();
        assert_eq!(cpus::<8>(&b.finish()), Err(FdtError::BadStructure));
        // Never closed.
        let mut b = Builder::new();
        b.begin("").begin("cpus");
        assert_eq!(cpus::<8>(&b.finish()), Err(FdtError::BadStructure));
        // Too deep.
        let mut b = Builder::new();
        for _ in 0..=MAX_DEPTH {
            b.begin("n");
        }
        assert_eq!(cpus::<8>(&b.finish()), Err(FdtError::TooDeep));
    }

    /// Every truncation and every single-byte corruption of a valid blob
    /// ends in `Ok` or a typed error, never a panic (deterministic: each
    /// byte with several values).
    #[test]
    fn no_panic_on_damaged_blobs() {
        let good = four_cpus();
        let mut errors = 0;
        for len in 0..good.len() {
            if cpus::<8>(&good[..len]).is_err() {
                errors += 1;
            }
        }
        assert_eq!(errors, good.len(), "every truncation is an error");
        for at in 0..good.len() {
            for value in [0x00, 0x01, 0x03, 0x09, 0x7F, 0x80, 0xFF] {
                let mut blob = good.clone();
                blob[at] = value;
                let _ = cpus::<8>(&blob);
            }
        }
        // A pseudo-random walk over whole words (xorshift, fixed seed).
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut blob = good.clone();
            let at = (state as usize) % (blob.len() - 3) & !3;
            blob[at..at + 4].copy_from_slice(&((state >> 32) as u32).to_be_bytes());
            let _ = cpus::<8>(&blob);
        }
    }

    #[test]
    fn total_size_checks_the_header() {
        let good = four_cpus();
        assert_eq!(total_size(&good[..40]), Ok(good.len()));
        assert_eq!(total_size(&[0; 40]), Err(FdtError::BadMagic));
        assert_eq!(total_size(&good[..3]), Err(FdtError::Truncated));
    }
}
