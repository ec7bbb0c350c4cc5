// SPDX-License-Identifier: MIT OR Apache-2.0
//! Build-time configuration of the image, from the environment:
//!
//! - `LFA_CONFORMANCE_BASE`: load and entry address (default `0x60000000`,
//!   where TF-A's QEMU port loads BL33; FVP: `0x88000000`);
//! - `LFA_CONFORMANCE_UART`: PL011 base (default `0x09000000`, QEMU `virt`;
//!   FVP: `0x1c090000`);
//! - `LFA_CONFORMANCE_ARGS`: default options, words as on the command line.
//!
//! Writes the linker script and `config.rs` into `OUT_DIR`.

use std::fmt::Write as _;

fn number(name: &str, default: u64) -> u64 {
    let Ok(text) = std::env::var(name) else {
        return default;
    };
    let text = text.trim().replace('_', "");
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    match parsed {
        Ok(value) => value,
        Err(e) => {
            println!("cargo:warning={name}={text} is not a number ({e}); using {default:#x}");
            default
        }
    }
}

fn main() {
    for name in [
        "LFA_CONFORMANCE_BASE",
        "LFA_CONFORMANCE_UART",
        "LFA_CONFORMANCE_ARGS",
    ] {
        println!("cargo:rerun-if-env-changed={name}");
    }
    println!("cargo:rerun-if-changed=link.ld.in");
    let base = number("LFA_CONFORMANCE_BASE", 0x6000_0000);
    let uart = number("LFA_CONFORMANCE_UART", 0x0900_0000);
    let args = std::env::var("LFA_CONFORMANCE_ARGS").unwrap_or_default();
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());

    let template = std::fs::read_to_string(format!("{dir}/link.ld.in")).unwrap_or_default();
    let script = template.replace("@BASE@", &format!("{base:#x}"));
    let _ = std::fs::write(format!("{out}/link.ld"), script);
    println!("cargo:rustc-link-arg=-T{out}/link.ld");

    let mut config = String::new();
    let _ = writeln!(config, "/// PL011 base (`LFA_CONFORMANCE_UART`).");
    let _ = writeln!(config, "pub const UART_BASE: usize = {uart:#x};");
    let _ = writeln!(config, "/// Default options (`LFA_CONFORMANCE_ARGS`).");
    let _ = writeln!(config, "pub const DEFAULT_ARGS: &str = {args:?};");
    let _ = std::fs::write(format!("{out}/config.rs"), config);
}
