//! Companies and contacts on PostgreSQL.
//!
//! Bulk upserts are set-based: one `INSERT … SELECT FROM UNNEST(arrays)` per chunk
//! of rows, never one statement per row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadgen_core::store::{
    CompanyFilter, ContactFilter, EntityStore, Page, PageRequest, UpsertReport, email_key,
};
use leadgen_core::{Company, CompanyId, Contact, ContactId, Result, TenantId};
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use uuid::Uuid;

use super::{BACKEND, PostgresStore, db};
use crate::codec::{
    CompanyRow, ContactRow, DocForm, company_rows, contact_rows, country_key, cursor, domain_key,
    from_doc, search_key,
};
use crate::error::{StoreError, StoreResult};

/// Rows per `UNNEST` statement: big enough to amortize the round trip, small
/// enough to keep the bound arrays modest.
const ROWS_PER_STATEMENT: usize = 5_000;

const UPSERT_CONTACTS: &str = "
WITH written AS (
    INSERT INTO contacts AS t (id, tenant_id, company_id, email_key, linkedin_url, country,
                               name, email_status, search_text, updated_at, merged_into, doc)
    SELECT u.id, $1, u.company_id, u.email_key, u.linkedin_url, u.country, u.name,
           u.email_status, u.search_text, u.updated_at, u.merged_into, u.doc::jsonb
    FROM UNNEST($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                $8::text[], $9::text[], $10::timestamptz[], $11::uuid[], $12::text[])
         AS u(id, company_id, email_key, linkedin_url, country, name, email_status,
              search_text, updated_at, merged_into, doc)
    ON CONFLICT (id) DO UPDATE SET
        company_id = EXCLUDED.company_id, email_key = EXCLUDED.email_key,
        linkedin_url = EXCLUDED.linkedin_url, country = EXCLUDED.country,
        name = EXCLUDED.name, email_status = EXCLUDED.email_status,
        search_text = EXCLUDED.search_text, updated_at = EXCLUDED.updated_at,
        merged_into = EXCLUDED.merged_into, doc = EXCLUDED.doc
    WHERE t.tenant_id = EXCLUDED.tenant_id
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FROM written";

const UPSERT_COMPANIES: &str = "
WITH written AS (
    INSERT INTO companies AS t (id, tenant_id, name, domain_key, country, search_text,
                                updated_at, merged_into, doc)
    SELECT u.id, $1, u.name, u.domain_key, u.country, u.search_text, u.updated_at,
           u.merged_into, u.doc::jsonb
    FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::timestamptz[], $8::uuid[], $9::text[])
         AS u(id, name, domain_key, country, search_text, updated_at, merged_into, doc)
    ON CONFLICT (id) DO UPDATE SET
        name = EXCLUDED.name, domain_key = EXCLUDED.domain_key, country = EXCLUDED.country,
        search_text = EXCLUDED.search_text, updated_at = EXCLUDED.updated_at,
        merged_into = EXCLUDED.merged_into, doc = EXCLUDED.doc
    WHERE t.tenant_id = EXCLUDED.tenant_id
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FROM written";

/// Adds one chunk's counts to `report`; when fewer rows were written than sent,
/// the others exist under another tenant: names the first of them.
async fn account(
    conn: &mut PgConnection,
    entity: &'static str,
    tenant: &TenantId,
    ids: Vec<Uuid>,
    counts: (i64, i64),
    report: &mut UpsertReport,
) -> StoreResult<()> {
    let (inserted, written) = counts;
    if written as usize == ids.len() {
        report.inserted += inserted as u64;
        report.updated += (written - inserted) as u64;
        return Ok(());
    }
    let sql = match entity {
        "contact" => {
            "SELECT u.id FROM UNNEST($1::uuid[]) AS u(id) WHERE NOT EXISTS \
             (SELECT 1 FROM contacts c WHERE c.id = u.id AND c.tenant_id = $2) LIMIT 1"
        }
        _ => {
            "SELECT u.id FROM UNNEST($1::uuid[]) AS u(id) WHERE NOT EXISTS \
             (SELECT 1 FROM companies c WHERE c.id = u.id AND c.tenant_id = $2) LIMIT 1"
        }
    };
    let clash: Option<Uuid> = sqlx::query_scalar(sql)
        .bind(ids)
        .bind(tenant.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("find the clashing id"))?;
    Err(StoreError::TenantMismatch {
        backend: BACKEND,
        entity,
        id: clash.map_or_else(|| "?".into(), |id| id.to_string()),
    })
}

async fn upsert_contact_rows(
    conn: &mut PgConnection,
    tenant: &TenantId,
    rows: Vec<ContactRow>,
) -> StoreResult<UpsertReport> {
    let mut report = UpsertReport::default();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<ContactRow> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        let n = chunk.len();
        let mut ids = Vec::with_capacity(n);
        let mut company_ids = Vec::with_capacity(n);
        let mut email_keys = Vec::with_capacity(n);
        let mut linkedin = Vec::with_capacity(n);
        let mut countries = Vec::with_capacity(n);
        let mut names = Vec::with_capacity(n);
        let mut statuses = Vec::with_capacity(n);
        let mut search = Vec::with_capacity(n);
        let mut updated: Vec<DateTime<Utc>> = Vec::with_capacity(n);
        let mut merged = Vec::with_capacity(n);
        let mut docs = Vec::with_capacity(n);
        for r in chunk {
            ids.push(r.id);
            company_ids.push(r.company_id);
            email_keys.push(r.email_key);
            linkedin.push(r.linkedin_url);
            countries.push(r.country);
            names.push(r.name);
            statuses.push(r.email_status);
            search.push(r.search_text);
            updated.push(r.updated_at);
            merged.push(r.merged_into);
            docs.push(r.doc);
        }
        let counts: (i64, i64) = sqlx::query_as(UPSERT_CONTACTS)
            .bind(tenant.as_str())
            .bind(&ids)
            .bind(company_ids)
            .bind(email_keys)
            .bind(linkedin)
            .bind(countries)
            .bind(names)
            .bind(statuses)
            .bind(search)
            .bind(updated)
            .bind(merged)
            .bind(docs)
            .fetch_one(&mut *conn)
            .await
            .map_err(db("upsert contacts"))?;
        account(conn, "contact", tenant, ids, counts, &mut report).await?;
    }
    Ok(report)
}

async fn upsert_company_rows(
    conn: &mut PgConnection,
    tenant: &TenantId,
    rows: Vec<CompanyRow>,
) -> StoreResult<UpsertReport> {
    let mut report = UpsertReport::default();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<CompanyRow> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        let n = chunk.len();
        let mut ids = Vec::with_capacity(n);
        let mut names = Vec::with_capacity(n);
        let mut domains = Vec::with_capacity(n);
        let mut countries = Vec::with_capacity(n);
        let mut search = Vec::with_capacity(n);
        let mut updated: Vec<DateTime<Utc>> = Vec::with_capacity(n);
        let mut merged = Vec::with_capacity(n);
        let mut docs = Vec::with_capacity(n);
        for r in chunk {
            ids.push(r.id);
            names.push(r.name);
            domains.push(r.domain_key);
            countries.push(r.country);
            search.push(r.search_text);
            updated.push(r.updated_at);
            merged.push(r.merged_into);
            docs.push(r.doc);
        }
        let counts: (i64, i64) = sqlx::query_as(UPSERT_COMPANIES)
            .bind(tenant.as_str())
            .bind(&ids)
            .bind(names)
            .bind(domains)
            .bind(countries)
            .bind(search)
            .bind(updated)
            .bind(merged)
            .bind(docs)
            .fetch_one(&mut *conn)
            .await
            .map_err(db("upsert companies"))?;
        account(conn, "company", tenant, ids, counts, &mut report).await?;
    }
    Ok(report)
}

fn push_company_filter(q: &mut QueryBuilder<Postgres>, f: &CompanyFilter) {
    if !f.domains.is_empty() {
        let keys: Vec<String> = f.domains.iter().map(|d| domain_key(d)).collect();
        q.push(" AND domain_key = ANY(").push_bind(keys).push(")");
    }
    if let Some(country) = &f.country {
        q.push(" AND country = ").push_bind(country_key(country));
    }
    if let Some(text) = &f.name_contains {
        q.push(" AND strpos(search_text, ")
            .push_bind(search_key(text))
            .push(") > 0");
    }
    push_common(q, f.updated_since, f.updated_before, f.include_merged);
}

fn push_contact_filter(q: &mut QueryBuilder<Postgres>, f: &ContactFilter) {
    if let Some(company) = f.company_id {
        q.push(" AND company_id = ").push_bind(company.0);
    }
    if !f.emails.is_empty() {
        let keys: Vec<String> = f.emails.iter().map(|e| email_key(e)).collect();
        q.push(" AND email_key = ANY(").push_bind(keys).push(")");
    }
    if !f.linkedin_urls.is_empty() {
        let urls: Vec<String> = f
            .linkedin_urls
            .iter()
            .map(|u| u.trim().to_string())
            .collect();
        q.push(" AND linkedin_url = ANY(").push_bind(urls).push(")");
    }
    if f.keyless {
        // The key columns hold no blank value: a blank email or URL is NULL there.
        q.push(" AND email_key IS NULL AND linkedin_url IS NULL");
    }
    if let Some(status) = f.email_status {
        q.push(" AND email_status = ").push_bind(status.as_str());
    }
    if let Some(country) = &f.country {
        q.push(" AND country = ").push_bind(country_key(country));
    }
    if let Some(text) = &f.search {
        q.push(" AND strpos(search_text, ")
            .push_bind(search_key(text))
            .push(") > 0");
    }
    push_common(q, f.updated_since, f.updated_before, f.include_merged);
}

fn push_common(
    q: &mut QueryBuilder<Postgres>,
    since: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
    include_merged: bool,
) {
    if let Some(since) = since {
        q.push(" AND updated_at >= ").push_bind(since);
    }
    if let Some(before) = before {
        q.push(" AND updated_at < ").push_bind(before);
    }
    if !include_merged {
        q.push(" AND merged_into IS NULL");
    }
}

impl PostgresStore {
    async fn page<T: serde::de::DeserializeOwned>(
        &self,
        table: &'static str,
        tenant: &TenantId,
        page: &PageRequest,
        filter: impl FnOnce(&mut QueryBuilder<Postgres>),
    ) -> StoreResult<Page<T>> {
        let limit = page.effective_limit();
        let after = page
            .cursor
            .as_deref()
            .map(|c| cursor::decode(BACKEND, c))
            .transpose()?;
        let mut q = QueryBuilder::<Postgres>::new(format!(
            "SELECT id, doc::text FROM {table} WHERE tenant_id = "
        ));
        q.push_bind(tenant.as_str().to_string());
        filter(&mut q);
        if let Some(after) = after {
            q.push(" AND id > ").push_bind(after);
        }
        // One row more than asked tells whether another page follows.
        q.push(" ORDER BY id LIMIT ").push_bind(limit as i64 + 1);
        let mut tx = self.begin(tenant).await?;
        let rows = q.build().fetch_all(&mut *tx).await.map_err(db("list"))?;
        tx.commit().await.map_err(db("commit"))?;
        let more = rows.len() > limit;
        let mut items = Vec::with_capacity(rows.len().min(limit));
        let mut last = None;
        for row in rows.iter().take(limit) {
            let id: Uuid = row.try_get(0).map_err(db("list"))?;
            let doc: String = row.try_get(1).map_err(db("list"))?;
            items.push(from_doc(BACKEND, table, &id, &doc)?);
            last = Some(id);
        }
        let next_cursor = if more { last.map(cursor::encode) } else { None };
        Ok(Page { items, next_cursor })
    }

    async fn count(
        &self,
        table: &'static str,
        tenant: &TenantId,
        filter: impl FnOnce(&mut QueryBuilder<Postgres>),
    ) -> StoreResult<u64> {
        let mut q = QueryBuilder::<Postgres>::new(format!(
            "SELECT count(*) FROM {table} WHERE tenant_id = "
        ));
        q.push_bind(tenant.as_str().to_string());
        filter(&mut q);
        let mut tx = self.begin(tenant).await?;
        let row = q.build().fetch_one(&mut *tx).await.map_err(db("count"))?;
        tx.commit().await.map_err(db("commit"))?;
        let n: i64 = row.try_get(0).map_err(db("count"))?;
        Ok(n.max(0) as u64)
    }

    /// One document through a `leadgen_*_doc` function (see migration 2): the
    /// tenant is set and the row read in one statement and one round trip.
    async fn get_doc<T: serde::de::DeserializeOwned>(
        &self,
        sql: &'static str,
        table: &'static str,
        tenant: &TenantId,
        id: Uuid,
    ) -> StoreResult<Option<T>> {
        let doc: Option<String> = sqlx::query_scalar(sql)
            .bind(tenant.as_str())
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db("get"))?;
        doc.map(|doc| from_doc(BACKEND, table, &id, &doc))
            .transpose()
    }
}

#[async_trait]
impl EntityStore for PostgresStore {
    async fn upsert_companies(
        &self,
        tenant: &TenantId,
        companies: &[Company],
    ) -> Result<UpsertReport> {
        let (report, _) = self
            .upsert_companies_and_contacts(tenant, companies, &[])
            .await?;
        Ok(report)
    }

    async fn get_company(&self, tenant: &TenantId, id: CompanyId) -> Result<Option<Company>> {
        Ok(self
            .get_doc(
                "SELECT leadgen_company_doc($1, $2)",
                "companies",
                tenant,
                id.0,
            )
            .await?)
    }

    async fn delete_company(&self, tenant: &TenantId, id: CompanyId) -> Result<bool> {
        let mut tx = self.begin(tenant).await?;
        let deleted = sqlx::query("DELETE FROM companies WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(db("delete company"))?
            .rows_affected();
        if deleted > 0 {
            // Unlink in the column and in the stored document alike.
            sqlx::query(
                "UPDATE contacts SET company_id = NULL, \
                 doc = jsonb_set(doc, '{company_id}', 'null'::jsonb) \
                 WHERE tenant_id = $1 AND company_id = $2",
            )
            .bind(tenant.as_str())
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(db("unlink contacts"))?;
        }
        tx.commit().await.map_err(db("commit"))?;
        Ok(deleted > 0)
    }

    async fn list_companies(
        &self,
        tenant: &TenantId,
        filter: &CompanyFilter,
        page: &PageRequest,
    ) -> Result<Page<Company>> {
        Ok(self
            .page("companies", tenant, page, |q| {
                push_company_filter(q, filter)
            })
            .await?)
    }

    async fn count_companies(&self, tenant: &TenantId, filter: &CompanyFilter) -> Result<u64> {
        Ok(self
            .count("companies", tenant, |q| push_company_filter(q, filter))
            .await?)
    }

    async fn upsert_contacts(
        &self,
        tenant: &TenantId,
        contacts: &[Contact],
    ) -> Result<UpsertReport> {
        let (_, report) = self
            .upsert_companies_and_contacts(tenant, &[], contacts)
            .await?;
        Ok(report)
    }

    async fn upsert_companies_and_contacts(
        &self,
        tenant: &TenantId,
        companies: &[Company],
        contacts: &[Contact],
    ) -> Result<(UpsertReport, UpsertReport)> {
        // Both batches are encoded (and so checked) before the transaction begins.
        let company_rows = company_rows(BACKEND, companies, DocForm::Whole)?;
        let contact_rows = contact_rows(BACKEND, contacts, DocForm::Whole)?;
        if company_rows.is_empty() && contact_rows.is_empty() {
            return Ok(Default::default());
        }
        let mut tx = self.begin(tenant).await?;
        let company_report = if company_rows.is_empty() {
            UpsertReport::default()
        } else {
            upsert_company_rows(&mut tx, tenant, company_rows).await?
        };
        let contact_report = if contact_rows.is_empty() {
            UpsertReport::default()
        } else {
            upsert_contact_rows(&mut tx, tenant, contact_rows).await?
        };
        tx.commit().await.map_err(db("commit"))?;
        Ok((company_report, contact_report))
    }

    async fn get_contact(&self, tenant: &TenantId, id: ContactId) -> Result<Option<Contact>> {
        Ok(self
            .get_doc(
                "SELECT leadgen_contact_doc($1, $2)",
                "contacts",
                tenant,
                id.0,
            )
            .await?)
    }

    async fn delete_contact(&self, tenant: &TenantId, id: ContactId) -> Result<bool> {
        let mut tx = self.begin(tenant).await?;
        let deleted = sqlx::query("DELETE FROM contacts WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(db("delete contact"))?
            .rows_affected();
        tx.commit().await.map_err(db("commit"))?;
        Ok(deleted > 0)
    }

    async fn list_contacts(
        &self,
        tenant: &TenantId,
        filter: &ContactFilter,
        page: &PageRequest,
    ) -> Result<Page<Contact>> {
        Ok(self
            .page("contacts", tenant, page, |q| push_contact_filter(q, filter))
            .await?)
    }

    async fn count_contacts(&self, tenant: &TenantId, filter: &ContactFilter) -> Result<u64> {
        Ok(self
            .count("contacts", tenant, |q| push_contact_filter(q, filter))
            .await?)
    }
}
