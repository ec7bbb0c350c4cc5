// SPDX-License-Identifier: MIT OR Apache-2.0
//! A [`Conduit`] over the `smccc` crate's call types (feature `smccc`).

use core::marker::PhantomData;

use lfa_proto::{LfaError, Regs};
use lfa_smccc::Conduit;

/// A conduit that makes each call through the `smccc` crate's
/// [`smccc::Call`] type `T` (`smccc::Smc` or `smccc::Hvc` on AArch64), as
/// an SMC64/HVC64 call with x1..x17 as arguments and x0..x17 as results.
///
/// x0 is the function ID; one that does not fit in 32 bits (no LFA call is
/// such) is answered `NOT_SUPPORTED` without a call.
///
/// ```
/// use lfa_client::{Conduit, Regs, SmcccConduit};
///
/// /// A stand-in for `smccc::Smc` (which exists on AArch64 only).
/// struct Firmware;
/// impl smccc::Call for Firmware {
///     fn call32(_: u32, _: [u32; 7]) -> [u32; 8] { [0; 8] }
///     fn call64(function: u32, args: [u64; 17]) -> [u64; 18] {
///         let mut out = [0; 18];
///         out[1] = u64::from(function) + args[0];
///         out
///     }
/// }
/// let conduit = SmcccConduit::<Firmware>::new();
/// let mut request = Regs::with_x0(0xC400_02E0);
/// request.x[1] = 1;
/// assert_eq!(conduit.call(&request).x[1], 0xC400_02E1);
/// assert_eq!(conduit.call(&Regs::with_x0(1 << 32)).x[0], u64::MAX); // NOT_SUPPORTED
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "smccc")))]
pub struct SmcccConduit<T>(PhantomData<fn() -> T>);

impl<T> SmcccConduit<T> {
    /// The conduit of `T`.
    #[must_use]
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Clone for SmcccConduit<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for SmcccConduit<T> {}

impl<T> Default for SmcccConduit<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> core::fmt::Debug for SmcccConduit<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SmcccConduit")
    }
}

impl<T: smccc::Call> Conduit for SmcccConduit<T> {
    fn call(&self, args: &Regs) -> Regs {
        let [x0, rest @ ..] = args.x;
        match u32::try_from(x0) {
            Ok(function) => Regs {
                x: T::call64(function, rest),
            },
            Err(_) => Regs::with_x0(LfaError::NotSupported.to_x0()),
        }
    }
}
