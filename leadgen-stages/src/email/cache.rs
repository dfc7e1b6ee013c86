//! The verification cache: results kept in the store (namespace
//! `email_verification`) with their check time; a result younger than the TTL
//! (default 90 days) is reused without any lookup.
//!
//! Only conclusive results (valid, invalid, risky) from the MX depth or deeper are
//! kept: syntax checks cost nothing, and an `unknown` (greylisting, timeouts) should
//! be retried, not remembered.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadgen_core::TenantStore;
use leadgen_core::store::CacheEntry;

use super::error::EmailError;
use super::result::{Depth, EmailVerification, Reason, VerificationStatus};

/// The store namespace of verification results.
pub const NAMESPACE: &str = "email_verification";
/// How long a result is reused by default.
pub const DEFAULT_TTL_DAYS: i64 = 90;

/// Where cached results live: the store's cache, seen through one tenant. A small
/// trait so that the cache logic does not depend on a whole store.
#[async_trait]
pub trait CacheBackend: Send + Sync + Debug {
    /// The entries stored under `keys` (missing keys left out).
    async fn get(&self, namespace: &str, keys: &[String]) -> leadgen_core::Result<Vec<CacheEntry>>;
    /// Stores entries, replacing earlier ones with the same key.
    async fn put(&self, namespace: &str, entries: &[CacheEntry]) -> leadgen_core::Result<()>;
}

#[async_trait]
impl CacheBackend for TenantStore {
    async fn get(&self, namespace: &str, keys: &[String]) -> leadgen_core::Result<Vec<CacheEntry>> {
        self.cache_get(namespace, keys).await
    }

    async fn put(&self, namespace: &str, entries: &[CacheEntry]) -> leadgen_core::Result<()> {
        self.cache_put(namespace, entries).await
    }
}

/// The cache key of an address: its normalized form, lower-cased.
pub fn cache_key(normalized: &str) -> String {
    normalized.to_lowercase()
}

/// Verification results in the store, with a TTL.
#[derive(Debug, Clone)]
pub struct VerificationCache {
    backend: Arc<dyn CacheBackend>,
    ttl: chrono::Duration,
}

impl VerificationCache {
    /// A cache over `backend` with the default TTL (90 days).
    pub fn new(backend: Arc<dyn CacheBackend>) -> Self {
        VerificationCache {
            backend,
            ttl: chrono::Duration::days(DEFAULT_TTL_DAYS),
        }
    }

    /// A cache in a tenant's store.
    pub fn for_store(store: TenantStore) -> Self {
        VerificationCache::new(Arc::new(store))
    }

    /// With this TTL.
    pub fn with_ttl(mut self, ttl: chrono::Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The TTL in force.
    pub fn ttl(&self) -> chrono::Duration {
        self.ttl
    }

    /// Fresh results for `keys` at `depth` or deeper, by key. Entries that do not
    /// parse (an older format) are ignored.
    pub async fn get_fresh(
        &self,
        keys: &[String],
        depth: Depth,
        now: DateTime<Utc>,
    ) -> Result<HashMap<String, EmailVerification>, EmailError> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let entries = self
            .backend
            .get(NAMESPACE, keys)
            .await
            .map_err(EmailError::Cache)?;
        Ok(entries
            .into_iter()
            .filter(|e| now - e.stored_at < self.ttl)
            .filter_map(|e| {
                let v: EmailVerification = serde_json::from_value(e.value).ok()?;
                (v.depth >= depth && now - v.checked_at < self.ttl).then_some((e.key, v))
            })
            .collect())
    }

    /// Stores the results worth keeping (see the module docs); returns how many.
    pub async fn put(
        &self,
        results: &[(String, &EmailVerification)],
        now: DateTime<Utc>,
    ) -> Result<usize, EmailError> {
        let entries: Vec<CacheEntry> = results
            .iter()
            .filter(|(_, v)| is_cacheable(v))
            .filter_map(|(key, v)| {
                Some(CacheEntry {
                    key: key.clone(),
                    value: serde_json::to_value(v).ok()?,
                    stored_at: now,
                })
            })
            .collect();
        if entries.is_empty() {
            return Ok(0);
        }
        self.backend
            .put(NAMESPACE, &entries)
            .await
            .map_err(EmailError::Cache)?;
        Ok(entries.len())
    }
}

/// Whether a result is conclusive enough to reuse.
pub fn is_cacheable(v: &EmailVerification) -> bool {
    v.depth >= Depth::Mx
        && v.status != VerificationStatus::Unknown
        && !v.has(Reason::Cached)
        && v.normalized.is_some()
}
