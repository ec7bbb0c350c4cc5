// SPDX-License-Identifier: MIT OR Apache-2.0
//! The conduit: how one SMCCC call reaches the agent.

use lfa_proto::Regs;

/// Something that performs one SMCCC v1.2 call: x0..x17 go in, x0..x17 come
/// back.
///
/// The real conduits (`Smc`, `Hvc`, `Method`, on AArch64 only) execute the
/// instruction; the `lfa-sim` crate's `SimAgent` answers as an LFA agent
/// would, and its `ScriptedConduit` replays given answers. High-level code
/// (the `lfa-client` crate) is generic over this trait.
///
/// `call` takes `&self` so that one conduit can be used from several CPUs at
/// once, as a rendezvous activation does; implementations that keep state use
/// interior mutability and are `Sync` where they can be shared between CPUs.
pub trait Conduit {
    /// Performs the call described by `args` and returns every result register.
    ///
    /// A conduit never fails by itself: whatever the callee leaves in the
    /// registers is the result, and decoding it is the caller's job.
    fn call(&self, args: &Regs) -> Regs;

    /// The same call with one register block instead of two: `regs` holds
    /// the arguments, and afterwards every result register. Callers that
    /// count stack (firmware, hypervisors) use this; the default calls
    /// [`call`](Self::call), which an inlined `Smc` or `Hvc` turns into the
    /// instruction between loads and stores of `regs`.
    #[inline]
    fn call_in_place(&self, regs: &mut Regs) {
        *regs = self.call(regs);
    }
}

impl<C: Conduit + ?Sized> Conduit for &C {
    fn call(&self, args: &Regs) -> Regs {
        (**self).call(args)
    }

    #[inline]
    fn call_in_place(&self, regs: &mut Regs) {
        (**self).call_in_place(regs);
    }
}
