//! `Leadgen` (an open store) and `Tenant` (one tenant's view of it): one-line
//! delegations to the Rust facade, with the GIL released while Rust works.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use leadgen::core::store::{
    AuditEntry, AuditFilter, CompanyFilter, ContactFilter, PageRequest, TenantStore,
};
use leadgen::core::{CompanyId, ContactId, EntityKind, EntityRef, RunId};
use leadgen::{Error, ErrorKind};
use pyo3::prelude::*;

use crate::dedup::PyDedupReport;
use crate::errors::{invalid, to_py};
use crate::records::{PyCompany, PyContact, parse_enum};
use crate::reports::{PyAuditEntry, PyCompanyPage, PyContactPage, PyRun, PyUpsertReport};
use crate::runtime::{awaitable, block_on};
use leadgen::core::dedup::DedupConfig;
use leadgen::core::dedup::bulk::{dedup_stored_companies, dedup_stored_contacts};

/// Fails when a handle crosses a `fork()`: its connections belong to the parent.
fn same_process(opened_in: u32) -> PyResult<()> {
    if opened_in == std::process::id() {
        return Ok(());
    }
    Err(to_py(Error::Store {
        kind: ErrorKind::Connection,
        backend: "leadgen",
        message: format!(
            "this store was opened in process {opened_in} and cannot be used after fork(); \
             call leadgen.open(...) again in this process"
        ),
        source: None,
    }))
}

/// An open leadgen store: `Leadgen.open("leads.db")`, `"sqlite::memory:"`,
/// `"postgres://user@host/db"`. Usable as a context manager (closes on exit).
#[pyclass(module = "leadgen", name = "Leadgen", frozen)]
pub struct PyLeadgen {
    inner: leadgen::Leadgen,
    pid: u32,
}

#[pymethods]
impl PyLeadgen {
    /// Opens (and migrates) the store at `url`.
    #[staticmethod]
    fn open(py: Python<'_>, url: String) -> PyResult<Self> {
        let inner = block_on(py, async move { leadgen::Leadgen::open(&url).await })?;
        Ok(PyLeadgen {
            inner,
            pid: std::process::id(),
        })
    }

    /// A handle scoped to one tenant (a slug: letters, digits, `-`, `_`, `.`).
    fn tenant(&self, tenant_id: &str) -> PyResult<PyTenant> {
        same_process(self.pid)?;
        let inner = self.inner.tenant(tenant_id).map_err(to_py)?;
        Ok(PyTenant {
            inner: Arc::new(inner),
            pid: self.pid,
        })
    }

    /// The backend's name: `"sqlite"` or `"postgres"`.
    #[getter]
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    /// Closes the store; later calls raise `StoreConnectionError`.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        same_process(self.pid)?;
        let inner = self.inner.clone();
        block_on(py, async move {
            inner.close().await;
            Ok(())
        })
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("Leadgen(backend={:?})", self.inner.backend())
    }
}

/// One tenant's view of the store: every call is scoped to this tenant.
#[pyclass(module = "leadgen", name = "Tenant", frozen)]
pub struct PyTenant {
    inner: Arc<TenantStore>,
    pid: u32,
}

impl PyTenant {
    /// The tenant store, checked to be used in the process that opened it.
    pub(crate) fn store(&self) -> PyResult<Arc<TenantStore>> {
        same_process(self.pid)?;
        Ok(self.inner.clone())
    }
}

pub(crate) fn contact_id(id: &str) -> PyResult<ContactId> {
    ContactId::parse(id).map_err(to_py)
}

pub(crate) fn company_id(id: &str) -> PyResult<CompanyId> {
    CompanyId::parse(id).map_err(to_py)
}

fn contacts_in(contacts: Vec<PyContact>) -> PyResult<Vec<leadgen::core::Contact>> {
    contacts.into_iter().map(TryInto::try_into).collect()
}

fn companies_in(companies: Vec<PyCompany>) -> PyResult<Vec<leadgen::core::Company>> {
    companies.into_iter().map(TryInto::try_into).collect()
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn contact_filter(
    company_id: Option<&str>,
    emails: Option<Vec<String>>,
    linkedin_urls: Option<Vec<String>>,
    email_status: Option<&str>,
    country: Option<String>,
    search: Option<String>,
    updated_since: Option<DateTime<Utc>>,
    updated_before: Option<DateTime<Utc>>,
    include_merged: bool,
    keyless: bool,
) -> PyResult<ContactFilter> {
    Ok(ContactFilter {
        company_id: company_id.map(self::company_id).transpose()?,
        emails: emails.unwrap_or_default(),
        linkedin_urls: linkedin_urls.unwrap_or_default(),
        email_status: email_status
            .map(|s| parse_enum("email_status", s))
            .transpose()?,
        country,
        search,
        updated_since,
        updated_before,
        include_merged,
        keyless,
    })
}

pub(crate) fn company_filter(
    domains: Option<Vec<String>>,
    country: Option<String>,
    name_contains: Option<String>,
    updated_since: Option<DateTime<Utc>>,
    updated_before: Option<DateTime<Utc>>,
    include_merged: bool,
) -> CompanyFilter {
    CompanyFilter {
        domains: domains.unwrap_or_default(),
        country,
        name_contains,
        updated_since,
        updated_before,
        include_merged,
    }
}

/// A page request; a negative `limit` is rejected (not wrapped, not overflowed).
fn page(limit: i64, cursor: Option<String>) -> PyResult<PageRequest> {
    Ok(PageRequest {
        limit: count("limit", limit)?,
        cursor,
    })
}

/// A non-negative count given as a Python int.
fn count(field: &str, n: i64) -> PyResult<usize> {
    usize::try_from(n).map_err(|_| invalid(field, format!("{n} is negative")))
}

pub(crate) fn entity_ref(text: &str) -> PyResult<EntityRef> {
    let (kind, id) = text.split_once(':').ok_or_else(|| {
        invalid(
            "entity",
            format!("{text:?}: expected 'contact:<id>' or 'company:<id>'"),
        )
    })?;
    let kind = EntityKind::parse(kind)
        .ok_or_else(|| invalid("entity", format!("{kind:?} is not 'contact' or 'company'")))?;
    let id = match kind {
        EntityKind::Contact => contact_id(id)?.0,
        EntityKind::Company => company_id(id)?.0,
    };
    Ok(EntityRef { kind, id })
}

#[pymethods]
impl PyTenant {
    /// The tenant id of this handle.
    #[getter]
    fn tenant_id(&self) -> &str {
        self.inner.tenant().as_str()
    }

    fn __repr__(&self) -> String {
        format!("Tenant({:?})", self.inner.tenant().as_str())
    }

    // --- contacts ------------------------------------------------------------------

    /// Inserts or replaces one contact (by id).
    fn upsert_contact(&self, py: Python<'_>, contact: PyContact) -> PyResult<PyUpsertReport> {
        let (store, contact) = (self.store()?, contact.try_into()?);
        block_on(py, async move { store.upsert_contact(&contact).await }).map(Into::into)
    }

    /// Inserts or replaces contacts, all-or-nothing.
    fn upsert_contacts(
        &self,
        py: Python<'_>,
        contacts: Vec<PyContact>,
    ) -> PyResult<PyUpsertReport> {
        let (store, contacts) = (self.store()?, contacts_in(contacts)?);
        block_on(py, async move { store.upsert_contacts(&contacts).await }).map(Into::into)
    }

    /// Like `upsert_contacts`, as an awaitable.
    fn upsert_contacts_async<'py>(
        &self,
        py: Python<'py>,
        contacts: Vec<PyContact>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (store, contacts) = (self.store()?, contacts_in(contacts)?);
        awaitable(
            py,
            async move { store.upsert_contacts(&contacts).await },
            |py, r| Ok(Bound::new(py, PyUpsertReport::from(r))?.into_any()),
        )
    }

    /// One contact by id, or `None`.
    fn get_contact(&self, py: Python<'_>, id: &str) -> PyResult<Option<PyContact>> {
        let (store, id) = (self.store()?, contact_id(id)?);
        block_on(py, async move { store.get_contact(id).await }).map(|c| c.map(Into::into))
    }

    /// Deletes a contact; `True` if it existed.
    fn delete_contact(&self, py: Python<'_>, id: &str) -> PyResult<bool> {
        let (store, id) = (self.store()?, contact_id(id)?);
        block_on(py, async move { store.delete_contact(id).await })
    }

    /// One page of contacts matching the filters (every given filter must match).
    #[pyo3(signature = (*, company_id=None, emails=None, linkedin_urls=None, email_status=None,
        country=None, search=None, updated_since=None, updated_before=None,
        include_merged=false, keyless=false, limit=100, cursor=None))]
    #[allow(clippy::too_many_arguments)]
    fn list_contacts(
        &self,
        py: Python<'_>,
        company_id: Option<&str>,
        emails: Option<Vec<String>>,
        linkedin_urls: Option<Vec<String>>,
        email_status: Option<&str>,
        country: Option<String>,
        search: Option<String>,
        updated_since: Option<DateTime<Utc>>,
        updated_before: Option<DateTime<Utc>>,
        include_merged: bool,
        keyless: bool,
        limit: i64,
        cursor: Option<String>,
    ) -> PyResult<PyContactPage> {
        let store = self.store()?;
        let filter = contact_filter(
            company_id,
            emails,
            linkedin_urls,
            email_status,
            country,
            search,
            updated_since,
            updated_before,
            include_merged,
            keyless,
        )?;
        let page = page(limit, cursor)?;
        block_on(py, async move { store.list_contacts(&filter, &page).await }).map(Into::into)
    }

    /// Every contact matching the filters, as a list.
    #[pyo3(signature = (*, company_id=None, emails=None, linkedin_urls=None, email_status=None,
        country=None, search=None, updated_since=None, updated_before=None, include_merged=false,
        keyless=false))]
    #[allow(clippy::too_many_arguments)]
    fn all_contacts(
        &self,
        py: Python<'_>,
        company_id: Option<&str>,
        emails: Option<Vec<String>>,
        linkedin_urls: Option<Vec<String>>,
        email_status: Option<&str>,
        country: Option<String>,
        search: Option<String>,
        updated_since: Option<DateTime<Utc>>,
        updated_before: Option<DateTime<Utc>>,
        include_merged: bool,
        keyless: bool,
    ) -> PyResult<Vec<PyContact>> {
        let store = self.store()?;
        let filter = contact_filter(
            company_id,
            emails,
            linkedin_urls,
            email_status,
            country,
            search,
            updated_since,
            updated_before,
            include_merged,
            keyless,
        )?;
        let all = block_on(py, async move { store.all_contacts(&filter).await })?;
        Ok(all.into_iter().map(Into::into).collect())
    }

    /// How many contacts match the filters.
    #[pyo3(signature = (*, company_id=None, emails=None, linkedin_urls=None, email_status=None,
        country=None, search=None, updated_since=None, updated_before=None, include_merged=false,
        keyless=false))]
    #[allow(clippy::too_many_arguments)]
    fn count_contacts(
        &self,
        py: Python<'_>,
        company_id: Option<&str>,
        emails: Option<Vec<String>>,
        linkedin_urls: Option<Vec<String>>,
        email_status: Option<&str>,
        country: Option<String>,
        search: Option<String>,
        updated_since: Option<DateTime<Utc>>,
        updated_before: Option<DateTime<Utc>>,
        include_merged: bool,
        keyless: bool,
    ) -> PyResult<u64> {
        let store = self.store()?;
        let filter = contact_filter(
            company_id,
            emails,
            linkedin_urls,
            email_status,
            country,
            search,
            updated_since,
            updated_before,
            include_merged,
            keyless,
        )?;
        block_on(py, async move { store.count_contacts(&filter).await })
    }

    // --- companies -----------------------------------------------------------------

    /// Inserts or replaces one company (by id).
    fn upsert_company(&self, py: Python<'_>, company: PyCompany) -> PyResult<PyUpsertReport> {
        let (store, company) = (self.store()?, company.try_into()?);
        block_on(py, async move { store.upsert_company(&company).await }).map(Into::into)
    }

    /// Inserts or replaces companies, all-or-nothing.
    fn upsert_companies(
        &self,
        py: Python<'_>,
        companies: Vec<PyCompany>,
    ) -> PyResult<PyUpsertReport> {
        let (store, companies) = (self.store()?, companies_in(companies)?);
        block_on(py, async move { store.upsert_companies(&companies).await }).map(Into::into)
    }

    /// One company by id, or `None`.
    fn get_company(&self, py: Python<'_>, id: &str) -> PyResult<Option<PyCompany>> {
        let (store, id) = (self.store()?, company_id(id)?);
        block_on(py, async move { store.get_company(id).await }).map(|c| c.map(Into::into))
    }

    /// Deletes a company; `True` if it existed. Its contacts stay, unlinked.
    fn delete_company(&self, py: Python<'_>, id: &str) -> PyResult<bool> {
        let (store, id) = (self.store()?, company_id(id)?);
        block_on(py, async move { store.delete_company(id).await })
    }

    /// One page of companies matching the filters.
    #[pyo3(signature = (*, domains=None, country=None, name_contains=None, updated_since=None,
        updated_before=None, include_merged=false, limit=100, cursor=None))]
    #[allow(clippy::too_many_arguments)]
    fn list_companies(
        &self,
        py: Python<'_>,
        domains: Option<Vec<String>>,
        country: Option<String>,
        name_contains: Option<String>,
        updated_since: Option<DateTime<Utc>>,
        updated_before: Option<DateTime<Utc>>,
        include_merged: bool,
        limit: i64,
        cursor: Option<String>,
    ) -> PyResult<PyCompanyPage> {
        let store = self.store()?;
        let filter = company_filter(
            domains,
            country,
            name_contains,
            updated_since,
            updated_before,
            include_merged,
        );
        let page = page(limit, cursor)?;
        block_on(
            py,
            async move { store.list_companies(&filter, &page).await },
        )
        .map(Into::into)
    }

    /// Every company matching the filters, as a list.
    #[pyo3(signature = (*, domains=None, country=None, name_contains=None, updated_since=None,
        updated_before=None, include_merged=false))]
    fn all_companies(
        &self,
        py: Python<'_>,
        domains: Option<Vec<String>>,
        country: Option<String>,
        name_contains: Option<String>,
        updated_since: Option<DateTime<Utc>>,
        updated_before: Option<DateTime<Utc>>,
        include_merged: bool,
    ) -> PyResult<Vec<PyCompany>> {
        let store = self.store()?;
        let filter = company_filter(
            domains,
            country,
            name_contains,
            updated_since,
            updated_before,
            include_merged,
        );
        let all = block_on(py, async move { store.all_companies(&filter).await })?;
        Ok(all.into_iter().map(Into::into).collect())
    }

    /// How many companies match the filters.
    #[pyo3(signature = (*, domains=None, country=None, name_contains=None, updated_since=None,
        updated_before=None, include_merged=false))]
    fn count_companies(
        &self,
        py: Python<'_>,
        domains: Option<Vec<String>>,
        country: Option<String>,
        name_contains: Option<String>,
        updated_since: Option<DateTime<Utc>>,
        updated_before: Option<DateTime<Utc>>,
        include_merged: bool,
    ) -> PyResult<u64> {
        let store = self.store()?;
        let filter = company_filter(
            domains,
            country,
            name_contains,
            updated_since,
            updated_before,
            include_merged,
        );
        block_on(py, async move { store.count_companies(&filter).await })
    }

    // --- runs and audit ------------------------------------------------------------

    /// The newest runs first.
    #[pyo3(signature = (limit=20))]
    fn list_runs(&self, py: Python<'_>, limit: i64) -> PyResult<Vec<PyRun>> {
        let (store, limit) = (self.store()?, count("limit", limit)?);
        let runs = block_on(py, async move { store.list_runs(limit).await })?;
        Ok(runs.into_iter().map(Into::into).collect())
    }

    /// One run by id, or `None`.
    fn get_run(&self, py: Python<'_>, id: &str) -> PyResult<Option<PyRun>> {
        let (store, id) = (self.store()?, RunId::parse(id).map_err(to_py)?);
        block_on(py, async move { store.get_run(id).await }).map(|r| r.map(Into::into))
    }

    /// Audit entries, newest first; `entity` is `"contact:<id>"` or `"company:<id>"`.
    #[pyo3(signature = (*, entity=None, action=None, limit=100))]
    fn list_audit(
        &self,
        py: Python<'_>,
        entity: Option<&str>,
        action: Option<String>,
        limit: i64,
    ) -> PyResult<Vec<PyAuditEntry>> {
        let (store, limit) = (self.store()?, count("limit", limit)?);
        let filter = AuditFilter {
            entity: entity.map(entity_ref).transpose()?,
            action,
            limit,
        };
        let entries = block_on(py, async move { store.list_audit(&filter).await })?;
        Ok(entries.into_iter().map(Into::into).collect())
    }

    /// Appends one audit entry (`actor` e.g. `"user:alice"`, `action` e.g. `"export"`).
    #[pyo3(signature = (actor, action, *, entity=None, details=None))]
    fn append_audit(
        &self,
        py: Python<'_>,
        actor: String,
        action: String,
        entity: Option<&str>,
        details: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let store = self.store()?;
        let mut entry = AuditEntry::new(actor, action);
        entry.entity = entity.map(entity_ref).transpose()?;
        if let Some(details) = details {
            entry.details = crate::json::from_py(details)?;
        }
        block_on(py, async move { store.append_audit(&[entry]).await })
    }
}

#[pymethods]
impl PyTenant {
    /// Finds duplicate contacts; with `apply=True` merges each cluster by `strategy`
    /// (`keep_newest`, `keep_most_complete`, `merge_fields`, `skip`), keeping tombstones
    /// and audit entries so a merge can be undone.
    #[pyo3(signature = (*, apply=false, strategy="keep_newest", source_priority=None))]
    fn dedup_contacts(
        &self,
        py: Python<'_>,
        apply: bool,
        strategy: &str,
        source_priority: Option<Vec<String>>,
    ) -> PyResult<PyDedupReport> {
        let (store, strategy) = (
            self.store()?,
            crate::dedup::strategy(strategy, source_priority)?,
        );
        let config = DedupConfig::contacts();
        let run = block_on(py, async move {
            dedup_stored_contacts(&store, &config, &strategy, apply).await
        })?;
        Ok(PyDedupReport::new(run, apply))
    }

    /// Finds duplicate companies; see `dedup_contacts`.
    #[pyo3(signature = (*, apply=false, strategy="keep_newest", source_priority=None))]
    fn dedup_companies(
        &self,
        py: Python<'_>,
        apply: bool,
        strategy: &str,
        source_priority: Option<Vec<String>>,
    ) -> PyResult<PyDedupReport> {
        let (store, strategy) = (
            self.store()?,
            crate::dedup::strategy(strategy, source_priority)?,
        );
        let config = DedupConfig::companies();
        let run = block_on(py, async move {
            dedup_stored_companies(&store, &config, &strategy, apply).await
        })?;
        Ok(PyDedupReport::new(run, apply))
    }
}
