//! Command-line arguments and help texts.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Arm Live Firmware Activation (LFA) for operators: list firmware components, \
activate a staged image without a reboot, cancel, set the kernel's policies, watch.";

const LONG_ABOUT: &str = "\
Arm Live Firmware Activation (LFA) for operators.

lfactl lists the firmware components the Linux LFA driver exposes under
/sys/firmware/lfa/<GUID>/, activates one whose new image is staged (the
kernel primes it, then activates it, with every CPU in a rendezvous unless the
component allows one CPU and force_cpu_rendezvous is off), cancels, sets the
per-component policies force_cpu_rendezvous and auto_activate, and watches
for pending activations. A component is named by its UUID, by its name
(case-insensitive, e.g. tf-rmm), or by the start of exactly one name (bl33).

Backends: the real tree (default), another tree (--root DIR, e.g. a copy or a
test tree), or --simulate: a simulated LFA agent inside lfactl (TF-A BL31 and
TF-RMM pending, BL33 and a vendor component not; 4 simulated CPUs) driven
through lfa-client's full PRIME/ACTIVATE flow. The simulation starts afresh
at every run; nothing is kept between runs.";

const EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  refused or failed by the firmware or the kernel (EBUSY: another
     activation runs; ECANCELED: prime or activate failed; EINVAL/ENODEV;
     a firmware status from the simulated agent; not activation capable)
  2  usage error: bad arguments, or no component (or several) matches
  3  nothing to do: nothing pending, nothing to cancel, no components
  4  system error: no LFA tree (no driver or no agent), a missing or
     unparsable file, permission denied (run as root), other I/O errors
  5  activation not confirmed by the operator

With --json, results go to stdout as one JSON object (\"schema\": \"lfactl/1\";
watch prints one object per line), and a failure also prints
{\"schema\": \"lfactl/1\", \"error\": {\"kind\", \"exit_code\", \"message\"}}.
Messages and progress always go to stderr.

Examples:
  lfactl list
  lfactl --simulate list
  lfactl show TF-RMM
  sudo lfactl activate 6c0762a6-12f2-4b56-92cb-ba8f633606d9
  lfactl --root /tmp/lfa-tree --json list";

/// lfactl's arguments.
#[derive(Debug, Parser)]
#[command(name = "lfactl", version, about = ABOUT, long_about = LONG_ABOUT, after_help = EXIT_CODES)]
pub struct Cli {
    /// Use the LFA tree under DIR instead of /sys/firmware/lfa.
    #[arg(long, value_name = "DIR", global = true, conflicts_with = "simulate")]
    pub root: Option<PathBuf>,

    /// Use lfactl's built-in simulated LFA agent instead of the kernel
    /// (works on any machine; state is not kept between runs).
    #[arg(long, global = true)]
    pub simulate: bool,

    /// Print results as JSON on stdout (schema "lfactl/1").
    #[arg(long, global = true)]
    pub json: bool,

    /// Do not ask before activating.
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `on` or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// Write 1.
    On,
    /// Write 0.
    Off,
}

impl OnOff {
    /// As a boolean.
    pub fn is_on(self) -> bool {
        self == Self::On
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every component: UUID, name, flags, versions, settings.
    #[command(after_help = "Examples:\n  lfactl list\n  lfactl --simulate list --json")]
    List,

    /// Show one component, with activation_pending read afresh.
    #[command(
        after_help = "Examples:\n  lfactl show TF-RMM\n  lfactl show 47d4086d-4cfe-9846-9b95-2950cbbd5a00 --json"
    )]
    Show {
        /// The component's UUID or name.
        component: String,
    },

    /// Activate a component's pending image (asks first unless --yes).
    ///
    /// Writes 1 to `/sys/firmware/lfa/<GUID>/activate`: the kernel primes the
    /// image, then activates it, and answers when done; lfactl shows the
    /// elapsed time meanwhile and the versions after. Exits 3 if nothing is
    /// pending, 1 if the kernel or firmware refuses (EBUSY, ECANCELED, ...).
    #[command(
        after_help = "Examples:\n  sudo lfactl activate TF-RMM\n  sudo lfactl activate --yes 6c0762a6-12f2-4b56-92cb-ba8f633606d9\n  lfactl --simulate activate --yes tf-a"
    )]
    Activate {
        /// The component's UUID or name.
        component: String,
    },

    /// Cancel a primed activation (write 1 to cancel).
    ///
    /// Without a component, cancels on every activation-capable component.
    /// On sysfs the kernel answers EINVAL both when nothing is primed and
    /// when it is too late to cancel; lfactl reports that as refused (1).
    /// The simulated agent tells "nothing to cancel" apart (exit 3).
    #[command(after_help = "Examples:\n  sudo lfactl cancel TF-RMM\n  sudo lfactl cancel")]
    Cancel {
        /// The component's UUID or name (default: every capable component).
        component: Option<String>,
    },

    /// Allow (on) or forbid (off) the kernel to activate on a firmware
    /// notification (auto_activate; newer kernels only).
    #[command(
        after_help = "Examples:\n  sudo lfactl auto-activate on TF-RMM\n  sudo lfactl auto-activate off"
    )]
    AutoActivate {
        /// on or off.
        state: OnOff,
        /// The component's UUID or name (default: every component).
        component: Option<String>,
    },

    /// Force (on, the kernel's default) a rendezvous of every CPU even where
    /// a component allows one CPU, or not (off) (force_cpu_rendezvous).
    #[command(
        after_help = "Examples:\n  sudo lfactl force-rendezvous off TF-RMM\n  sudo lfactl force-rendezvous on"
    )]
    ForceRendezvous {
        /// on or off.
        state: OnOff,
        /// The component's UUID or name (default: every component).
        component: Option<String>,
    },

    /// Report components as they are, then every change of
    /// activation_pending, and components appearing or disappearing.
    #[command(
        after_help = "Examples:\n  lfactl watch\n  lfactl watch --interval-ms 200 --count 50 --json"
    )]
    Watch {
        /// Milliseconds between two polls.
        #[arg(long, default_value_t = 1000, value_name = "MS")]
        interval_ms: u64,
        /// Stop after this many polls (0: until interrupted).
        #[arg(long, default_value_t = 0, value_name = "N")]
        count: u64,
    },
}
