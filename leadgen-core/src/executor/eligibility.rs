//! Which (entity, stage) pairs may run: the entities of a run, the completions
//! already stored for them, and the rule that decides a pair once its
//! dependencies are settled.
//!
//! The rule: a pair runs when every hard dependency has a completion that
//! unblocks dependents (`completed` or `skipped`) for the same entity — or, for a
//! contact stage depending on a company stage, for the contact's company. Soft
//! dependencies are waited for only when they are part of the run, and never
//! block. A failed or blocked hard dependency blocks the pair; the stage's gate
//! may skip it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::config::{EntitySelection, RunRequest};
use super::registry::RunGraph;
use crate::error::Result;
use crate::model::{Company, CompanyId, Entity, EntityKind, EntityRef, RunId};
use crate::stage::Gate;
use crate::store::{CompanyFilter, CompletionStatus, ContactFilter, TenantStore};

/// How many entity refs one completion query carries.
const COMPLETION_QUERY_CHUNK: usize = 1000;

/// A completion already stored when the run starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Existing {
    pub status: CompletionStatus,
    pub started_at: DateTime<Utc>,
}

/// What to do with a pair whose in-run dependencies are settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Call the stage.
    Run,
    /// Record `skipped` with this reason.
    Skip(String),
    /// Record `blocked` with this reason.
    Block(String),
}

/// A run's entities and stored completions, ready to be planned or executed.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub graph: RunGraph,
    /// Companies first (`0..n_companies`), then contacts.
    pub entities: Vec<Arc<Entity>>,
    pub n_companies: usize,
    /// For each contact (by contact slot): the entity index of its company.
    pub company_of: Vec<Option<u32>>,
    /// For each company (by entity index): the entity indexes of its contacts.
    pub contacts_of: Vec<Vec<u32>>,
    /// Per stage, per slot: the usable stored completion (already filtered by
    /// `force` and `retry_failed`).
    pub existing: Vec<Vec<Option<Existing>>>,
    /// Completions of hard dependencies outside the run.
    pub outside: HashMap<(String, EntityRef), CompletionStatus>,
    /// Requested entities that do not exist for the tenant.
    pub missing: Vec<EntityRef>,
}

impl Prepared {
    /// Loads the entities of `request` and their completions.
    pub async fn load(
        store: &TenantStore,
        graph: RunGraph,
        request: &RunRequest,
        run_id: Option<RunId>,
    ) -> Result<Prepared> {
        let has_company_stages = graph.kinds.contains(&EntityKind::Company);
        let has_contact_stages = graph.kinds.contains(&EntityKind::Contact);
        let (mut companies, contacts, missing) = load_entities(
            store,
            &request.entities,
            has_company_stages,
            has_contact_stages,
        )
        .await?;

        // Contacts' companies: for the stage context, and for company stages.
        let mut company_index: HashMap<CompanyId, u32> = companies
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i as u32))
            .collect();
        let mut company_of = Vec::with_capacity(contacts.len());
        for contact in &contacts {
            let Entity::Contact(c) = &**contact else {
                continue;
            };
            let idx = match c.company_id {
                None => None,
                Some(id) => match company_index.get(&id) {
                    Some(&i) => Some(i),
                    None => match store.get_company(id).await? {
                        Some(company) => {
                            let i = companies.len() as u32;
                            company_index.insert(id, i);
                            companies.push(company);
                            Some(i)
                        }
                        None => None,
                    },
                },
            };
            company_of.push(idx);
        }
        let n_companies = companies.len();
        let mut contacts_of = vec![Vec::new(); n_companies];
        for (slot, company) in company_of.iter().enumerate() {
            if let Some(ci) = company {
                contacts_of[*ci as usize].push((n_companies + slot) as u32);
            }
        }
        let mut entities: Vec<Arc<Entity>> = companies
            .into_iter()
            .map(|c| Arc::new(Entity::Company(c)))
            .collect();
        entities.extend(contacts);

        let refs: Vec<EntityRef> = entities.iter().map(|e| e.entity_ref()).collect();
        let stage_ids = graph.completion_stages();
        let index: HashMap<&str, usize> = graph
            .ids
            .iter()
            .enumerate()
            .map(|(i, s)| (&**s, i))
            .collect();
        let mut existing: Vec<Vec<Option<Existing>>> = graph
            .kinds
            .iter()
            .map(|k| match k {
                EntityKind::Company => vec![None; n_companies],
                EntityKind::Contact => vec![None; entities.len() - n_companies],
            })
            .collect();
        let entity_pos: HashMap<EntityRef, usize> =
            refs.iter().enumerate().map(|(i, r)| (*r, i)).collect();
        let forced = Forced::new(request, &graph);
        let mut outside = HashMap::new();
        for chunk in refs.chunks(COMPLETION_QUERY_CHUNK) {
            for c in store.get_completions(chunk, &stage_ids).await? {
                let Some(&s) = index.get(c.stage.as_str()) else {
                    outside.insert((c.stage.clone(), c.entity), c.status);
                    continue;
                };
                let Some(&pos) = entity_pos.get(&c.entity) else {
                    continue;
                };
                if c.entity.kind != graph.kinds[s] {
                    continue;
                }
                let from_this_run = run_id.is_some() && c.run_id == run_id;
                let usable = match c.status {
                    // Blocked is re-decided every time: its dependency may be fixed.
                    CompletionStatus::Blocked => false,
                    // An explicit retry retries this run's failures too.
                    CompletionStatus::Failed => !request.retry_failed,
                    _ => from_this_run || !forced.contains(s, c.entity),
                };
                if usable {
                    let slot = slot_of(graph.kinds[s], pos, n_companies);
                    existing[s][slot] = Some(Existing {
                        status: c.status,
                        started_at: c.started_at,
                    });
                }
            }
        }
        Ok(Prepared {
            graph,
            entities,
            n_companies,
            company_of,
            contacts_of,
            existing,
            outside,
            missing,
        })
    }

    /// The entity indexes a stage of `kind` works on.
    pub fn range(&self, kind: EntityKind) -> std::ops::Range<usize> {
        match kind {
            EntityKind::Company => 0..self.n_companies,
            EntityKind::Contact => self.n_companies..self.entities.len(),
        }
    }

    /// The entity index of `slot` of stage `s`.
    pub fn entity_index(&self, s: usize, slot: usize) -> usize {
        self.range(self.graph.kinds[s]).start + slot
    }

    /// The company of the contact at entity index `e`.
    pub fn company_of_entity(&self, e: usize) -> Option<usize> {
        e.checked_sub(self.n_companies)
            .and_then(|slot| self.company_of.get(slot).copied().flatten())
            .map(|c| c as usize)
    }

    /// The (stage, slot) a dependency edge of the pair (s, slot) points to:
    /// `None` when it goes through a company the contact does not have.
    pub fn dep_target(&self, s: usize, slot: usize, cross: bool) -> Option<usize> {
        if cross {
            self.company_of_entity(self.entity_index(s, slot))
        } else {
            Some(slot)
        }
    }

    /// Decides a pair whose in-run dependencies are settled, `status_of(stage,
    /// slot)` giving their outcome.
    pub fn decide(
        &self,
        s: usize,
        slot: usize,
        entity: &Entity,
        status_of: impl Fn(usize, usize) -> CompletionStatus,
    ) -> Decision {
        let g = &self.graph;
        for edge in &g.deps[s] {
            let Some(target) = self.dep_target(s, slot, edge.cross) else {
                if edge.hard {
                    return Decision::Skip(format!(
                        "no company linked; `{}` needs the company's `{}`",
                        g.ids[s], g.ids[edge.stage]
                    ));
                }
                continue;
            };
            let status = status_of(edge.stage, target);
            if edge.hard && !status.unblocks_dependents() {
                let on = self.entities[self.entity_index(edge.stage, target)].entity_ref();
                return Decision::Block(format!(
                    "hard dependency `{}` is {} for {on}",
                    g.ids[edge.stage],
                    status.as_str()
                ));
            }
        }
        for dep in &g.outside[s] {
            let target = if dep.cross {
                match self.company_of_entity(self.entity_index(s, slot)) {
                    Some(c) => c,
                    None => {
                        return Decision::Skip(format!(
                            "no company linked; `{}` needs the company's `{}`",
                            g.ids[s], dep.stage
                        ));
                    }
                }
            } else {
                self.entity_index(s, slot)
            };
            let on = self.entities[target].entity_ref();
            match self.outside.get(&(dep.stage.clone(), on)) {
                Some(st) if st.unblocks_dependents() => {}
                Some(st) => {
                    return Decision::Block(format!(
                        "hard dependency `{}` is {} for {on}",
                        dep.stage,
                        st.as_str()
                    ));
                }
                None => {
                    return Decision::Block(format!(
                        "hard dependency `{}` has not run for {on} and is not part of this run",
                        dep.stage
                    ));
                }
            }
        }
        match g.stages[s].gate(entity) {
            Gate::Admit => Decision::Run,
            Gate::Skip(reason) => Decision::Skip(reason),
        }
    }
}

/// The slot of entity index `pos` for a stage of `kind`.
fn slot_of(kind: EntityKind, pos: usize, n_companies: usize) -> usize {
    match kind {
        EntityKind::Company => pos,
        EntityKind::Contact => pos - n_companies,
    }
}

/// The pairs `force` asks to run again.
struct Forced {
    all_entities: bool,
    entities: HashSet<EntityRef>,
    stages: Vec<bool>,
}

impl Forced {
    fn new(request: &RunRequest, graph: &RunGraph) -> Self {
        match &request.force {
            None => Forced {
                all_entities: false,
                entities: HashSet::new(),
                stages: vec![false; graph.len()],
            },
            Some(f) => Forced {
                all_entities: f.entities.is_empty(),
                entities: f.entities.iter().copied().collect(),
                stages: graph
                    .ids
                    .iter()
                    .map(|id| f.stages.is_empty() || f.stages.iter().any(|s| **s == **id))
                    .collect(),
            },
        }
    }

    fn contains(&self, s: usize, e: EntityRef) -> bool {
        self.stages[s] && (self.all_entities || self.entities.contains(&e))
    }
}

/// The entities of `refs` in one query per kind, when the store can.
async fn bulk_loaded(
    store: &TenantStore,
    refs: &[EntityRef],
) -> Result<Option<(Vec<Company>, Vec<crate::model::Contact>)>> {
    match store.leases() {
        Some(l) if refs.len() > 1 => l.load_entities(store.tenant(), refs).await,
        _ => Ok(None),
    }
}

/// Loads the selected companies and contacts; requested refs that do not exist
/// are returned apart.
async fn load_entities(
    store: &TenantStore,
    selection: &EntitySelection,
    want_companies: bool,
    want_contacts: bool,
) -> Result<(Vec<Company>, Vec<Arc<Entity>>, Vec<EntityRef>)> {
    let mut missing = Vec::new();
    let (companies, contacts) = match selection {
        EntitySelection::All => (
            if want_companies {
                store.all_companies(&CompanyFilter::default()).await?
            } else {
                Vec::new()
            },
            if want_contacts {
                store.all_contacts(&ContactFilter::default()).await?
            } else {
                Vec::new()
            },
        ),
        EntitySelection::Filtered {
            companies,
            contacts,
        } => (
            match companies {
                Some(f) if want_companies => store.all_companies(f).await?,
                _ => Vec::new(),
            },
            match contacts {
                Some(f) if want_contacts => store.all_contacts(f).await?,
                _ => Vec::new(),
            },
        ),
        EntitySelection::Refs(refs) if bulk_loaded(store, refs).await?.is_some() => {
            let (companies, contacts) = bulk_loaded(store, refs).await?.unwrap_or_default();
            let found: HashSet<EntityRef> = companies
                .iter()
                .map(|c| EntityRef::from(c.id))
                .chain(contacts.iter().map(|c| EntityRef::from(c.id)))
                .collect();
            let mut seen = HashSet::new();
            for r in refs {
                if seen.insert(*r) && !found.contains(r) {
                    missing.push(*r);
                }
            }
            (companies, contacts)
        }
        EntitySelection::Refs(refs) => {
            let mut companies = Vec::new();
            let mut contacts = Vec::new();
            let mut seen = HashSet::new();
            for r in refs {
                if !seen.insert(*r) {
                    continue;
                }
                match r.kind {
                    EntityKind::Company => match store.get_company(CompanyId(r.id)).await? {
                        Some(c) => companies.push(c),
                        None => missing.push(*r),
                    },
                    EntityKind::Contact => {
                        match store.get_contact(crate::model::ContactId(r.id)).await? {
                            Some(c) => contacts.push(c),
                            None => missing.push(*r),
                        }
                    }
                }
            }
            (companies, contacts)
        }
    };
    let contacts = contacts
        .into_iter()
        .map(|c| Arc::new(Entity::Contact(c)))
        .collect();
    Ok((companies, contacts, missing))
}
