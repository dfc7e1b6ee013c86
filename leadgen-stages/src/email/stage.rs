//! The `email_validation` stage: validates a contact's email and writes the status
//! and flags back to the contact, with provenance.

use std::sync::Arc;

use async_trait::async_trait;
use leadgen_core::stage::{Dependency, Gate, Stage, StageContext, StageOutcome};
use leadgen_core::{Credits, Entity, EntityKind, Provenance, Result};

use super::cache::VerificationCache;
use super::result::{Depth, EmailVerification, VerificationStatus};
use super::validator::EmailValidator;

/// The stage id.
pub const STAGE_ID: &str = "email_validation";
/// The provenance source written with the results.
pub const PROVENANCE_SOURCE: &str = "stage:email_validation";

/// Attributes the stage writes on the contact.
pub mod attributes {
    /// `true`/`false`: the domain is disposable.
    pub const DISPOSABLE: &str = "email_disposable";
    /// `true`/`false`: a role account.
    pub const ROLE_ACCOUNT: &str = "email_role_account";
    /// `true`/`false`: a free-mail provider.
    pub const FREE_PROVIDER: &str = "email_free_provider";
    /// Comma-separated reason codes.
    pub const REASONS: &str = "email_reasons";
    /// The provider's canonical mailbox, when known.
    pub const CANONICAL: &str = "email_canonical";
    /// The depth checked (`syntax`, `mx`, `smtp`).
    pub const DEPTH: &str = "email_check_depth";
}

/// Validates contacts' emails at a depth: `syntax` (free, offline), `mx`, `smtp`.
///
/// ```
/// use std::sync::Arc;
/// use leadgen_core::Stage;
/// use leadgen_stages::email::{Depth, EmailValidationStage, EmailValidator, ValidatorOptions};
/// let stage = EmailValidationStage::new(
///     Arc::new(EmailValidator::offline(ValidatorOptions::default())),
///     Depth::Syntax,
/// );
/// assert_eq!(stage.id(), "email_validation");
/// ```
#[derive(Debug, Clone)]
pub struct EmailValidationStage {
    validator: Arc<EmailValidator>,
    depth: Depth,
    use_store_cache: bool,
    cache_ttl: Option<chrono::Duration>,
}

impl EmailValidationStage {
    /// A stage validating at `depth` (limited to what `validator` can reach), caching
    /// results in the run's store.
    pub fn new(validator: Arc<EmailValidator>, depth: Depth) -> Self {
        EmailValidationStage {
            validator,
            depth,
            use_store_cache: true,
            cache_ttl: None,
        }
    }

    /// Whether to reuse and keep results in the store's verification cache.
    pub fn with_store_cache(mut self, yes: bool) -> Self {
        self.use_store_cache = yes;
        self
    }

    /// The cache TTL (default 90 days).
    pub fn with_cache_ttl(mut self, ttl: chrono::Duration) -> Self {
        self.cache_ttl = Some(ttl);
        self
    }

    /// The depth the stage checks to.
    pub fn depth(&self) -> Depth {
        self.validator.effective_depth(self.depth)
    }
}

fn confidence(v: &EmailVerification) -> f32 {
    match (v.status, v.depth) {
        (VerificationStatus::Unknown, _) => 0.3,
        (VerificationStatus::Invalid, Depth::Syntax) => 1.0,
        (_, Depth::Syntax) => 0.5,
        (_, Depth::Mx) => 0.7,
        (_, Depth::Smtp) => 0.9,
    }
}

#[async_trait]
impl Stage for EmailValidationStage {
    fn id(&self) -> &str {
        STAGE_ID
    }

    fn entity_kind(&self) -> EntityKind {
        EntityKind::Contact
    }

    /// Soft on `normalize_contact`: when a run also normalizes contacts, the
    /// normalized address is validated, and the two stages never write the same
    /// contact at once (each writes the whole record; the later write would drop the
    /// other's fields).
    fn dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::soft("normalize_contact")]
    }

    fn gate(&self, entity: &Entity) -> Gate {
        match entity {
            Entity::Contact(c) if c.email.as_deref().is_some_and(|e| !e.trim().is_empty()) => {
                Gate::Admit
            }
            Entity::Contact(_) => Gate::Skip("contact has no email".into()),
            _ => Gate::Skip("not a contact".into()),
        }
    }

    fn provider(&self) -> Option<&str> {
        match self.depth() {
            Depth::Syntax => None,
            Depth::Mx => Some("dns"),
            Depth::Smtp => Some("smtp"),
        }
    }

    async fn run(&self, ctx: &StageContext, entity: &Entity) -> Result<StageOutcome> {
        let Entity::Contact(contact) = entity else {
            return Ok(StageOutcome::Skipped {
                reason: "not a contact".into(),
            });
        };
        let Some(email) = contact.email.as_deref().filter(|e| !e.trim().is_empty()) else {
            return Ok(StageOutcome::Skipped {
                reason: "contact has no email".into(),
            });
        };
        let cache = self.use_store_cache.then(|| {
            let c = VerificationCache::for_store(ctx.store.clone());
            match self.cache_ttl {
                Some(ttl) => c.with_ttl(ttl),
                None => c,
            }
        });
        let v = self
            .validator
            .validate_with_cache(email, self.depth, cache.as_ref())
            .await;
        let mut updated = contact.clone();
        updated.email_status = v.status.to_email_status();
        let yes_no = |b: bool| if b { "true" } else { "false" }.to_string();
        let a = &mut updated.attributes;
        a.insert(attributes::DISPOSABLE, yes_no(v.flags.disposable));
        a.insert(attributes::ROLE_ACCOUNT, yes_no(v.flags.role_account));
        a.insert(attributes::FREE_PROVIDER, yes_no(v.flags.free_provider));
        a.insert(
            attributes::REASONS,
            v.reasons
                .iter()
                .map(|r| r.code())
                .collect::<Vec<_>>()
                .join(","),
        );
        a.insert(attributes::DEPTH, v.depth.as_str().into());
        match &v.canonical {
            Some(c) => {
                a.insert(attributes::CANONICAL, c.clone());
            }
            None => {
                a.remove(attributes::CANONICAL);
            }
        }
        let provenance = Provenance::new(PROVENANCE_SOURCE, v.checked_at, confidence(&v));
        for field in [
            "email_status",
            "attributes.email_disposable",
            "attributes.email_role_account",
            "attributes.email_free_provider",
        ] {
            updated.set_provenance(field, provenance.clone());
        }
        updated.updated_at = ctx.clock.now();
        let output = serde_json::to_value(&v).unwrap_or(serde_json::Value::Null);
        Ok(StageOutcome::Completed {
            output,
            cost: Credits::ZERO,
            updated: Some(Box::new(Entity::Contact(updated))),
        })
    }
}
