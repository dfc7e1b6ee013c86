//! One file per command. A new command is a new file here plus one line in
//! `main.rs`'s `Command` enum.

pub mod clean;
pub mod companies;
pub mod contacts;
pub mod dedup;
pub mod emails;
pub mod export;
pub mod import;
pub mod plan;
pub mod run;
pub mod runs;
pub mod work;
