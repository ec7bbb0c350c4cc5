// SPDX-License-Identifier: MIT OR Apache-2.0
//! The demo service, version 1.0 (see the crate docs).
#![no_std]
#![no_main]

use lfa_demo_service::{Answer, v1_value};

/// The entry, first in the image (`.text.entry`).
#[unsafe(no_mangle)]
#[unsafe(link_section = ".text.entry")]
pub extern "C" fn lfa_demo_service(x1: u64) -> Answer {
    Answer {
        version: 1 << 16,
        value: v1_value(x1),
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    lfa_demo_service::halt()
}
