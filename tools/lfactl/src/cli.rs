// SPDX-License-Identifier: MIT OR Apache-2.0
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
at every run; nothing is kept between runs.

On the kernel's tree, every write of activate or cancel is made under an
exclusive lock (/run/lfactl/lock, flock): a second lfactl refuses while one
writes, so lfactl never cancels another operator's activation in flight
(writes by other tools, such as a shell's echo, it cannot see). lfactl also
records, for the current boot only, each component whose activate it wrote
and whose cancel it has not seen accepted since (/run/lfactl/record.json):
firmware such as TF-A keeps a completed activation, or a failed PRIME, until
that component's cancel is written, and until then refuses to activate
another component. `activate --release-previous` writes those cancels
first; `activate --recover` writes the component's own cancel first.

After each write lfactl shows the kernel driver's own `Arm LFA:` lines for
it, read from /dev/kmsg (root; only records logged after the write began,
without blocking, at most 1024 records or 0.5 s), or says in one line why
they could not be read.";

const EXIT_CODES: &str = "\
Exit codes:
  0  done (for cancel: the kernel accepted the write; the message says
     what lfactl knows it released)
  1  refused or failed by the firmware or the kernel (EBUSY: another
     activation runs; ECANCELED: the activation was not completed;
     EINVAL/ENODEV; a firmware status from the simulated agent; not
     activation capable; another lfactl is writing activate or cancel)
  2  usage error: bad arguments, or no component (or several) matches
  3  nothing to do: nothing pending, nothing to cancel (the firmware holds
     nothing for the component), no components
  4  system error: no LFA tree (no driver or no agent), a missing or
     unparsable file, permission denied (run as root), other I/O errors
  5  activation not confirmed by the operator
  6  not supported by this kernel (auto-activate on a driver without the
     auto_activate file)

With --json, every run prints exactly one JSON object on stdout
(\"schema\": \"lfactl/1\"; watch prints one object per line): the result, or
on failure {\"schema\": \"lfactl/1\", \"error\": {\"kind\", \"exit_code\",
\"message\"}, \"recovery\": [...], ...} with the command's details (the kernel
log lines, per-component results). Messages and progress go to stderr.

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

    /// lfactl's lock and record of this boot's activations (default
    /// /run/lfactl).
    #[arg(long, value_name = "DIR", global = true)]
    pub state_dir: Option<PathBuf>,

    /// Where to read the kernel's log records (default /dev/kmsg; any file
    /// in its format).
    #[arg(long, value_name = "PATH", global = true)]
    pub kmsg: Option<PathBuf>,

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
    /// elapsed time meanwhile, the kernel's `Arm LFA:` log lines, and the
    /// versions after. Exits 3 if nothing is pending, 1 if the kernel or
    /// firmware refuses (EBUSY, ECANCELED, ...).
    ///
    /// ECANCELED means only that the activation was not completed: the
    /// kernel does not say whether anything was cancelled (the January 2026
    /// driver sends no LFA_CANCEL after a failed PRIME), and a cancel may be
    /// needed before a retry or before another component can be activated.
    ///
    /// A second activation in one boot: TF-A keeps the component it last
    /// activated until that component's cancel is written, and refuses to
    /// activate another (ECANCELED). --release-previous first writes cancel
    /// for each other component lfactl's record of this boot lists
    /// (activated, or a failed attempt, and no cancel accepted since), or for
    /// --previous COMPONENT; a cancel the firmware answers with
    /// LFA_INVALID_PARAMETERS
    /// (it holds nothing) is harmless and lfactl goes on; any other refusal
    /// stops it before the activate write. --recover first writes the
    /// component's own cancel (a retry after ECANCELED). Both happen under
    /// lfactl's lock, so never while another lfactl writes.
    #[command(
        after_help = "Examples:\n  sudo lfactl activate TF-RMM\n  sudo lfactl activate --yes 6c0762a6-12f2-4b56-92cb-ba8f633606d9\n  sudo lfactl activate --release-previous BL33\n  sudo lfactl activate --release-previous --previous TF-RMM BL33\n  sudo lfactl activate --recover TF-RMM\n  lfactl --simulate activate --yes tf-a"
    )]
    Activate {
        /// The component's UUID or name.
        component: String,
        /// First write cancel for the components lfactl activated (or tried
        /// to) earlier in this boot and has not seen cancelled since.
        #[arg(long)]
        release_previous: bool,
        /// With --release-previous: the component to release, instead of
        /// lfactl's record (when it was activated by another tool).
        #[arg(long, value_name = "COMPONENT", requires = "release_previous")]
        previous: Option<String>,
        /// First write this component's own cancel (a retry after ECANCELED).
        #[arg(long)]
        recover: bool,
    },

    /// Write 1 to cancel, and say what the kernel's answer means.
    ///
    /// Without a component, writes it for every activation-capable
    /// component. The kernel accepts a cancel whenever the firmware holds the
    /// component, also after its activation completed (TF-A keeps it until
    /// then): lfactl says what its record of this boot knows ("nothing was
    /// stopped" after a completed activation) and exits 0. The kernel answers
    /// EINVAL both when the firmware holds nothing and when it is too late;
    /// the kernel log tells them apart (LFA_INVALID_PARAMETERS: exit 3;
    /// LFA_BUSY: exit 1); without a readable log it is exit 1. Never while
    /// another lfactl writes activate or cancel (exit 1).
    #[command(after_help = "Examples:\n  sudo lfactl cancel TF-RMM\n  sudo lfactl cancel")]
    Cancel {
        /// The component's UUID or name (default: every capable component).
        component: Option<String>,
    },

    /// Allow (on) or forbid (off) the kernel to activate on a firmware
    /// notification (auto_activate; newer kernels only: on a driver without
    /// the file, exit 6 and nothing is written).
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
