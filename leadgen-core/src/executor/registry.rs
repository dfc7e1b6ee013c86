//! The stage registry: which stages exist, how they depend on each other, and the
//! named stage sets (depth presets) a run can pick.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::EntityKind;
use crate::stage::Stage;

/// The preset every registry answers even when not defined: every registered stage.
pub const PRESET_FULL: &str = "full";
/// The conventional name of the cheapest preset (e.g. L1 research only).
pub const PRESET_QUICK: &str = "quick";
/// The conventional name of the everyday preset.
pub const PRESET_STANDARD: &str = "standard";

/// The stages an executor knows, validated as a DAG, and named stage sets.
///
/// ```
/// use std::sync::Arc;
/// use leadgen_core::executor::{StageRegistry, testing::NoopStage};
/// use leadgen_core::EntityKind;
///
/// let mut registry = StageRegistry::new();
/// registry.register(Arc::new(NoopStage::new("normalize", EntityKind::Company))).unwrap();
/// registry
///     .register(Arc::new(NoopStage::new("research", EntityKind::Company).hard_dep("normalize")))
///     .unwrap();
/// registry.define_preset("quick", &["normalize"]).unwrap();
/// registry.validate().unwrap();
/// assert_eq!(registry.preset("quick").unwrap(), vec!["normalize".to_string()]);
/// assert_eq!(registry.preset("full").unwrap().len(), 2);
/// ```
#[derive(Debug, Default, Clone)]
pub struct StageRegistry {
    stages: BTreeMap<String, Arc<dyn Stage>>,
    presets: BTreeMap<String, Vec<String>>,
}

/// A dependency edge inside one run's graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge {
    /// The other stage (the dependency in `deps`, the dependent in `dependents`).
    pub stage: usize,
    /// Hard or soft.
    pub hard: bool,
    /// A contact stage depending on a company stage: the edge goes through the
    /// contact's company.
    pub cross: bool,
}

/// A hard dependency on a stage that is not part of the run: its completion must
/// already be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutsideDep {
    /// The stage id.
    pub stage: String,
    /// Through the contact's company.
    pub cross: bool,
}

/// The stages of one run, in an order where every dependency comes first, with
/// their edges resolved to indexes.
#[derive(Debug, Clone)]
pub struct RunGraph {
    pub(crate) stages: Vec<Arc<dyn Stage>>,
    pub(crate) ids: Vec<Arc<str>>,
    pub(crate) kinds: Vec<EntityKind>,
    pub(crate) deps: Vec<Vec<Edge>>,
    pub(crate) dependents: Vec<Vec<Edge>>,
    pub(crate) outside: Vec<Vec<OutsideDep>>,
}

impl RunGraph {
    /// The stage ids, dependencies first.
    pub fn stage_ids(&self) -> impl Iterator<Item = &str> {
        self.ids.iter().map(|s| &**s)
    }

    /// How many stages the run has.
    pub fn len(&self) -> usize {
        self.stages.len()
    }

    /// Whether the run has no stage.
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// The index of a stage by id.
    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|s| &**s == id)
    }

    /// Every stage whose completions the run reads: its own and outside hard deps.
    pub(crate) fn completion_stages(&self) -> Vec<String> {
        let mut all: BTreeSet<String> = self.ids.iter().map(|s| s.to_string()).collect();
        all.extend(self.outside.iter().flatten().map(|d| d.stage.clone()));
        all.into_iter().collect()
    }
}

impl StageRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        StageRegistry::default()
    }

    /// Adds a stage; fails if its id is empty or already taken.
    pub fn register(&mut self, stage: Arc<dyn Stage>) -> Result<&mut Self> {
        let id = stage.id().to_string();
        if id.trim().is_empty() {
            return Err(Error::Config(format!(
                "a stage has an empty id ({stage:?})"
            )));
        }
        if self.stages.contains_key(&id) {
            return Err(Error::Config(format!("stage `{id}` is registered twice")));
        }
        self.stages.insert(id, stage);
        Ok(self)
    }

    /// One stage by id.
    pub fn get(&self, id: &str) -> Option<&Arc<dyn Stage>> {
        self.stages.get(id)
    }

    /// Every registered stage id, sorted.
    pub fn stage_ids(&self) -> Vec<String> {
        self.stages.keys().cloned().collect()
    }

    /// Names a stage set (a depth such as `quick`, `standard`, `full`). Every stage
    /// must be registered.
    pub fn define_preset(&mut self, name: &str, stages: &[&str]) -> Result<&mut Self> {
        let unknown: Vec<&str> = stages
            .iter()
            .copied()
            .filter(|s| !self.stages.contains_key(*s))
            .collect();
        if !unknown.is_empty() {
            return Err(Error::Config(format!(
                "preset `{name}` names unknown stage(s): {}",
                unknown.join(", ")
            )));
        }
        self.presets.insert(
            name.to_string(),
            stages.iter().map(|s| s.to_string()).collect(),
        );
        Ok(self)
    }

    /// The stages of a preset. `full` means every registered stage unless defined.
    pub fn preset(&self, name: &str) -> Result<Vec<String>> {
        if let Some(stages) = self.presets.get(name) {
            return Ok(stages.clone());
        }
        if name == PRESET_FULL {
            return Ok(self.stage_ids());
        }
        let mut known: Vec<&str> = self.presets.keys().map(String::as_str).collect();
        if !known.contains(&PRESET_FULL) {
            known.push(PRESET_FULL);
        }
        Err(Error::Config(format!(
            "unknown preset `{name}` (known: {})",
            known.join(", ")
        )))
    }

    /// The names of the defined presets (and `full`).
    pub fn preset_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.presets.keys().cloned().collect();
        if !self.presets.contains_key(PRESET_FULL) {
            names.push(PRESET_FULL.to_string());
        }
        names
    }

    /// Checks the whole graph: every hard dependency names a registered stage (a soft
    /// one may name a stage this registry lacks: it is then never waited for), no
    /// company stage depends on a contact stage (a contact stage may depend on a
    /// company stage: it then waits for the contact's company), and there is no
    /// cycle. The error lists every problem, naming the stages.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        for (id, stage) in &self.stages {
            for dep in stage.dependencies() {
                match self.stages.get(&dep.stage) {
                    // A soft dependency is waited for only when its stage is part of
                    // the run; one that is not even registered never is.
                    None if !dep.hard => {}
                    None => problems.push(format!(
                        "stage `{id}` depends on unknown stage `{}`",
                        dep.stage
                    )),
                    Some(target) => {
                        if stage.entity_kind() == EntityKind::Company
                            && target.entity_kind() == EntityKind::Contact
                        {
                            problems.push(format!(
                                "company stage `{id}` depends on contact stage `{}`: \
                                 only a contact stage may depend on a stage of the other kind, \
                                 through the contact's company",
                                dep.stage
                            ));
                        }
                    }
                }
            }
        }
        if let Some(cycle) = self.find_cycle() {
            problems.push(format!(
                "dependency cycle: {}",
                cycle
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(" -> ")
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(problems.join("; ")))
        }
    }

    /// A cycle among registered stages, as a path that ends where it starts.
    fn find_cycle(&self) -> Option<Vec<String>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Closed,
        }
        let mut marks: HashMap<&str, Mark> = self
            .stages
            .keys()
            .map(|k| (k.as_str(), Mark::New))
            .collect();
        for start in self.stages.keys() {
            if marks[start.as_str()] != Mark::New {
                continue;
            }
            // Iterative DFS: (node, its dependency ids, next index).
            let mut path: Vec<(&str, Vec<String>, usize)> = Vec::new();
            marks.insert(start, Mark::Open);
            path.push((start, self.dep_ids(start), 0));
            while let Some((node, deps, next)) = path.last_mut() {
                if *next == deps.len() {
                    marks.insert(node, Mark::Closed);
                    path.pop();
                    continue;
                }
                let dep = deps[*next].clone();
                *next += 1;
                let Some((dep_key, _)) = self.stages.get_key_value(&dep) else {
                    continue;
                };
                match marks[dep_key.as_str()] {
                    Mark::Open => {
                        let from = path.iter().position(|(n, _, _)| *n == dep_key).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            path[from..].iter().map(|(n, _, _)| n.to_string()).collect();
                        cycle.push(dep_key.clone());
                        return Some(cycle);
                    }
                    Mark::New => {
                        marks.insert(dep_key, Mark::Open);
                        path.push((dep_key, self.dep_ids(dep_key), 0));
                    }
                    Mark::Closed => {}
                }
            }
        }
        None
    }

    fn dep_ids(&self, id: &str) -> Vec<String> {
        self.stages
            .get(id)
            .map(|s| s.dependencies().into_iter().map(|d| d.stage).collect())
            .unwrap_or_default()
    }

    /// `stages` plus, transitively, every hard dependency they need.
    pub fn with_dependencies(&self, stages: &[String]) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        let mut todo: Vec<String> = stages.to_vec();
        while let Some(id) = todo.pop() {
            if out.contains(&id) {
                continue;
            }
            let stage = self
                .stages
                .get(&id)
                .ok_or_else(|| Error::Config(format!("unknown stage `{id}`")))?;
            todo.extend(
                stage
                    .dependencies()
                    .into_iter()
                    .filter(|d| d.hard)
                    .map(|d| d.stage),
            );
            out.push(id);
        }
        Ok(out)
    }

    /// Resolves the stages of one run: validates the registry, checks every id,
    /// and orders the stages so each comes after its dependencies.
    pub fn resolve(&self, stages: &[String]) -> Result<RunGraph> {
        self.validate()?;
        let mut seen = BTreeSet::new();
        let mut unknown = Vec::new();
        for id in stages {
            if !self.stages.contains_key(id) {
                unknown.push(format!("`{id}`"));
            }
            seen.insert(id.clone());
        }
        if !unknown.is_empty() {
            return Err(Error::Config(format!(
                "unknown stage(s) in the run: {} (registered: {})",
                unknown.join(", "),
                self.stage_ids().join(", ")
            )));
        }
        if seen.is_empty() {
            return Err(Error::Config("a run needs at least one stage".into()));
        }
        // Kahn's algorithm over the run's stages, ties broken by the order given.
        let order_given: Vec<String> = {
            let mut v = Vec::new();
            for id in stages {
                if !v.contains(id) {
                    v.push(id.clone());
                }
            }
            v
        };
        let in_run = |s: &str| seen.contains(s);
        let mut remaining: Vec<String> = order_given.clone();
        let mut ordered: Vec<String> = Vec::with_capacity(remaining.len());
        while !remaining.is_empty() {
            let pos = remaining
                .iter()
                .position(|id| {
                    self.stages[id]
                        .dependencies()
                        .iter()
                        .all(|d| !in_run(&d.stage) || ordered.contains(&d.stage))
                })
                .ok_or_else(|| Error::Config("dependency cycle among the run's stages".into()))?;
            ordered.push(remaining.remove(pos));
        }
        let index: HashMap<&str, usize> = ordered
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        let n = ordered.len();
        let mut graph = RunGraph {
            stages: Vec::with_capacity(n),
            ids: Vec::with_capacity(n),
            kinds: Vec::with_capacity(n),
            deps: vec![Vec::new(); n],
            dependents: vec![Vec::new(); n],
            outside: vec![Vec::new(); n],
        };
        for (i, id) in ordered.iter().enumerate() {
            let stage = self.stages[id].clone();
            let kind = stage.entity_kind();
            for dep in stage.dependencies() {
                // Only a soft dependency can name an unregistered stage (validate()
                // refused hard ones); it is never waited for.
                let Some(target) = self.stages.get(&dep.stage) else {
                    continue;
                };
                let cross =
                    kind == EntityKind::Contact && target.entity_kind() == EntityKind::Company;
                match index.get(dep.stage.as_str()) {
                    Some(&j) => {
                        graph.deps[i].push(Edge {
                            stage: j,
                            hard: dep.hard,
                            cross,
                        });
                        graph.dependents[j].push(Edge {
                            stage: i,
                            hard: dep.hard,
                            cross,
                        });
                    }
                    None if dep.hard => graph.outside[i].push(OutsideDep {
                        stage: dep.stage.clone(),
                        cross,
                    }),
                    None => {}
                }
            }
            graph.ids.push(Arc::from(id.as_str()));
            graph.kinds.push(kind);
            graph.stages.push(stage);
        }
        Ok(graph)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::testing::NoopStage;
    use crate::model::EntityKind::{Company, Contact};

    fn reg(stages: Vec<NoopStage>) -> StageRegistry {
        let mut r = StageRegistry::new();
        for s in stages {
            r.register(Arc::new(s)).unwrap();
        }
        r
    }

    #[test]
    fn cycles_are_named() {
        let r = reg(vec![
            NoopStage::new("a", Company).hard_dep("c"),
            NoopStage::new("b", Company).hard_dep("a"),
            NoopStage::new("c", Company).soft_dep("b"),
        ]);
        let msg = r.validate().unwrap_err().to_string();
        assert!(msg.contains("dependency cycle"), "{msg}");
        for s in ["`a`", "a", "b", "c"] {
            assert!(msg.contains(s), "{msg}");
        }
        assert!(r.resolve(&["a".into()]).is_err());
    }

    #[test]
    fn a_soft_dependency_on_an_unregistered_stage_is_never_waited_for() {
        let r = reg(vec![NoopStage::new("a", Contact).soft_dep("not_here")]);
        r.validate().unwrap();
        let graph = r.resolve(&["a".into()]).unwrap();
        assert_eq!(graph.ids.len(), 1);
        assert!(graph.deps[0].is_empty() && graph.outside[0].is_empty());
    }

    #[test]
    fn unknown_dependencies_and_stages_are_named() {
        let r = reg(vec![NoopStage::new("a", Company).hard_dep("ghost")]);
        let msg = r.validate().unwrap_err().to_string();
        assert!(
            msg.contains("`a` depends on unknown stage `ghost`"),
            "{msg}"
        );
        let r = reg(vec![NoopStage::new("a", Company)]);
        let msg = r
            .resolve(&["a".into(), "nope".into()])
            .unwrap_err()
            .to_string();
        assert!(msg.contains("`nope`"), "{msg}");
    }

    #[test]
    fn company_stage_cannot_depend_on_contact_stage() {
        let r = reg(vec![
            NoopStage::new("person", Contact),
            NoopStage::new("firm", Company).hard_dep("person"),
        ]);
        let msg = r.validate().unwrap_err().to_string();
        assert!(
            msg.contains("company stage `firm` depends on contact stage `person`"),
            "{msg}"
        );
        // The other way round is the company link, and fine.
        let r = reg(vec![
            NoopStage::new("firm", Company),
            NoopStage::new("person", Contact).hard_dep("firm"),
        ]);
        let g = r.resolve(&["person".into(), "firm".into()]).unwrap();
        assert_eq!(g.stage_ids().collect::<Vec<_>>(), ["firm", "person"]);
        assert!(g.deps[1][0].cross);
    }

    #[test]
    fn duplicate_ids_and_presets() {
        let mut r = reg(vec![NoopStage::new("a", Company)]);
        assert!(r.register(Arc::new(NoopStage::new("a", Company))).is_err());
        assert!(
            r.define_preset("quick", &["a", "zz"])
                .unwrap_err()
                .to_string()
                .contains("zz")
        );
        assert!(
            r.preset("standard")
                .unwrap_err()
                .to_string()
                .contains("standard")
        );
        assert_eq!(r.preset("full").unwrap(), ["a"]);
    }

    #[test]
    fn outside_hard_dependencies_are_kept_and_closure_adds_them() {
        let r = reg(vec![
            NoopStage::new("a", Company),
            NoopStage::new("b", Company).hard_dep("a"),
            NoopStage::new("c", Company).soft_dep("b").hard_dep("b"),
        ]);
        let g = r.resolve(&["c".into()]).unwrap();
        assert_eq!(g.outside[0].len(), 1);
        let mut all = r.with_dependencies(&["c".into()]).unwrap();
        all.sort();
        assert_eq!(all, ["a", "b", "c"]);
    }
}
