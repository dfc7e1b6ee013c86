//! `leadgen companies list|show`.

use clap::Subcommand;
use leadgen::core::CompanyId;
use leadgen::core::store::{CompanyFilter, PageRequest};

use super::contacts::truncate;
use crate::context::{GlobalArgs, print_json};
use crate::exit::{CliError, INPUT, NOT_FOUND};

/// `leadgen companies`.
#[derive(Debug, Subcommand)]
pub enum CompaniesCommand {
    /// List companies.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Only companies whose name contains this text.
        #[arg(long)]
        name: Option<String>,
        /// Only companies with this domain.
        #[arg(long)]
        domain: Option<String>,
        /// Only companies in this country (ISO code).
        #[arg(long)]
        country: Option<String>,
    },
    /// Show one company, all fields.
    Show {
        /// The company's id.
        id: String,
    },
}

/// Runs `leadgen companies …`.
pub async fn run(global: &GlobalArgs, cmd: CompaniesCommand) -> Result<(), CliError> {
    match cmd {
        CompaniesCommand::List {
            limit,
            name,
            domain,
            country,
        } => {
            let store = global.open().await?;
            let filter = CompanyFilter {
                name_contains: name,
                domains: domain.into_iter().collect(),
                country,
                ..CompanyFilter::default()
            };
            let total = store.count_companies(&filter).await?;
            let page = store
                .list_companies(&filter, &PageRequest::first(limit.max(1)))
                .await?;
            if global.json {
                return print_json(&serde_json::json!({ "total": total, "items": page.items }));
            }
            for c in &page.items {
                println!(
                    "{}  {:<34} {:<24} {:<3} {}",
                    c.id,
                    truncate(&c.name, 34),
                    truncate(c.domain.as_deref().unwrap_or(""), 24),
                    c.country.as_deref().unwrap_or(""),
                    c.industry.as_deref().unwrap_or("")
                );
            }
            eprintln!("{} of {total} companies", page.items.len());
            Ok(())
        }
        CompaniesCommand::Show { id } => {
            let id = CompanyId::parse(&id).map_err(|e| CliError::new(INPUT, e.to_string()))?;
            let store = global.open().await?;
            match store.get_company(id).await? {
                Some(c) => print_json(&c),
                None => Err(CliError::new(NOT_FOUND, format!("company {id} not found"))),
            }
        }
    }
}
