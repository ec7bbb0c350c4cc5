//! placeholder docs
#![no_std]
#![forbid(unsafe_code)]

#[cfg(feature = "std")]
extern crate std;

mod activation;
mod client;
mod component;
mod error;
mod rendezvous;
mod retry;
#[cfg(feature = "std")]
mod thread_rendezvous;

pub use activation::{Activated, CpuReset, Primed};
pub use client::{Client, Components, Options};
pub use component::Component;
pub use error::{CancelOutcome, ComponentRef, Error};
pub use rendezvous::{CpuOutcome, CpuResult, OnlyCpu, Rendezvous, RendezvousError};
pub use retry::{Clock, NoClock, RetryPolicy};
#[cfg(feature = "std")]
pub use thread_rendezvous::ThreadRendezvous;

#[cfg(test)]
extern crate std;
#[cfg(test)]
mod tests;
