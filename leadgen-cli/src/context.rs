//! Options every command shares, and opening the store they name.

use std::sync::{Arc, Mutex};

use clap::Args;
use leadgen::core::{Store, TenantId, TenantStore};

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
        OPENED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Arc::clone(&store));
        Ok(TenantStore::new(store, tenant))
    }

    /// Whether progress bars may be drawn.
    pub fn progress_enabled(&self) -> bool {
        use std::io::IsTerminal;
        !self.json && std::io::stderr().is_terminal()
    }
}

/// The stores this run opened, closed by [`close_opened`] before the process exits.
static OPENED: Mutex<Vec<Arc<dyn Store>>> = Mutex::new(Vec::new());

/// Closes every store this run opened. Closing waits for work a store left to the
/// background: after a bulk import, the SQLite checkpoint that copies the write-ahead
/// log into the database file. Without it the process would exit with the rows only
/// in `leadgen.db-wal` (safe, but a database file that is not whole on its own).
pub async fn close_opened() {
    let stores = std::mem::take(
        &mut *OPENED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    for store in stores {
        store.close().await;
    }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::new(crate::exit::INTERNAL, e.to_string()))?;
    println!("{text}");
    Ok(())
}
