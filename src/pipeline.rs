//! Ready-made pipelines over one tenant: the built-in stages in a registry, planning
//! and running them with a progress callback, email validation without a store, and
//! the main job (import → normalize → dedup → validate emails → export) in one call.
//!
//! The command line and the Python and Node bindings use these entry points, so they
//! all run the same stages the same way.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use leadgen::pipeline::{self, EntitySelection};
//! use leadgen::prelude::*;
//!
//! let acme = Leadgen::open("sqlite::memory:").await?.tenant("acme")?;
//! let mut jana = Contact::new();
//! jana.email = Some("Jana@Lumentis.CZ".into());
//! jana.full_name = Some("jana nováková".into());
//! acme.upsert_contact(&jana).await?;
//! let stages = ["normalize_contact".to_string(), "email_validation".into()];
//! let plan = pipeline::plan(&acme, &stages, EntitySelection::All).await?;
//! assert_eq!(plan.pairs_to_run, 2);
//! let summary = pipeline::run(&acme, &stages, EntitySelection::All, None).await?;
//! assert_eq!(summary.pairs_finished(), 2);
//! let stored = acme.get_contact(jana.id).await?.unwrap();
//! assert_eq!(stored.email_status, EmailStatus::Valid);
//! # Ok::<(), leadgen::Error>(())
//! # }).unwrap();
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use leadgen_core::dedup::bulk::{AppliedMerges, dedup_stored_contacts};
use leadgen_core::dedup::{DedupConfig, MergeStrategy};
use leadgen_core::executor::{EventCallback, Executor, ExecutorConfig, RunRequest, StageRegistry};
use leadgen_core::normalize::{NormalizeCompanyStage, NormalizeContactStage};
use leadgen_core::store::TenantStore;
use leadgen_core::{EntityRef, Result};
use leadgen_stages::email::{
    Depth, EmailValidationStage, EmailValidator, EmailVerification, ValidatorOptions,
};
use leadgen_stages::export::{ExportFormat, ExportOptions, ExportSummary, export_contacts};
use leadgen_stages::import::{ImportOptions, ImportReport, import_file};

pub use leadgen_core::executor::EntitySelection;
pub use leadgen_core::executor::{ExecutorEvent, Plan, RunSummary};

/// The ids of the built-in stages, in the order the main job runs them.
pub const BUILTIN_STAGES: &[&str] = &["normalize_company", "normalize_contact", "email_validation"];

/// A registry of the built-in stages: `normalize_company`, `normalize_contact` and
/// `email_validation` (offline: syntax, disposable, role and free-mail flags).
pub fn builtin_registry() -> Result<StageRegistry> {
    let mut registry = StageRegistry::new();
    registry.register(Arc::new(NormalizeCompanyStage))?;
    registry.register(Arc::new(NormalizeContactStage))?;
    registry.register(Arc::new(EmailValidationStage::new(
        OFFLINE.clone(),
        Depth::Syntax,
    )))?;
    Ok(registry)
}

/// An executor over the built-in stages, sending every event to `on_event`.
pub fn builtin_executor(on_event: Option<EventCallback>) -> Result<Executor> {
    let executor = Executor::new(builtin_registry()?, ExecutorConfig::default())?;
    Ok(match on_event {
        Some(callback) => executor.on_event(callback),
        None => executor,
    })
}

/// What running `stages` over `entities` would do, with nothing run.
pub async fn plan(
    store: &TenantStore,
    stages: &[String],
    entities: EntitySelection,
) -> Result<Plan> {
    let request = RunRequest::new(stages.iter().map(String::as_str), entities);
    builtin_executor(None)?.plan(store, &request).await
}

/// Runs the built-in `stages` over `entities`; `on_event` receives every progress
/// event inline (keep it cheap).
pub async fn run(
    store: &TenantStore,
    stages: &[String],
    entities: EntitySelection,
    on_event: Option<EventCallback>,
) -> Result<RunSummary> {
    let request = RunRequest::new(stages.iter().map(String::as_str), entities);
    builtin_executor(on_event)?.run(store, request).await
}

/// The offline validator, built once (its flag lists are parsed on first use).
static OFFLINE: LazyLock<Arc<EmailValidator>> =
    LazyLock::new(|| Arc::new(EmailValidator::offline(ValidatorOptions::default())));

/// The shared offline email validator (syntax, normalization, flags; no network).
pub fn offline_validator() -> &'static Arc<EmailValidator> {
    &OFFLINE
}

/// Validates one address offline (syntax, normalization, disposable/role/free-mail
/// flags): the same verdict as the `email_validation` stage. No store, no network.
///
/// ```
/// let v = leadgen::pipeline::validate_email("Info@Mailinator.com");
/// assert_eq!(v.status.as_str(), "risky");
/// assert!(v.flags.disposable && v.flags.role_account);
/// ```
pub fn validate_email(address: &str) -> EmailVerification {
    OFFLINE.check_syntax(address)
}

/// Validates addresses offline, results in input order; see [`validate_email`].
pub fn validate_emails(addresses: &[String]) -> Vec<EmailVerification> {
    addresses.iter().map(|a| OFFLINE.check_syntax(a)).collect()
}

/// The steps and output of [`main_job`].
#[derive(Debug, Clone)]
pub struct MainJobOptions {
    /// How to read the input file.
    pub import: ImportOptions,
    /// Normalize names, titles, countries, phones, URLs (default on).
    pub normalize: bool,
    /// Merge duplicate contacts in the store (default on).
    pub dedup: bool,
    /// Validate emails offline (default on).
    pub validate_emails: bool,
    /// Export the job's contacts here (format from the extension), if set.
    pub output: Option<PathBuf>,
    /// The exported columns (default: the standard ones).
    pub columns: Option<Vec<String>>,
}

impl Default for MainJobOptions {
    /// Every step on, nothing exported.
    fn default() -> Self {
        MainJobOptions {
            import: ImportOptions::default(),
            normalize: true,
            dedup: true,
            validate_emails: true,
            output: None,
            columns: None,
        }
    }
}

/// What [`main_job`] did, step by step (`None`: the step was off).
#[derive(Debug, Clone)]
pub struct MainJobReport {
    /// The import.
    pub import: ImportReport,
    /// The normalization run.
    pub normalize: Option<RunSummary>,
    /// Merges applied by deduplication.
    pub dedup: Option<AppliedMerges>,
    /// The email validation run.
    pub validate_emails: Option<RunSummary>,
    /// The export.
    pub export: Option<ExportSummary>,
    /// The job's contacts after dedup (imported or matched, survivors only).
    pub contacts: usize,
}

/// The main job on one file: import it, normalize and dedup the contacts it touched,
/// validate their emails, export them. `on_event` gets the executor's events.
pub async fn main_job(
    store: &TenantStore,
    input: &Path,
    options: &MainJobOptions,
    on_event: Option<EventCallback>,
) -> Result<MainJobReport> {
    let import = import_file(store, input, &options.import).await?;
    let mut seen = HashSet::new();
    let mut contacts: Vec<_> = import
        .outcomes
        .iter()
        .filter_map(|o| o.contact)
        .filter(|id| seen.insert(*id))
        .collect();
    let refs = |ids: &[leadgen_core::ContactId]| {
        EntitySelection::Refs(ids.iter().map(|c| EntityRef::from(*c)).collect())
    };
    let normalize = if options.normalize && !contacts.is_empty() {
        let stages = ["normalize_contact".to_string()];
        Some(run(store, &stages, refs(&contacts), on_event.clone()).await?)
    } else {
        None
    };
    let dedup = if options.dedup {
        let strategy = MergeStrategy::MergeFields {
            source_priority: vec!["user".into(), "crm".into(), "import".into()],
        };
        let bulk = dedup_stored_contacts(store, &DedupConfig::contacts(), &strategy, true).await?;
        let gone: HashSet<EntityRef> = bulk.merged_away.iter().copied().collect();
        contacts.retain(|id| !gone.contains(&EntityRef::from(*id)));
        Some(bulk.applied)
    } else {
        None
    };
    let validate_emails = if options.validate_emails && !contacts.is_empty() {
        let stages = ["email_validation".to_string()];
        Some(run(store, &stages, refs(&contacts), on_event.clone()).await?)
    } else {
        None
    };
    let export = match &options.output {
        Some(path) => {
            let mut export = ExportOptions::new(ExportFormat::from_path(path)?);
            export.columns = options.columns.clone();
            export.contact_ids = Some(contacts.clone());
            Some(export_contacts(store, path, &export).await?)
        }
        None => None,
    };
    Ok(MainJobReport {
        import,
        normalize,
        dedup,
        validate_emails,
        export,
        contacts: contacts.len(),
    })
}
