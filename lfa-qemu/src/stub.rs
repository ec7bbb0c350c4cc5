// SPDX-License-Identifier: MIT OR Apache-2.0
//! An EL3 agent of raw constants for the client-side images (`client_image`,
//! `cost_flow`, `cost_flow_display`): LFA 1.0, every function implemented,
//! no components. It is written without `lfa-proto`'s request and response
//! types, so that every `lfa_*` symbol of those images is client code.

use lfa_proto::Regs;
use lfa_smccc::Conduit;

/// LFA 1.0, every function, no components: registers written by hand.
pub struct EmptyAgent;

/// The agent the client-side images install at EL3.
pub static EMPTY_AGENT: EmptyAgent = EmptyAgent;

impl Conduit for EmptyAgent {
    fn call(&self, args: &Regs) -> Regs {
        const VERSION: u64 = 0xC400_02E0;
        const FEATURES: u64 = 0xC400_02E1;
        const GET_INFO: u64 = 0xC400_02E2;
        const NOT_SUPPORTED: u64 = u64::MAX; // -1
        let mut answer = *args;
        let [x0, x1, ..] = &mut answer.x;
        *x0 = match *x0 {
            VERSION => 0x1_0000,
            FEATURES if (VERSION..=0xC400_02E6).contains(x1) => 0,
            GET_INFO => {
                *x1 = 0; // no components
                0
            }
            _ => NOT_SUPPORTED,
        };
        answer
    }
}
