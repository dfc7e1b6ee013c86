//! `leadgen contacts list|show`.

use clap::Subcommand;
use leadgen::core::ContactId;
use leadgen::core::store::{ContactFilter, PageRequest};

use crate::context::{GlobalArgs, print_json};
use crate::exit::{CliError, INPUT, NOT_FOUND};

/// `leadgen contacts`.
#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// List contacts, newest last.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Only contacts whose name, email or company contains this text.
        #[arg(long)]
        search: Option<String>,
        /// Only contacts in this country (ISO code).
        #[arg(long)]
        country: Option<String>,
    },
    /// Show one contact, all fields.
    Show {
        /// The contact's id.
        id: String,
    },
}

/// Runs `leadgen contacts …`.
pub async fn run(global: &GlobalArgs, cmd: ContactsCommand) -> Result<(), CliError> {
    match cmd {
        ContactsCommand::List {
            limit,
            search,
            country,
        } => {
            let store = global.open().await?;
            let filter = ContactFilter {
                search,
                country,
                ..ContactFilter::default()
            };
            let total = store.count_contacts(&filter).await?;
            let page = store
                .list_contacts(&filter, &PageRequest::first(limit.max(1)))
                .await?;
            if global.json {
                return print_json(&serde_json::json!({ "total": total, "items": page.items }));
            }
            for c in &page.items {
                println!(
                    "{}  {:<28} {:<34} {:<28} {}",
                    c.id,
                    truncate(&c.display_name().unwrap_or_default(), 28),
                    truncate(c.email.as_deref().unwrap_or(""), 34),
                    truncate(c.company_name.as_deref().unwrap_or(""), 28),
                    c.title.as_deref().unwrap_or("")
                );
            }
            eprintln!("{} of {total} contacts", page.items.len());
            Ok(())
        }
        ContactsCommand::Show { id } => {
            let id = ContactId::parse(&id).map_err(|e| CliError::new(INPUT, e.to_string()))?;
            let store = global.open().await?;
            match store.get_contact(id).await? {
                Some(c) => print_json(&c),
                None => Err(CliError::new(NOT_FOUND, format!("contact {id} not found"))),
            }
        }
    }
}

/// Cuts text to `n` characters for table output.
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}
