//! Exit codes and the one error type commands return.

use leadgen::stages::export::ExportError;
use leadgen::stages::import::ImportError;

/// Unexpected internal error.
pub const INTERNAL: i32 = 1;
/// Bad input file or option.
pub const INPUT: i32 = 3;
/// The store failed.
pub const STORE: i32 = 4;
/// The output file could not be written.
pub const OUTPUT: i32 = 5;
/// A record asked for does not exist.
pub const NOT_FOUND: i32 = 6;

/// A command's failure: the exit code and one clear message.
#[derive(Debug)]
pub struct CliError {
    /// The process exit code.
    pub code: i32,
    /// The message printed on stderr.
    pub message: String,
    /// Whether the message was already printed (per-file failures of `import`).
    pub already_reported: bool,
}

impl CliError {
    /// An error with a code and message.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        CliError {
            code,
            message: message.into(),
            already_reported: false,
        }
    }
}

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        let code = if e.is_input_error() { INPUT } else { STORE };
        CliError::new(code, e.to_string())
    }
}

impl From<ExportError> for CliError {
    fn from(e: ExportError) -> Self {
        let code = match &e {
            ExportError::Store(_) => STORE,
            ExportError::UnknownFormat { .. } | ExportError::UnknownColumn { .. } => INPUT,
            _ => OUTPUT,
        };
        CliError::new(code, e.to_string())
    }
}

impl From<leadgen::Error> for CliError {
    fn from(e: leadgen::Error) -> Self {
        let code = match e.kind() {
            leadgen::ErrorKind::InvalidInput => INPUT,
            leadgen::ErrorKind::NotFound => NOT_FOUND,
            _ => STORE,
        };
        CliError::new(code, e.to_string())
    }
}
