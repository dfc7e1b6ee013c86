//! File import: CSV (any common encoding and delimiter), XLSX/XLS/ODS and JSON Lines,
//! with export presets (LinkedIn, Sales Navigator, Apollo, HubSpot, Google Contacts),
//! automatic column mapping, row-level errors and an idempotent write into a store.
//!
//! The pipeline, one module per step:
//!
//! 1. [`decode`]: bytes → text (UTF-8 ± BOM, UTF-16 with BOM, Windows-1250/1252/Latin-1).
//! 2. [`sniff`]: delimiter and the header line below any preamble.
//! 3. [`csv_reader`] / [`spreadsheet`] / [`jsonl`]: text or workbook → a [`Table`] of
//!    well-formed rows plus [`RowError`]s for malformed ones.
//! 4. [`presets`] + [`mapping`]: headers (and content) → [`Field`]s with a confidence.
//! 5. [`draft`]: each row → contact and/or company drafts, or a row error.
//! 6. [`job`]: drafts → the store (bulk upsert, exact-key duplicates skipped) and an
//!    import run record; [`job::preview_file`] does the same without writing.
//!
//! ```no_run
//! # async fn demo(store: leadgen_core::TenantStore) -> Result<(), leadgen_stages::import::ImportError> {
//! use leadgen_stages::import::{import_file, ImportOptions};
//! let report = import_file(&store, "contacts.csv".as_ref(), &ImportOptions::default()).await?;
//! println!("{} imported, {} errors", report.imported, report.errors.len());
//! # Ok(()) }
//! ```

pub mod country;
pub mod csv_reader;
pub mod decode;
pub mod draft;
mod error;
pub mod job;
pub mod jsonl;
pub mod keys;
pub mod mapping;
mod matching;
pub mod presets;
mod rows;
pub mod sniff;
pub mod spreadsheet;
mod table;

pub use draft::{RowDraft, build_drafts};
pub use error::{ImportError, RowError, RowErrorKind};
pub use job::{
    ImportOptions, ImportPreview, ImportProgress, ImportReport, ParsedFile, ProgressFn, RowOutcome,
    import_file, parse_file, preview_file, read_table,
};
pub use mapping::{ColumnMapping, Field, MappedColumn, MappingOverride, MatchMethod};
pub use matching::RowStatus;
pub use presets::Preset;
pub use spreadsheet::SheetSelector;
pub use table::{ReadLimits, Row, RowTooLarge, Rows, SourceFormat, Table};
