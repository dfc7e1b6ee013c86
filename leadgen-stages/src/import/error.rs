//! Errors of the import family: file-level failures ([`ImportError`]) and row-level
//! problems ([`RowError`]) that are reported while the good rows go on.

use serde::{Deserialize, Serialize};

/// Why an import could not run at all. Nothing is written when one of these is
/// returned before the write phase; a store failure during the write marks the
/// import run as failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file has no bytes.
    #[error("{file}: the file is empty (0 bytes)")]
    EmptyFile {
        /// The file.
        file: String,
    },
    /// The file is not text in any encoding leadgen reads (binary data).
    #[error("{file}: not a text file ({reason})")]
    NotText {
        /// The file.
        file: String,
        /// What gave it away.
        reason: String,
    },
    /// No header row with column names was found.
    #[error("{file}: no header row found ({reason})")]
    NoHeader {
        /// The file.
        file: String,
        /// Details.
        reason: String,
    },
    /// The file has a header but not a single data row.
    #[error("{file}: only a header (line {header_line}), no data rows")]
    HeaderOnly {
        /// The file.
        file: String,
        /// Line (CSV) or worksheet row (spreadsheets) of the header.
        header_line: u64,
    },
    /// A physical line is longer than the configured limit (a runaway or binary file).
    #[error("{file}: line {line} is longer than the limit of {limit} bytes")]
    LineTooLong {
        /// The file.
        file: String,
        /// 1-based physical line.
        line: u64,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The file is bigger than the configured limit.
    #[error("{file}: {size} bytes, more than the limit of {limit} bytes")]
    FileTooLarge {
        /// The file.
        file: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The workbook could not be parsed.
    #[error("{file}: cannot read the workbook: {reason}")]
    Spreadsheet {
        /// The file.
        file: String,
        /// What the reader said.
        reason: String,
    },
    /// The requested sheet does not exist.
    #[error("{file}: no sheet {sheet} (sheets: {available})")]
    SheetNotFound {
        /// The file.
        file: String,
        /// The sheet asked for (name or index).
        sheet: String,
        /// The sheets the workbook has, comma-separated.
        available: String,
    },
    /// No sheet looks like a contact or company table.
    #[error("{file}: no sheet looks like a contact or company table (sheets: {available})")]
    NoTableSheet {
        /// The file.
        file: String,
        /// The sheets the workbook has.
        available: String,
    },
    /// An unknown preset name was given.
    #[error("unknown preset {name:?}; known presets: {known}")]
    UnknownPreset {
        /// The name given.
        name: String,
        /// The known preset names, comma-separated.
        known: String,
    },
    /// A preset was forced on a file whose headers do not fit it.
    #[error("{file}: the headers do not match preset {preset} (missing: {missing})")]
    PresetMismatch {
        /// The file.
        file: String,
        /// The preset.
        preset: String,
        /// Headers the preset expects but the file lacks.
        missing: String,
    },
    /// A mapping override file or value is invalid.
    #[error("mapping {origin}: {reason}")]
    Mapping {
        /// Where the mapping came from (a file path, `api`).
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// No column could be mapped to a contact or company field.
    #[error("{file}: no column maps to a contact or company field (headers: {headers})")]
    NothingMapped {
        /// The file.
        file: String,
        /// The headers found.
        headers: String,
    },
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] leadgen_core::Error),
}

impl ImportError {
    /// Whether the problem is in the input (the file, the options) rather than in
    /// the store: the CLI maps the two to different exit codes.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, ImportError::Store(_))
    }
}

impl From<ImportError> for leadgen_core::Error {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Store(inner) => inner,
            ImportError::Io { file, source } => leadgen_core::Error::Io { path: file, source },
            other => leadgen_core::Error::invalid("import", other.to_string()),
        }
    }
}

/// The kind of a row-level problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RowErrorKind {
    /// More fields than the header has columns.
    TooManyFields,
    /// Fewer fields than the header has columns.
    TooFewFields,
    /// A quote was opened and never closed: the field runs to the end of the file.
    UnterminatedQuote,
    /// A field is longer than the configured limit.
    FieldTooLong,
    /// The row holds no contact or company field.
    NoUsableFields,
    /// The row is not valid JSON (JSON Lines input).
    InvalidJson,
    /// The row could not be read as text.
    Unreadable,
}

impl RowErrorKind {
    /// The snake_case code (`too_many_fields`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            RowErrorKind::TooManyFields => "too_many_fields",
            RowErrorKind::TooFewFields => "too_few_fields",
            RowErrorKind::UnterminatedQuote => "unterminated_quote",
            RowErrorKind::FieldTooLong => "field_too_long",
            RowErrorKind::NoUsableFields => "no_usable_fields",
            RowErrorKind::InvalidJson => "invalid_json",
            RowErrorKind::Unreadable => "unreadable",
        }
    }
}

/// One row that was reported and kept out of the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The file.
    pub file: String,
    /// 1-based physical line (CSV, by its first line) or worksheet row (spreadsheets).
    pub line: u64,
    /// The column concerned, by header name, when one is.
    pub column: Option<String>,
    /// What kind of problem.
    pub kind: RowErrorKind,
    /// A human-readable reason ("12 fields, header has 11").
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(c) = &self.column {
            write!(f, " [{c}]")?;
        }
        write!(f, ": {} ({})", self.reason, self.kind.as_str())
    }
}
