//! `Leadgen` (an open store) and `Tenant` (one tenant's view of it): one-line
//! delegations to the Rust facade. Every I/O call returns a Promise and runs off the
//! JavaScript thread.

use std::sync::Arc;

use leadgen::core::store::{AuditEntry as RsAuditEntry, AuditFilter, TenantStore};
use leadgen::core::{
    Company as RsCompany, CompanyId, Contact as RsContact, ContactId, EntityKind, EntityRef, RunId,
};
use napi::Env;
use napi::bindgen_prelude::PromiseRaw;
use napi_derive::napi;

use crate::dedup::{DedupOptions, DedupReport};
use crate::errors::{invalid, promise, thrown};
use crate::records::{Company, CompanyInput, Contact, ContactInput};
use crate::reports::{
    AuditEntry, AuditInput, AuditQuery, CompanyPage, CompanyQuery, ContactPage, ContactQuery,
    PageOptions, Run, UpsertReport, company_filter, contact_filter, count, page_request,
};
use leadgen::core::dedup::DedupConfig;
use leadgen::core::dedup::bulk::{dedup_stored_companies, dedup_stored_contacts};

/// An open leadgen store. Open it with `Leadgen.open(url)` (or `open(url)`):
/// a SQLite file path or `sqlite://` URL, `sqlite::memory:`, or a `postgres://` URL.
#[napi]
pub struct Leadgen {
    inner: leadgen::Leadgen,
}

#[napi]
impl Leadgen {
    /// Opens (and migrates) the store at `url`.
    #[napi(ts_return_type = "Promise<Leadgen>")]
    pub fn open<'env>(env: &'env Env, url: String) -> napi::Result<PromiseRaw<'env, Leadgen>> {
        promise(env, async move {
            Ok(Leadgen {
                inner: leadgen::Leadgen::open(&url).await?,
            })
        })
    }

    /// A handle scoped to one tenant (a slug: letters, digits, `-`, `_`, `.`).
    #[napi]
    pub fn tenant(&self, env: Env, tenant_id: String) -> napi::Result<Tenant> {
        let inner = self.inner.tenant(&tenant_id).map_err(|e| thrown(&env, e))?;
        Ok(Tenant {
            inner: Arc::new(inner),
        })
    }

    /// The backend's name: `sqlite` or `postgres`.
    #[napi(getter)]
    pub fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    /// Closes the store; later calls reject with code `CONNECTION`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, ()>> {
        let inner = self.inner.clone();
        promise(env, async move {
            inner.close().await;
            Ok(())
        })
    }
}

/// Opens (and migrates) the store at `url`; same as `Leadgen.open(url)`.
#[napi(ts_return_type = "Promise<Leadgen>")]
pub fn open<'env>(env: &'env Env, url: String) -> napi::Result<PromiseRaw<'env, Leadgen>> {
    Leadgen::open(env, url)
}

/// One tenant's view of the store: every call is scoped to this tenant.
#[napi]
pub struct Tenant {
    inner: Arc<TenantStore>,
}

pub(crate) fn entity_ref(text: &str) -> leadgen::Result<EntityRef> {
    let (kind, id) = text.split_once(':').ok_or_else(|| {
        invalid(
            "entity",
            format!("{text:?}: expected 'contact:<id>' or 'company:<id>'"),
        )
    })?;
    let kind = EntityKind::parse(kind)
        .ok_or_else(|| invalid("entity", format!("{kind:?} is not 'contact' or 'company'")))?;
    let id = match kind {
        EntityKind::Contact => ContactId::parse(id)?.0,
        EntityKind::Company => CompanyId::parse(id)?.0,
    };
    Ok(EntityRef { kind, id })
}

impl Tenant {
    /// The tenant store (shared with the calls in flight).
    pub(crate) fn store(&self) -> Arc<TenantStore> {
        self.inner.clone()
    }
}

fn contacts_in(contacts: Vec<ContactInput>) -> leadgen::Result<Vec<RsContact>> {
    contacts.into_iter().map(TryInto::try_into).collect()
}

fn companies_in(companies: Vec<CompanyInput>) -> leadgen::Result<Vec<RsCompany>> {
    companies.into_iter().map(TryInto::try_into).collect()
}

#[napi]
impl Tenant {
    /// The tenant id of this handle.
    #[napi(getter)]
    pub fn tenant_id(&self) -> String {
        self.inner.tenant().as_str().to_string()
    }

    // --- contacts ------------------------------------------------------------------

    /// Inserts or replaces one contact (by id).
    #[napi(ts_return_type = "Promise<UpsertReport>")]
    pub fn upsert_contact<'env>(
        &self,
        env: &'env Env,
        contact: ContactInput,
    ) -> napi::Result<PromiseRaw<'env, UpsertReport>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store.upsert_contact(&contact.try_into()?).await?.into())
        })
    }

    /// Inserts or replaces contacts, all-or-nothing.
    #[napi(ts_return_type = "Promise<UpsertReport>")]
    pub fn upsert_contacts<'env>(
        &self,
        env: &'env Env,
        contacts: Vec<ContactInput>,
    ) -> napi::Result<PromiseRaw<'env, UpsertReport>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store.upsert_contacts(&contacts_in(contacts)?).await?.into())
        })
    }

    /// One contact by id, or `null`.
    #[napi(ts_return_type = "Promise<Contact | null>")]
    pub fn get_contact<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> napi::Result<PromiseRaw<'env, Option<Contact>>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store
                .get_contact(ContactId::parse(&id)?)
                .await?
                .map(Into::into))
        })
    }

    /// Deletes a contact; `true` if it existed.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn delete_contact<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> napi::Result<PromiseRaw<'env, bool>> {
        let store = self.inner.clone();
        promise(env, async move {
            store.delete_contact(ContactId::parse(&id)?).await
        })
    }

    /// One page of contacts matching `query`.
    #[napi(ts_return_type = "Promise<ContactPage>")]
    pub fn list_contacts<'env>(
        &self,
        env: &'env Env,
        query: Option<ContactQuery>,
        page: Option<PageOptions>,
    ) -> napi::Result<PromiseRaw<'env, ContactPage>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store
                .list_contacts(&contact_filter(query)?, &page_request(page)?)
                .await?
                .into())
        })
    }

    /// Every contact matching `query`.
    #[napi(ts_return_type = "Promise<Contact[]>")]
    pub fn all_contacts<'env>(
        &self,
        env: &'env Env,
        query: Option<ContactQuery>,
    ) -> napi::Result<PromiseRaw<'env, Vec<Contact>>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store
                .all_contacts(&contact_filter(query)?)
                .await?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// How many contacts match `query`.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn count_contacts<'env>(
        &self,
        env: &'env Env,
        query: Option<ContactQuery>,
    ) -> napi::Result<PromiseRaw<'env, i64>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(
                i64::try_from(store.count_contacts(&contact_filter(query)?).await?)
                    .unwrap_or(i64::MAX),
            )
        })
    }

    // --- companies -----------------------------------------------------------------

    /// Inserts or replaces one company (by id).
    #[napi(ts_return_type = "Promise<UpsertReport>")]
    pub fn upsert_company<'env>(
        &self,
        env: &'env Env,
        company: CompanyInput,
    ) -> napi::Result<PromiseRaw<'env, UpsertReport>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store.upsert_company(&company.try_into()?).await?.into())
        })
    }

    /// Inserts or replaces companies, all-or-nothing.
    #[napi(ts_return_type = "Promise<UpsertReport>")]
    pub fn upsert_companies<'env>(
        &self,
        env: &'env Env,
        companies: Vec<CompanyInput>,
    ) -> napi::Result<PromiseRaw<'env, UpsertReport>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store
                .upsert_companies(&companies_in(companies)?)
                .await?
                .into())
        })
    }

    /// One company by id, or `null`.
    #[napi(ts_return_type = "Promise<Company | null>")]
    pub fn get_company<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> napi::Result<PromiseRaw<'env, Option<Company>>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store
                .get_company(CompanyId::parse(&id)?)
                .await?
                .map(Into::into))
        })
    }

    /// Deletes a company; `true` if it existed. Its contacts stay, unlinked.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn delete_company<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> napi::Result<PromiseRaw<'env, bool>> {
        let store = self.inner.clone();
        promise(env, async move {
            store.delete_company(CompanyId::parse(&id)?).await
        })
    }

    /// One page of companies matching `query`.
    #[napi(ts_return_type = "Promise<CompanyPage>")]
    pub fn list_companies<'env>(
        &self,
        env: &'env Env,
        query: Option<CompanyQuery>,
        page: Option<PageOptions>,
    ) -> napi::Result<PromiseRaw<'env, CompanyPage>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store
                .list_companies(&company_filter(query), &page_request(page)?)
                .await?
                .into())
        })
    }

    /// Every company matching `query`.
    #[napi(ts_return_type = "Promise<Company[]>")]
    pub fn all_companies<'env>(
        &self,
        env: &'env Env,
        query: Option<CompanyQuery>,
    ) -> napi::Result<PromiseRaw<'env, Vec<Company>>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store
                .all_companies(&company_filter(query))
                .await?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// How many companies match `query`.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn count_companies<'env>(
        &self,
        env: &'env Env,
        query: Option<CompanyQuery>,
    ) -> napi::Result<PromiseRaw<'env, i64>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(
                i64::try_from(store.count_companies(&company_filter(query)).await?)
                    .unwrap_or(i64::MAX),
            )
        })
    }

    // --- runs and audit ------------------------------------------------------------

    /// The newest runs first (default 20).
    #[napi(ts_return_type = "Promise<Run[]>")]
    pub fn list_runs<'env>(
        &self,
        env: &'env Env,
        limit: Option<i64>,
    ) -> napi::Result<PromiseRaw<'env, Vec<Run>>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store
                .list_runs(count("limit", limit.unwrap_or(20))?)
                .await?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// One run by id, or `null`.
    #[napi(ts_return_type = "Promise<Run | null>")]
    pub fn get_run<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> napi::Result<PromiseRaw<'env, Option<Run>>> {
        let store = self.inner.clone();
        promise(env, async move {
            Ok(store.get_run(RunId::parse(&id)?).await?.map(Into::into))
        })
    }

    /// Audit entries, newest first.
    #[napi(ts_return_type = "Promise<AuditEntry[]>")]
    pub fn list_audit<'env>(
        &self,
        env: &'env Env,
        query: Option<AuditQuery>,
    ) -> napi::Result<PromiseRaw<'env, Vec<AuditEntry>>> {
        let store = self.inner.clone();
        promise(env, async move {
            let q = query.unwrap_or_default();
            let filter = AuditFilter {
                entity: q.entity.as_deref().map(entity_ref).transpose()?,
                action: q.action,
                limit: count("limit", q.limit.unwrap_or(100))?,
            };
            Ok(store
                .list_audit(&filter)
                .await?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// Appends one audit entry.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn append_audit<'env>(
        &self,
        env: &'env Env,
        entry: AuditInput,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let store = self.inner.clone();
        promise(env, async move {
            let mut e = RsAuditEntry::new(entry.actor, entry.action);
            e.entity = entry.entity.as_deref().map(entity_ref).transpose()?;
            e.details = entry.details.unwrap_or(serde_json::Value::Null);
            store.append_audit(&[e]).await
        })
    }
}

#[napi]
impl Tenant {
    /// Finds duplicate contacts; with `apply: true` merges each cluster by `strategy`,
    /// keeping tombstones and audit entries so a merge can be undone.
    #[napi(ts_return_type = "Promise<DedupReport>")]
    pub fn dedup_contacts<'env>(
        &self,
        env: &'env Env,
        options: Option<DedupOptions>,
    ) -> napi::Result<PromiseRaw<'env, DedupReport>> {
        let store = self.inner.clone();
        promise(env, async move {
            let options = options.unwrap_or_default();
            let (apply, strategy) = (
                options.apply.unwrap_or(false),
                crate::dedup::strategy(&options)?,
            );
            let run =
                dedup_stored_contacts(&store, &DedupConfig::contacts(), &strategy, apply).await?;
            Ok(DedupReport::new(run, apply))
        })
    }

    /// Finds duplicate companies; see `dedupContacts`.
    #[napi(ts_return_type = "Promise<DedupReport>")]
    pub fn dedup_companies<'env>(
        &self,
        env: &'env Env,
        options: Option<DedupOptions>,
    ) -> napi::Result<PromiseRaw<'env, DedupReport>> {
        let store = self.inner.clone();
        promise(env, async move {
            let options = options.unwrap_or_default();
            let (apply, strategy) = (
                options.apply.unwrap_or(false),
                crate::dedup::strategy(&options)?,
            );
            let run =
                dedup_stored_companies(&store, &DedupConfig::companies(), &strategy, apply).await?;
            Ok(DedupReport::new(run, apply))
        })
    }
}
