//! File export: CSV, XLSX (bold frozen header, autofilter, sensible widths) and JSON
//! Lines, with a choice of columns and the store's filters.
//!
//! Column names are leadgen's field names (`first_name`, `email`, `company_name`, …),
//! extra attributes are `attributes.<name>` and registry ids `registry_ids.<scheme>`,
//! so an exported file imports back into the same records (the `leadgen` preset).
//!
//! ```no_run
//! # async fn demo(store: leadgen_core::TenantStore) -> Result<(), leadgen_stages::export::ExportError> {
//! use leadgen_stages::export::{export_contacts, ExportOptions};
//! let summary = export_contacts(&store, "leads.xlsx".as_ref(), &ExportOptions::for_path("leads.xlsx".as_ref())?).await?;
//! println!("{} rows", summary.rows);
//! # Ok(()) }
//! ```

mod columns;
mod error;
mod writers;

use std::collections::HashMap;
use std::path::Path;

use leadgen_core::store::{CompanyFilter, ContactFilter};
use leadgen_core::{Company, CompanyId, Contact, ContactId, TenantStore};
use serde::{Deserialize, Serialize};

pub use columns::{COMPANY_COLUMNS, CONTACT_COLUMNS, company_value, contact_value};
pub use error::ExportError;

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExportFormat {
    /// Comma-separated values, UTF-8.
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// One JSON object per line.
    Jsonl,
}

impl ExportFormat {
    /// Parses `csv`, `xlsx` or `jsonl` (also `json`, `ndjson`).
    ///
    /// ```
    /// use leadgen_stages::export::ExportFormat;
    /// assert_eq!(ExportFormat::parse("XLSX").unwrap(), ExportFormat::Xlsx);
    /// assert!(ExportFormat::parse("pdf").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self, ExportError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            "jsonl" | "ndjson" | "json" => Ok(ExportFormat::Jsonl),
            other => Err(ExportError::UnknownFormat {
                format: other.into(),
            }),
        }
    }

    /// The format a file name's extension names.
    pub fn from_path(path: &Path) -> Result<Self, ExportError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        Self::parse(ext)
    }

    /// The format's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Jsonl => "jsonl",
        }
    }
}

/// What to export and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// The format.
    pub format: ExportFormat,
    /// Columns, in order; `None`: the standard columns plus every attribute present.
    pub columns: Option<Vec<String>>,
    /// Which contacts (for contact exports).
    pub contact_filter: ContactFilter,
    /// Which companies (for company exports).
    pub company_filter: CompanyFilter,
    /// Only these contacts (e.g. the ones one import touched), in this order.
    pub contact_ids: Option<Vec<ContactId>>,
}

impl ExportOptions {
    /// Options for a format, every record, the standard columns.
    pub fn new(format: ExportFormat) -> Self {
        ExportOptions {
            format,
            columns: None,
            contact_filter: ContactFilter::default(),
            company_filter: CompanyFilter::default(),
            contact_ids: None,
        }
    }

    /// Options with the format taken from the file's extension.
    pub fn for_path(path: &Path) -> Result<Self, ExportError> {
        Ok(Self::new(ExportFormat::from_path(path)?))
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// The file written.
    pub path: String,
    /// The format.
    pub format: ExportFormat,
    /// Rows written (without the header).
    pub rows: usize,
    /// The columns written.
    pub columns: Vec<String>,
}

/// Writes contacts to a file. `companies` supplies `company_domain` and
/// `company_website` of linked companies.
pub fn write_contacts(
    path: &Path,
    contacts: &[Contact],
    companies: &HashMap<CompanyId, Company>,
    options: &ExportOptions,
) -> Result<ExportSummary, ExportError> {
    let columns = match &options.columns {
        Some(c) => columns::check_contact_columns(c)?,
        None => columns::default_contact_columns(contacts),
    };
    let rows = contacts.iter().map(|c| {
        let company = c.company_id.and_then(|id| companies.get(&id));
        columns
            .iter()
            .map(|col| contact_value(c, company, col))
            .collect::<Vec<_>>()
    });
    writers::write(
        path,
        options.format,
        "Contacts",
        &columns,
        rows,
        contacts.len(),
    )?;
    Ok(ExportSummary {
        path: path.display().to_string(),
        format: options.format,
        rows: contacts.len(),
        columns,
    })
}

/// Writes companies to a file.
pub fn write_companies(
    path: &Path,
    companies: &[Company],
    options: &ExportOptions,
) -> Result<ExportSummary, ExportError> {
    let columns = match &options.columns {
        Some(c) => columns::check_company_columns(c)?,
        None => columns::default_company_columns(companies),
    };
    let rows = companies.iter().map(|c| {
        columns
            .iter()
            .map(|col| company_value(c, col))
            .collect::<Vec<_>>()
    });
    writers::write(
        path,
        options.format,
        "Companies",
        &columns,
        rows,
        companies.len(),
    )?;
    Ok(ExportSummary {
        path: path.display().to_string(),
        format: options.format,
        rows: companies.len(),
        columns,
    })
}

/// Exports the store's contacts matching the options.
pub async fn export_contacts(
    store: &TenantStore,
    path: &Path,
    options: &ExportOptions,
) -> Result<ExportSummary, ExportError> {
    let contacts = match &options.contact_ids {
        Some(ids) => {
            let mut out = Vec::with_capacity(ids.len());
            let mut seen = std::collections::HashSet::new();
            for id in ids {
                if seen.insert(*id)
                    && let Some(c) = store.get_contact(*id).await?
                {
                    out.push(c);
                }
            }
            out
        }
        None => store.all_contacts(&options.contact_filter).await?,
    };
    let companies: HashMap<CompanyId, Company> = if contacts.iter().any(|c| c.company_id.is_some())
    {
        store
            .all_companies(&CompanyFilter::default())
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    } else {
        HashMap::new()
    };
    write_contacts(path, &contacts, &companies, options)
}

/// Exports the store's companies matching the options.
pub async fn export_companies(
    store: &TenantStore,
    path: &Path,
    options: &ExportOptions,
) -> Result<ExportSummary, ExportError> {
    let companies = store.all_companies(&options.company_filter).await?;
    write_companies(path, &companies, options)
}
