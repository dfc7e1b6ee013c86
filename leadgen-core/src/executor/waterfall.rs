//! The waterfall combinator: a [`Stage`] that tries providers in order until the
//! wanted fields are found, paying only for the providers it calls and never
//! more than a per-entity ceiling.
//!
//! Each provider is itself a stage (of the same entity kind) whose output is a
//! JSON object; a field counts as found when some provider's output has it with a
//! non-null value. The first provider to find a field wins it.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::model::{Credits, Entity, EntityKind};
use crate::stage::{Dependency, ExecutionMode, Gate, Stage, StageContext, StageOutcome};

/// Providers tried in order until the wanted fields are filled.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use leadgen_core::executor::{Waterfall, testing::{Script, TestStage}};
/// use leadgen_core::{Credits, EntityKind};
///
/// let cheap = TestStage::new("cheap", EntityKind::Contact, Script {
///     output: Some(serde_json::json!({ "phone": null })), cost: Credits::from_millis(100),
///     ..Script::default() });
/// let good = TestStage::new("good", EntityKind::Contact, Script {
///     output: Some(serde_json::json!({ "phone": "+420 777 000 111" })), cost: Credits::from_millis(500),
///     ..Script::default() });
/// let waterfall = Waterfall::new("find_phone", EntityKind::Contact, ["phone"])
///     .provider(Arc::new(cheap))?
///     .provider(Arc::new(good))?
///     .cost_ceiling(Credits::from_millis(1000));
/// # Ok::<(), leadgen_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct Waterfall {
    id: String,
    kind: EntityKind,
    wanted: Vec<String>,
    providers: Vec<Arc<dyn Stage>>,
    ceiling: Option<Credits>,
    deps: Vec<Dependency>,
}

impl Waterfall {
    /// A waterfall stage `id` for `kind` entities looking for `wanted` fields.
    pub fn new(
        id: impl Into<String>,
        kind: EntityKind,
        wanted: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Waterfall {
            id: id.into(),
            kind,
            wanted: wanted.into_iter().map(Into::into).collect(),
            providers: Vec::new(),
            ceiling: None,
            deps: Vec::new(),
        }
    }

    /// Appends a provider; it must work on the same entity kind and run inline.
    pub fn provider(mut self, provider: Arc<dyn Stage>) -> Result<Self> {
        if provider.entity_kind() != self.kind {
            return Err(Error::Config(format!(
                "waterfall `{}` works on {} entities; provider `{}` on {}",
                self.id,
                self.kind,
                provider.id(),
                provider.entity_kind()
            )));
        }
        if provider.execution_mode() == ExecutionMode::External {
            return Err(Error::Config(format!(
                "waterfall `{}`: provider `{}` is external; only inline stages can be tried in turn",
                self.id,
                provider.id()
            )));
        }
        self.providers.push(provider);
        Ok(self)
    }

    /// The most one entity may cost: a provider whose estimate would pass it is
    /// not called.
    pub fn cost_ceiling(mut self, ceiling: Credits) -> Self {
        self.ceiling = Some(ceiling);
        self
    }

    /// Adds a dependency of the waterfall as a whole.
    pub fn depends_on(mut self, dep: Dependency) -> Self {
        self.deps.push(dep);
        self
    }

    fn missing<'a>(&'a self, found: &Map<String, Value>) -> Vec<&'a str> {
        self.wanted
            .iter()
            .filter(|f| found.get(f.as_str()).is_none_or(Value::is_null))
            .map(String::as_str)
            .collect()
    }
}

#[async_trait]
impl Stage for Waterfall {
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
        if self.providers.iter().any(|p| p.gate(entity) == Gate::Admit) {
            Gate::Admit
        } else {
            Gate::Skip(format!("no provider of `{}` applies", self.id))
        }
    }

    /// The worst case: every provider called, capped by the ceiling.
    fn estimate(&self, entity: &Entity) -> Credits {
        let all: Credits = self.providers.iter().map(|p| p.estimate(entity)).sum();
        self.ceiling.map_or(all, |c| all.min(c))
    }

    fn is_paid(&self) -> bool {
        self.providers.iter().any(|p| p.is_paid())
    }

    async fn run(&self, ctx: &StageContext, entity: &Entity) -> Result<StageOutcome> {
        let mut found = Map::new();
        let mut calls = Vec::new();
        let mut spent = Credits::ZERO;
        let mut current: Option<Box<Entity>> = None;
        let mut last_error: Option<Error> = None;
        let mut stopped_by_ceiling = false;
        for provider in &self.providers {
            if self.missing(&found).is_empty() {
                break;
            }
            let subject: &Entity = current.as_deref().unwrap_or(entity);
            if let Gate::Skip(_) = provider.gate(subject) {
                continue;
            }
            if let Some(ceiling) = self.ceiling
                && spent + provider.estimate(subject) > ceiling
            {
                stopped_by_ceiling = true;
                break;
            }
            let mut call = serde_json::json!({ "provider": provider.id() });
            match provider.run(ctx, subject).await {
                Ok(StageOutcome::Completed {
                    output,
                    cost,
                    updated,
                }) => {
                    spent += cost;
                    call["cost"] = Value::String(cost.to_string());
                    let mut filled = Vec::new();
                    if let Value::Object(fields) = output {
                        for (k, v) in fields {
                            if !v.is_null() && found.get(&k).is_none_or(Value::is_null) {
                                filled.push(Value::String(k.clone()));
                                found.insert(k, v);
                            }
                        }
                    }
                    call["filled"] = Value::Array(filled);
                    if updated.is_some() {
                        current = updated;
                    }
                }
                Ok(StageOutcome::Skipped { reason }) => call["skipped"] = Value::String(reason),
                Ok(StageOutcome::Waiting { cost, .. }) => {
                    spent += cost;
                    call["error"] = Value::String(
                        "an external result cannot be waited for in a waterfall".into(),
                    );
                }
                Err(e) => {
                    call["error"] = Value::String(e.to_string());
                    last_error = Some(e);
                }
            }
            calls.push(call);
        }
        let missing = self.missing(&found);
        let called_ok = calls.iter().any(|c| c.get("error").is_none());
        if !called_ok && let Some(e) = last_error {
            // Every provider called failed: let the executor retry or fail the pair.
            return Err(e);
        }
        Ok(StageOutcome::Completed {
            output: serde_json::json!({
                "fields": found,
                "missing": missing,
                "providers": calls,
                "stopped_by_ceiling": stopped_by_ceiling,
            }),
            cost: spent,
            updated: current,
        })
    }
}
