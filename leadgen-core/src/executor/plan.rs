//! The plan shown before a run: how many entities each stage will touch and what
//! it should cost, as a struct, as text and as a Mermaid graph.

use std::fmt::Write as _;

use serde::Serialize;

use super::eligibility::{Decision, Prepared};
use crate::model::{Credits, EntityKind, EntityRef};
use crate::store::CompletionStatus;

/// The plan of one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StagePlan {
    /// The stage id.
    pub stage: String,
    /// The kind of entity it works on.
    pub kind: EntityKind,
    /// Whether it costs credits.
    pub paid: bool,
    /// Its provider, if it names one.
    pub provider: Option<String>,
    /// Its dependencies: (stage, hard).
    pub depends_on: Vec<(String, bool)>,
    /// Entities of its kind in the run.
    pub entities: u64,
    /// Pairs expected to run (assuming the dependencies in the run succeed).
    pub to_run: u64,
    /// Pairs already done (completed or skipped) and not run again.
    pub already_done: u64,
    /// Pairs that failed before and stay failed (no `retry_failed`).
    pub failed_before: u64,
    /// Pairs waiting for an external callback.
    pub waiting: u64,
    /// Pairs the stage's gate (or a missing company) will skip.
    pub skipped: u64,
    /// Pairs blocked by a failed or missing hard dependency.
    pub blocked: u64,
    /// The estimated credits of the pairs to run.
    pub estimated_credits: Credits,
}

/// What a run will do, before it runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The stages, dependencies first.
    pub stages: Vec<StagePlan>,
    /// Companies in the run (linked companies of contacts included).
    pub companies: u64,
    /// Contacts in the run.
    pub contacts: u64,
    /// Requested entities that do not exist.
    pub missing: Vec<EntityRef>,
    /// Pairs expected to run.
    pub pairs_to_run: u64,
    /// The estimated credits of the run.
    pub estimated_credits: Credits,
    /// The run's budget, if one was given.
    pub budget: Option<Credits>,
}

impl Plan {
    /// Plans the prepared run: a pair is expected to run when it is not done and
    /// its dependencies are done or expected to run; its gate is asked as the
    /// entity is now.
    pub(crate) fn from_prepared(p: &Prepared, budget: Option<Credits>) -> Plan {
        let g = &p.graph;
        // Per stage, per slot: the outcome assumed for dependents.
        let mut assumed: Vec<Vec<CompletionStatus>> = Vec::with_capacity(g.len());
        let mut stages = Vec::with_capacity(g.len());
        for s in 0..g.len() {
            let stage = &g.stages[s];
            let range = p.range(g.kinds[s]);
            let mut sp = StagePlan {
                stage: g.ids[s].to_string(),
                kind: g.kinds[s],
                paid: stage.is_paid(),
                provider: stage.provider().map(str::to_string),
                depends_on: stage
                    .dependencies()
                    .into_iter()
                    .map(|d| (d.stage, d.hard))
                    .collect(),
                entities: range.len() as u64,
                to_run: 0,
                already_done: 0,
                failed_before: 0,
                waiting: 0,
                skipped: 0,
                blocked: 0,
                estimated_credits: Credits::ZERO,
            };
            let mut outcomes = Vec::with_capacity(range.len());
            for slot in 0..range.len() {
                let entity = &p.entities[range.start + slot];
                let outcome = match p.existing[s][slot] {
                    Some(ex) => {
                        match ex.status {
                            CompletionStatus::Failed => sp.failed_before += 1,
                            CompletionStatus::Waiting => sp.waiting += 1,
                            _ => sp.already_done += 1,
                        }
                        ex.status
                    }
                    None => match p.decide(s, slot, entity, |ds, dslot| assumed[ds][dslot]) {
                        Decision::Run => {
                            sp.to_run += 1;
                            sp.estimated_credits += stage.estimate(entity);
                            CompletionStatus::Completed
                        }
                        Decision::Skip(_) => {
                            sp.skipped += 1;
                            CompletionStatus::Skipped
                        }
                        Decision::Block(_) => {
                            sp.blocked += 1;
                            CompletionStatus::Blocked
                        }
                    },
                };
                outcomes.push(outcome);
            }
            assumed.push(outcomes);
            stages.push(sp);
        }
        Plan {
            pairs_to_run: stages.iter().map(|s| s.to_run).sum(),
            estimated_credits: stages.iter().map(|s| s.estimated_credits).sum(),
            stages,
            companies: p.n_companies as u64,
            contacts: (p.entities.len() - p.n_companies) as u64,
            missing: p.missing.clone(),
            budget,
        }
    }

    /// Whether the estimate fits the budget (always, without a budget).
    pub fn fits_budget(&self) -> bool {
        self.budget.is_none_or(|b| self.estimated_credits <= b)
    }

    /// The plan as a text table, for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let w = self
            .stages
            .iter()
            .map(|s| s.stage.len())
            .max()
            .unwrap_or(5)
            .max(5);
        let _ = writeln!(
            out,
            "{:w$}  {:7}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}  {:>12}",
            "stage", "kind", "entities", "to run", "done", "skipped", "blocked", "est. credits"
        );
        for s in &self.stages {
            let _ = writeln!(
                out,
                "{:w$}  {:7}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}  {:>12}",
                s.stage,
                s.kind.as_str(),
                s.entities,
                s.to_run,
                s.already_done,
                s.skipped,
                s.blocked,
                s.estimated_credits.to_string()
            );
        }
        let _ = writeln!(
            out,
            "{} companies, {} contacts; {} pairs to run; estimated {} credits{}",
            self.companies,
            self.contacts,
            self.pairs_to_run,
            self.estimated_credits,
            match self.budget {
                Some(b) if self.fits_budget() => format!(" (budget {b})"),
                Some(b) =>
                    format!(" — OVER the budget of {b}: paid stages will stop when it is spent"),
                None => String::new(),
            }
        );
        if !self.missing.is_empty() {
            let _ = writeln!(
                out,
                "{} requested entities do not exist",
                self.missing.len()
            );
        }
        out
    }

    /// The plan as a Mermaid flowchart: one node per stage with its counts, solid
    /// arrows for hard dependencies, dotted for soft ones, dashed boxes for
    /// dependencies outside the run.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart TD\n");
        let node = |id: &str| {
            format!(
                "s_{}",
                id.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect::<String>()
            )
        };
        let in_run = |id: &str| self.stages.iter().any(|s| s.stage == id);
        for s in &self.stages {
            let _ = writeln!(
                out,
                "    {}[\"{}<br/>{} · {} to run · {} done<br/>{} credits\"]",
                node(&s.stage),
                s.stage.replace('"', "'"),
                s.kind.as_str(),
                s.to_run,
                s.already_done,
                s.estimated_credits
            );
        }
        let mut outside = Vec::new();
        for s in &self.stages {
            for (dep, hard) in &s.depends_on {
                if !in_run(dep) {
                    if !*hard {
                        continue;
                    }
                    if !outside.contains(dep) {
                        outside.push(dep.clone());
                        let _ = writeln!(
                            out,
                            "    {}([\"{} (not in run)\"])",
                            node(dep),
                            dep.replace('"', "'")
                        );
                    }
                }
                let arrow = if *hard { "-->" } else { "-.->" };
                let _ = writeln!(out, "    {} {arrow} {}", node(dep), node(&s.stage));
            }
        }
        out
    }
}
