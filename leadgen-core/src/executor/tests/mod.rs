//! Tests of the executor, on the in-memory store.

mod budget;
mod external;
mod runs;
mod scheduling;
mod waterfall;
mod workers;

use std::sync::Arc;
use std::time::Duration;

use crate::executor::testing::{NoopStage, Script, TestStage};
use crate::executor::{Executor, ExecutorConfig, RetryPolicy, StageRegistry};
use crate::model::{Company, Contact, EntityKind, TenantId};
use crate::stage::Stage;
use crate::store::{MemoryStore, TenantStore};

fn store() -> TenantStore {
    TenantStore::new(Arc::new(MemoryStore::new()), TenantId::new("acme").unwrap())
}

fn fast_config() -> ExecutorConfig {
    ExecutorConfig {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(10),
            max_retry_after: Duration::from_secs(5),
        },
        ..ExecutorConfig::default()
    }
}

fn executor(stages: Vec<Arc<dyn Stage>>, config: ExecutorConfig) -> Executor {
    let mut r = StageRegistry::new();
    for s in stages {
        r.register(s).unwrap();
    }
    Executor::new(r, config).unwrap()
}

async fn companies(store: &TenantStore, countries: &[&str]) -> Vec<Company> {
    let list: Vec<Company> = countries
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut co = Company::new(format!("Company {i}"));
            co.country = Some(c.to_string());
            co
        })
        .collect();
    store.upsert_companies(&list).await.unwrap();
    list
}

async fn contacts_at(store: &TenantStore, company: Option<&Company>, n: usize) -> Vec<Contact> {
    let list: Vec<Contact> = (0..n)
        .map(|i| {
            let mut c = Contact::new();
            c.email = Some(format!("p{i}@x.test"));
            c.company_id = company.map(|co| co.id);
            c
        })
        .collect();
    store.upsert_contacts(&list).await.unwrap();
    list
}

fn test_stage(id: &str, kind: EntityKind, script: Script) -> TestStage {
    TestStage::new(id, kind, script)
}

fn noop(id: &str, kind: EntityKind) -> NoopStage {
    NoopStage::new(id, kind)
}
