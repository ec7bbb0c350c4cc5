// SPDX-License-Identifier: MIT OR Apache-2.0
//! `lfactl`: see the library's documentation and `lfactl --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let console = lfactl::Console::standard();
    ExitCode::from(lfactl::run(
        std::env::args_os(),
        &lfactl::System::real(&console),
    ))
}
