//! The `leadgen` command-line program.

mod commands;

use std::process::ExitCode;

fn main() -> ExitCode {
    let arg = std::env::args().nth(1);
    match arg.as_deref() {
        Some("--version") | Some("-V") | Some("version") => {
            println!("leadgen {}", leadgen::VERSION);
            ExitCode::SUCCESS
        }
        Some("emails") => commands::emails::main_from_env(),
        _ => {
            eprintln!(
                "leadgen {}: no commands yet (see README.md)",
                leadgen::VERSION
            );
            ExitCode::from(2)
        }
    }
}
