//! The summary of a run, and reports built from stored stage-run records (what
//! `leadgen runs list|show` prints).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use super::events::StageCounts;
use crate::error::{Error, Result};
use crate::model::{Credits, EntityRef, RunId};
use crate::store::{CompletionStatus, RunRecord, RunStatus, TenantStore};

/// One stage's part of a run summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSummary {
    /// The stage id.
    pub stage: String,
    /// Outcomes.
    pub counts: StageCounts,
    /// Credits spent by the stage in this execution.
    pub cost: Credits,
    /// Attempts made (retries included).
    pub attempts: u64,
}

/// What one execution of a run did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// The run.
    pub run_id: RunId,
    /// How it ended.
    pub status: RunStatus,
    /// Credits spent by the run, earlier executions (before a resume) included.
    pub spent: Credits,
    /// Credits spent in this execution.
    pub spent_now: Credits,
    /// Per stage, dependencies first.
    pub stages: Vec<StageSummary>,
    /// Requested entities that do not exist.
    pub missing: Vec<EntityRef>,
    /// Wall time of this execution.
    pub elapsed: Duration,
    /// The error that stopped the run, for `failed`.
    pub error: Option<String>,
}

impl RunSummary {
    /// Pairs that reached an outcome in this execution.
    pub fn pairs_finished(&self) -> u64 {
        self.stages.iter().map(|s| s.counts.finished()).sum()
    }

    /// The counts of one stage.
    pub fn counts(&self, stage: &str) -> Option<StageCounts> {
        self.stages
            .iter()
            .find(|s| s.stage == stage)
            .map(|s| s.counts)
    }

    /// The summary as text, for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "run {}: {} in {:.1?}, {} credits ({} now)\n",
            self.run_id,
            self.status.as_str(),
            self.elapsed,
            self.spent,
            self.spent_now
        );
        for s in &self.stages {
            let c = &s.counts;
            let _ = writeln!(
                out,
                "  {}: {} completed, {} skipped, {} failed, {} blocked, {} waiting, {} already done, {} not run; {} credits",
                s.stage,
                c.completed,
                c.skipped,
                c.failed,
                c.blocked,
                c.waiting,
                c.already_done,
                c.not_run,
                s.cost
            );
        }
        if let Some(e) = &self.error {
            let _ = writeln!(out, "  error: {e}");
        }
        out
    }
}

/// One stage's totals over the stored stage-run records of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StageRunStats {
    /// Attempts by outcome.
    pub by_status: BTreeMap<String, u64>,
    /// Attempts in total.
    pub attempts: u64,
    /// Credits spent.
    pub cost: Credits,
    /// Total time spent in calls.
    pub busy: Duration,
    /// The last error seen, if any.
    pub last_error: Option<String>,
}

/// A stored run with its per-stage totals (for `leadgen runs show`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    /// The run record.
    pub run: RunRecord,
    /// Totals per stage, from the stage-run records.
    pub stages: BTreeMap<String, StageRunStats>,
}

impl RunReport {
    /// The report as text.
    pub fn to_text(&self) -> String {
        let r = &self.run;
        let mut out = format!(
            "run {} ({}): {}\n  stages: {}\n  spent: {}{}\n  created {}{}{}\n",
            r.id,
            r.kind,
            r.status.as_str(),
            r.stages.join(", "),
            r.spent,
            r.budget
                .map(|b| format!(" of budget {b}"))
                .unwrap_or_default(),
            r.created_at.to_rfc3339(),
            r.started_at
                .map(|t| format!(", started {}", t.to_rfc3339()))
                .unwrap_or_default(),
            r.finished_at
                .map(|t| format!(", finished {}", t.to_rfc3339()))
                .unwrap_or_default(),
        );
        for (stage, s) in &self.stages {
            let statuses: Vec<String> = s
                .by_status
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect();
            let _ = writeln!(
                out,
                "  {stage}: {} attempts ({}), {} credits, {:.1?} busy{}",
                s.attempts,
                statuses.join(", "),
                s.cost,
                s.busy,
                s.last_error
                    .as_ref()
                    .map(|e| format!("; last error: {e}"))
                    .unwrap_or_default()
            );
        }
        out
    }
}

/// The newest runs of the tenant (for `leadgen runs list`).
pub async fn list_runs(store: &TenantStore, limit: usize) -> Result<Vec<RunRecord>> {
    store.list_runs(limit).await
}

/// One run with per-stage totals (for `leadgen runs show`).
pub async fn run_report(store: &TenantStore, run_id: RunId) -> Result<RunReport> {
    let run = store
        .get_run(run_id)
        .await?
        .ok_or_else(|| Error::NotFound {
            entity: "run",
            id: run_id.to_string(),
        })?;
    let mut stages: BTreeMap<String, StageRunStats> = run
        .stages
        .iter()
        .map(|s| (s.clone(), StageRunStats::default()))
        .collect();
    for rec in store.list_stage_runs(run_id).await? {
        let s = stages.entry(rec.stage.clone()).or_default();
        *s.by_status
            .entry(rec.status.as_str().to_string())
            .or_default() += 1;
        s.attempts += 1;
        s.cost += rec.cost;
        s.busy += (rec.finished_at - rec.started_at)
            .to_std()
            .unwrap_or_default();
        if rec.status == CompletionStatus::Failed && rec.error.is_some() {
            s.last_error = rec.error.clone();
        }
    }
    Ok(RunReport { run, stages })
}
