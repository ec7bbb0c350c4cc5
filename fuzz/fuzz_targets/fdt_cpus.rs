// SPDX-License-Identifier: MIT OR Apache-2.0
//! The conformance checker's device tree reader
//! (`conformance/lfa-conformance/src/fdt.rs`, included as it is) on fuzzed
//! blobs: every input ends in a CPU list or a typed error, never a panic,
//! and a list never claims more entries than it holds.
#![no_main]

#[path = "../../conformance/lfa-conformance/src/fdt.rs"]
mod fdt;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fdt::total_size(data);
    if let Ok(list) = fdt::cpus::<8>(data) {
        assert!(list.count <= 8);
        assert_eq!(list.as_slice().len(), list.count);
    }
});
