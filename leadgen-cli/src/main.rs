//! The `leadgen` command-line program.

mod commands;

fn main() {
    let arg = std::env::args().nth(1);
    match arg.as_deref() {
        Some("--version") | Some("-V") | Some("version") => {
            println!("leadgen {}", leadgen::VERSION)
        }
        Some("emails") => commands::emails::main_from_env().exit_process(),
        _ => {
            eprintln!(
                "leadgen {}: no commands yet (see README.md)",
                leadgen::VERSION
            );
            std::process::exit(2);
        }
    }
}
