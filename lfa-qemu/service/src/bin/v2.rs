// SPDX-License-Identifier: MIT OR Apache-2.0
//! The demo service, version 2.0 (see the crate docs).
#![no_std]
#![no_main]

use lfa_demo_service::{Answer, v2_value};

/// The entry, first in the image (`.text.entry`).
#[unsafe(no_mangle)]
#[unsafe(link_section = ".text.entry")]
pub extern "C" fn lfa_demo_service(x1: u64) -> Answer {
    Answer {
        version: 2 << 16,
        value: v2_value(x1),
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    lfa_demo_service::halt()
}
