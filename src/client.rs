//! [`Leadgen`]: the handle a program opens once and asks for tenants.

use std::sync::Arc;

use leadgen_core::store::{Store, TenantStore};
use leadgen_core::{Result, TenantId};

/// An open leadgen database: the entry point of the library.
///
/// Open it with a URL — `sqlite://leads.db`, `sqlite::memory:`, a file path, or
/// `postgres://…` (feature `postgres`) — then work through [`Leadgen::tenant`], which
/// scopes every call to one tenant.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use leadgen::prelude::*;
///
/// let lg = Leadgen::open("sqlite::memory:").await?;
/// let acme = lg.tenant("acme")?;
/// let mut jana = Contact::new();
/// jana.email = Some("jana@lumentis.cz".into());
/// acme.upsert_contact(&jana).await?;
/// assert_eq!(acme.get_contact(jana.id).await?.unwrap().email, jana.email);
/// assert!(lg.tenant("globex")?.get_contact(jana.id).await?.is_none());
/// # Ok::<(), leadgen::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Leadgen {
    store: Arc<dyn Store>,
}

impl Leadgen {
    /// Opens (and migrates) the store at `url`.
    pub async fn open(url: &str) -> Result<Self> {
        Ok(Leadgen {
            store: leadgen_store::open(url).await?,
        })
    }

    /// Wraps a store opened elsewhere (a custom backend, a `MemoryStore` in tests).
    pub fn from_store(store: Arc<dyn Store>) -> Self {
        Leadgen { store }
    }

    /// A handle scoped to `tenant` (validated: see [`TenantId::new`]).
    pub fn tenant(&self, tenant: &str) -> Result<TenantStore> {
        Ok(TenantStore::new(self.store.clone(), TenantId::new(tenant)?))
    }

    /// The underlying store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The backend's name (`sqlite`, `postgres`).
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// Closes the store; later calls fail with a `Connection` error.
    pub async fn close(&self) {
        self.store.close().await
    }
}
