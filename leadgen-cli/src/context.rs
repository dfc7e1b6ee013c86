//! Options every command shares, and opening the store they name.

use clap::Args;
use leadgen::core::{TenantId, TenantStore};

use crate::exit::{CliError, INPUT, STORE};

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The database: `sqlite://FILE`, a file path, `sqlite::memory:` or `postgres://…`.
    #[arg(
        long,
        global = true,
        env = "LEADGEN_DATABASE_URL",
        default_value = "sqlite://./leadgen.db"
    )]
    pub database_url: String,
    /// The tenant (workspace) to work in.
    #[arg(long, global = true, env = "LEADGEN_TENANT", default_value = "default")]
    pub tenant: String,
    /// Print machine-readable JSON on stdout (and no progress bars).
    #[arg(long, global = true)]
    pub json: bool,
}

impl GlobalArgs {
    /// Opens the store and scopes it to the tenant.
    pub async fn open(&self) -> Result<TenantStore, CliError> {
        let tenant = TenantId::new(&self.tenant)
            .map_err(|e| CliError::new(INPUT, format!("--tenant: {e}")))?;
        let store = leadgen::store::open(&self.database_url)
            .await
            .map_err(|e| CliError::new(STORE, format!("cannot open the database: {e}")))?;
        Ok(TenantStore::new(store, tenant))
    }

    /// Whether progress bars may be drawn.
    pub fn progress_enabled(&self) -> bool {
        use std::io::IsTerminal;
        !self.json && std::io::stderr().is_terminal()
    }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::new(crate::exit::INTERNAL, e.to_string()))?;
    println!("{text}");
    Ok(())
}
