// SPDX-License-Identifier: MIT OR Apache-2.0
//! Leaf pieces of the lfa-rs bare-metal images (`lfa-qemu` and
//! `conformance`): nothing here boots, sets up stacks or assumes an
//! exception level; each image keeps its own entry code and calls these.
//!
//! - [`pl011`]: a PL011 UART writer at a given base address, with a line lock;
//! - [`timer`]: the generic timer's counters and a [`timer::Deadline`];
//! - [`semihosting`]: Arm semihosting's exit and command-line calls;
//! - [`mmu`]: a level-1 table of four 1 GiB blocks and the MMU switch.
//!
//! ```ignore
//! static CONSOLE: lfa_baremetal::pl011::Console = lfa_baremetal::pl011::Console::new(0x0900_0000);
//! CONSOLE.print(format_args!("hello\n"));
//! ```
#![no_std]

pub mod mmu;
pub mod pl011;
pub mod semihosting;
pub mod timer;
