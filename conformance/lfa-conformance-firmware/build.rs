// SPDX-License-Identifier: MIT OR Apache-2.0
//! Links the firmware with lfa-qemu's memory layout (RAM at 0x4000_0000).

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    println!("cargo:rustc-link-arg=-T{dir}/../../lfa-qemu/link.ld");
    println!("cargo:rerun-if-changed=../../lfa-qemu/link.ld");
}
