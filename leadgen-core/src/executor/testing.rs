//! Stages for tests and benchmarks: a no-op stage, and a scriptable stage that
//! fails, panics, sleeps, costs, gates, updates its entity or goes external on
//! request, counting its calls.
//!
//! They are public so that users can test their own pipelines and backends against
//! the executor without writing stages first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::model::{Credits, Entity, EntityKind, EntityRef};
use crate::stage::{Dependency, ExecutionMode, Gate, Stage, StageContext, StageOutcome};

/// A stage that does nothing and completes at once, free.
#[derive(Debug, Clone)]
pub struct NoopStage {
    id: String,
    kind: EntityKind,
    deps: Vec<Dependency>,
}

impl NoopStage {
    /// A no-op stage for `kind` entities.
    pub fn new(id: impl Into<String>, kind: EntityKind) -> Self {
        NoopStage {
            id: id.into(),
            kind,
            deps: Vec::new(),
        }
    }

    /// Adds a hard dependency.
    pub fn hard_dep(mut self, stage: &str) -> Self {
        self.deps.push(Dependency::hard(stage));
        self
    }

    /// Adds a soft dependency.
    pub fn soft_dep(mut self, stage: &str) -> Self {
        self.deps.push(Dependency::soft(stage));
        self
    }
}

#[async_trait]
impl Stage for NoopStage {
    fn id(&self) -> &str {
        &self.id
    }
    fn entity_kind(&self) -> EntityKind {
        self.kind
    }
    fn dependencies(&self) -> Vec<Dependency> {
        self.deps.clone()
    }
    async fn run(&self, _ctx: &StageContext, _entity: &Entity) -> Result<StageOutcome> {
        Ok(StageOutcome::Completed {
            output: serde_json::Value::Null,
            cost: Credits::ZERO,
            updated: None,
        })
    }
}

/// What a [`TestStage`] does when called.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Fail the first `n` calls for each entity with a retryable provider error.
    pub transient_failures: u32,
    /// `Retry-After` seconds carried by the transient failures.
    pub retry_after_secs: Option<u64>,
    /// Fail every call with a permanent error.
    pub always_fail: bool,
    /// Panic for entities whose country is this.
    pub panic_for_country: Option<String>,
    /// Skip (gate) entities whose country is not this.
    pub only_country: Option<String>,
    /// Sleep this long inside each call.
    pub sleep: Option<Duration>,
    /// Credits each call costs (and estimates).
    pub cost: Credits,
    /// Set the attribute `<stage id>` to `"done"` on the entity (written back).
    pub update_entity: bool,
    /// Return `Waiting` (external work) instead of completing.
    pub external: bool,
    /// Output this JSON (default `{"stage": id}`).
    pub output: Option<serde_json::Value>,
}

/// A scriptable stage that counts its calls and the most calls in flight at once.
#[derive(Debug)]
pub struct TestStage {
    id: String,
    kind: EntityKind,
    deps: Vec<Dependency>,
    provider: Option<String>,
    script: Script,
    calls: Mutex<HashMap<EntityRef, u32>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl TestStage {
    /// A stage for `kind` entities following `script`.
    pub fn new(id: impl Into<String>, kind: EntityKind, script: Script) -> Self {
        TestStage {
            id: id.into(),
            kind,
            deps: Vec::new(),
            provider: None,
            script,
            calls: Mutex::new(HashMap::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    /// Adds a hard dependency.
    pub fn hard_dep(mut self, stage: &str) -> Self {
        self.deps.push(Dependency::hard(stage));
        self
    }

    /// Adds a soft dependency.
    pub fn soft_dep(mut self, stage: &str) -> Self {
        self.deps.push(Dependency::soft(stage));
        self
    }

    /// Names the provider (for rate limits).
    pub fn provider(mut self, provider: &str) -> Self {
        self.provider = Some(provider.to_string());
        self
    }

    /// How many times the stage ran for `entity`.
    pub fn calls_for(&self, entity: EntityRef) -> u32 {
        self.lock().get(&entity).copied().unwrap_or(0)
    }

    /// How many calls the stage received in total.
    pub fn total_calls(&self) -> u32 {
        self.lock().values().sum()
    }

    /// The most calls that were in flight at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<EntityRef, u32>> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Decrements the in-flight count however the call ends (panics included).
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl Stage for TestStage {
    fn id(&self) -> &str {
        &self.id
    }
    fn entity_kind(&self) -> EntityKind {
        self.kind
    }
    fn dependencies(&self) -> Vec<Dependency> {
        self.deps.clone()
    }
    fn gate(&self, entity: &Entity) -> Gate {
        match &self.script.only_country {
            Some(c) if entity.country() != Some(c.as_str()) => {
                Gate::Skip(format!("country is not {c}"))
            }
            _ => Gate::Admit,
        }
    }
    fn execution_mode(&self) -> ExecutionMode {
        if self.script.external {
            ExecutionMode::External
        } else {
            ExecutionMode::Inline
        }
    }
    fn estimate(&self, _entity: &Entity) -> Credits {
        self.script.cost
    }
    fn is_paid(&self) -> bool {
        !self.script.cost.is_zero()
    }
    fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    async fn run(&self, _ctx: &StageContext, entity: &Entity) -> Result<StageOutcome> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let _guard = InFlight(&self.in_flight);
        let call = {
            let mut calls = self.lock();
            let n = calls.entry(entity.entity_ref()).or_insert(0);
            *n += 1;
            *n
        };
        if let Some(d) = self.script.sleep {
            tokio::time::sleep(d).await;
        }
        if let Some(c) = &self.script.panic_for_country
            && entity.country() == Some(c.as_str())
        {
            panic!("test stage {} panics for country {c}", self.id);
        }
        if self.script.always_fail {
            return Err(Error::Provider {
                provider: self.id.clone(),
                message: "permanent failure".into(),
                retryable: false,
                retry_after_secs: None,
                source: None,
            });
        }
        if call <= self.script.transient_failures {
            return Err(Error::Provider {
                provider: self.id.clone(),
                message: format!("transient failure {call}"),
                retryable: true,
                retry_after_secs: self.script.retry_after_secs,
                source: None,
            });
        }
        if self.script.external {
            return Ok(StageOutcome::Waiting {
                external_ref: format!("{}:{}", self.id, entity.entity_ref().id),
                cost: self.script.cost,
            });
        }
        let updated = self.script.update_entity.then(|| {
            let mut e = entity.clone();
            match &mut e {
                Entity::Company(c) => c.attributes.insert(self.id.clone(), "done".into()),
                Entity::Contact(c) => c.attributes.insert(self.id.clone(), "done".into()),
            };
            Box::new(e)
        });
        Ok(StageOutcome::Completed {
            output: self
                .script
                .output
                .clone()
                .unwrap_or_else(|| serde_json::json!({ "stage": self.id })),
            cost: self.script.cost,
            updated,
        })
    }
}
