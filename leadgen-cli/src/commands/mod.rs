//! Subcommands of the `leadgen` program.

pub mod emails;
