//! `leadgen export`: write stored contacts or companies to a file.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use leadgen::core::EmailStatus;
use leadgen::core::store::{CompanyFilter, ContactFilter};
use leadgen::stages::export::{ExportFormat, ExportOptions, export_companies, export_contacts};

use crate::context::{GlobalArgs, print_json};
use crate::exit::{CliError, INPUT};
use crate::progress::Progress;

/// The formats on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// Comma-separated values.
    Csv,
    /// Excel workbook.
    Xlsx,
    /// JSON Lines.
    Jsonl,
}

impl From<FormatArg> for ExportFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Csv => ExportFormat::Csv,
            FormatArg::Xlsx => ExportFormat::Xlsx,
            FormatArg::Jsonl => ExportFormat::Jsonl,
        }
    }
}

/// What to export.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum EntityArg {
    /// Contacts.
    #[default]
    Contacts,
    /// Companies.
    Companies,
}

/// `leadgen export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The output file.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// The format (default: from the output file's extension).
    #[arg(long)]
    pub format: Option<FormatArg>,
    /// Contacts or companies.
    #[arg(long, value_enum, default_value_t = EntityArg::Contacts)]
    pub entity: EntityArg,
    /// Columns, comma-separated (field names, `attributes.<name>`, `registry_ids.<scheme>`).
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// Only records whose name, email or company contains this text.
    #[arg(long)]
    pub search: Option<String>,
    /// Only records in this country (ISO code).
    #[arg(long)]
    pub country: Option<String>,
    /// Only contacts with this email status (unverified, valid, invalid, risky, unknown).
    #[arg(long)]
    pub email_status: Option<String>,
}

/// The export format: `--format`, else the extension.
pub fn format_of(
    format: Option<FormatArg>,
    output: &std::path::Path,
) -> Result<ExportFormat, CliError> {
    match format {
        Some(f) => Ok(f.into()),
        None => ExportFormat::from_path(output)
            .map_err(|e| CliError::new(INPUT, format!("{}: {e}; pass --format", output.display()))),
    }
}

/// Runs `leadgen export`.
pub async fn run(global: &GlobalArgs, args: ExportArgs) -> Result<(), CliError> {
    let format = format_of(args.format, &args.output)?;
    let email_status = args
        .email_status
        .as_deref()
        .map(|s| {
            EmailStatus::parse(s).ok_or_else(|| {
                CliError::new(
                    INPUT,
                    format!(
                        "--email-status {s:?}: use unverified, valid, invalid, risky or unknown"
                    ),
                )
            })
        })
        .transpose()?;
    let store = global.open().await?;
    let mut options = ExportOptions::new(format);
    options.columns = args.columns.clone();
    options.contact_filter = ContactFilter {
        search: args.search.clone(),
        country: args.country.clone(),
        email_status,
        ..ContactFilter::default()
    };
    options.company_filter = CompanyFilter {
        name_contains: args.search.clone(),
        country: args.country.clone(),
        ..CompanyFilter::default()
    };
    let progress = Progress::spinner(
        global.progress_enabled(),
        format!("writing {}", args.output.display()),
    );
    let summary = match args.entity {
        EntityArg::Contacts => export_contacts(&store, &args.output, &options).await,
        EntityArg::Companies => export_companies(&store, &args.output, &options).await,
    };
    progress.finish();
    let summary = summary?;
    if global.json {
        print_json(&summary)?;
    } else {
        eprintln!(
            "{}: {} rows, {} columns ({})",
            summary.path,
            summary.rows,
            summary.columns.len(),
            summary.format.as_str()
        );
    }
    Ok(())
}
