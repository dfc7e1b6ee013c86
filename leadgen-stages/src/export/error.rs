//! Errors of the export family.

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The file could not be written.
    #[error("{path}: cannot write: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The XLSX writer failed.
    #[error("{path}: cannot write the workbook: {reason}")]
    Xlsx {
        /// The file.
        path: String,
        /// What the writer said.
        reason: String,
    },
    /// An unknown format was asked for.
    #[error("unknown export format {format:?} (use csv, xlsx or jsonl)")]
    UnknownFormat {
        /// The format given.
        format: String,
    },
    /// An unknown column was asked for.
    #[error("unknown column {column:?}; columns: {known}, attributes.<name>")]
    UnknownColumn {
        /// The column given.
        column: String,
        /// The known columns.
        known: String,
    },
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] leadgen_core::Error),
}

impl From<ExportError> for leadgen_core::Error {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Store(inner) => inner,
            ExportError::Io { path, source } => leadgen_core::Error::Io { path, source },
            other => leadgen_core::Error::invalid("export", other.to_string()),
        }
    }
}
