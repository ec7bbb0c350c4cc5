// SPDX-License-Identifier: MIT OR Apache-2.0
//! Where lfactl's output goes: stdout, stderr and stdin in the binary,
//! buffers in tests. Write errors (a closed pipe) are ignored, never a panic.

use std::fmt::Display;
use std::io::{self, BufRead, Write};
use std::sync::{Mutex, PoisonError};

/// lfactl's standard streams.
pub struct Console {
    out: Mutex<Box<dyn Write + Send>>,
    err: Mutex<Box<dyn Write + Send>>,
    input: Mutex<Box<dyn BufRead + Send>>,
}

impl Console {
    /// The process's stdout, stderr and stdin.
    #[must_use]
    pub fn standard() -> Self {
        Self::new(
            Box::new(io::stdout()),
            Box::new(io::stderr()),
            Box::new(io::BufReader::new(io::stdin())),
        )
    }

    /// Any three streams (tests capture `out` and `err`).
    #[must_use]
    pub fn new(
        out: Box<dyn Write + Send>,
        err: Box<dyn Write + Send>,
        input: Box<dyn BufRead + Send>,
    ) -> Self {
        Self {
            out: Mutex::new(out),
            err: Mutex::new(err),
            input: Mutex::new(input),
        }
    }

    /// One line on stdout.
    pub fn out(&self, line: impl Display) {
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    /// One line on stderr.
    pub fn err(&self, line: impl Display) {
        let mut err = self.err.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = writeln!(err, "{line}");
        let _ = err.flush();
    }

    /// Text on stderr without a newline (a question).
    pub fn ask(&self, text: impl Display) {
        let mut err = self.err.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = write!(err, "{text}");
        let _ = err.flush();
    }

    /// One line from stdin (empty at end of input).
    ///
    /// # Errors
    ///
    /// The error reading stdin.
    pub fn read_line(&self) -> io::Result<String> {
        let mut line = String::new();
        self.input
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .read_line(&mut line)?;
        Ok(line)
    }
}
