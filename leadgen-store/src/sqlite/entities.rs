//! Companies and contacts on SQLite.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::task::Poll;

use async_trait::async_trait;
use leadgen_core::store::{
    CompanyFilter, ContactFilter, EntityStore, Page, PageRequest, UpsertReport, email_key,
};
use leadgen_core::{Company, CompanyId, Contact, ContactId, Result, TenantId};
use sqlx::sqlite::SqliteRow;
use sqlx::{Connection, QueryBuilder, Row, Sqlite, SqliteConnection};
use uuid::Uuid;

use super::checkpoint::{DEFERRED_CHECKPOINT_MIN_ROWS, checkpoint_in_background, defer_checkpoint};
use super::{BACKEND, CACHE_KIB, SqliteStore, db};
use crate::codec::{
    CompanyRow, ContactRow, DocForm, Entity, StoredEntity, company_rows, contact_row, country_key,
    cursor, domain_key, from_entity_doc, last_by_id, micros, search_key, slim, validate_contacts,
};
use crate::error::{StoreError, StoreResult};

/// SQLite's bound on variables per statement (`SQLITE_MAX_VARIABLE_NUMBER`).
const MAX_VARIABLES: usize = 32_766;

/// Rows per multi-row `companies` statement: as many as the variable bound allows
/// (see [`CONTACT_ROWS_PER_STATEMENT`]).
const COMPANY_ROWS_PER_INSERT: usize = MAX_VARIABLES / 11;

const CONTACT_INSERT_NEW: &str = "INSERT OR IGNORE INTO contacts (id, tenant_id, company_id, \
     email_key, linkedin_url, country, name, email_status, search_text, updated_at, merged_into, \
     doc, provenance, doc_form) ";
const CONTACT_INSERT: &str = "INSERT INTO contacts (id, tenant_id, company_id, email_key, \
     linkedin_url, country, name, email_status, search_text, updated_at, merged_into, doc, \
     provenance, doc_form) ";
const CONTACT_CONFLICT: &str = " ON CONFLICT (id) DO UPDATE SET \
     company_id = excluded.company_id, email_key = excluded.email_key, \
     linkedin_url = excluded.linkedin_url, country = excluded.country, name = excluded.name, \
     email_status = excluded.email_status, search_text = excluded.search_text, \
     updated_at = excluded.updated_at, merged_into = excluded.merged_into, doc = excluded.doc, \
     provenance = excluded.provenance, doc_form = excluded.doc_form \
     WHERE contacts.tenant_id = excluded.tenant_id";

const COMPANY_INSERT_NEW: &str = "INSERT OR IGNORE INTO companies (id, tenant_id, name, \
     domain_key, country, search_text, updated_at, merged_into, doc, provenance, doc_form) ";
const COMPANY_INSERT: &str = "INSERT INTO companies (id, tenant_id, name, domain_key, country, \
     search_text, updated_at, merged_into, doc, provenance, doc_form) ";
const COMPANY_CONFLICT: &str = " ON CONFLICT (id) DO UPDATE SET \
     name = excluded.name, domain_key = excluded.domain_key, country = excluded.country, \
     search_text = excluded.search_text, updated_at = excluded.updated_at, \
     merged_into = excluded.merged_into, doc = excluded.doc, provenance = excluded.provenance, \
     doc_form = excluded.doc_form \
     WHERE companies.tenant_id = excluded.tenant_id";

/// The ids of `ids` that already exist, and under which tenant.
async fn existing_tenants(
    conn: &mut SqliteConnection,
    table: &'static str,
    ids: &[Uuid],
) -> StoreResult<HashMap<String, String>> {
    let json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
    let sql = match table {
        "contacts" => {
            "SELECT id, tenant_id FROM contacts WHERE id IN (SELECT value FROM json_each(?))"
        }
        _ => "SELECT id, tenant_id FROM companies WHERE id IN (SELECT value FROM json_each(?))",
    };
    let rows = sqlx::query(sql)
        .bind(json)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("check existing ids"))?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(db("check existing ids"))
}

/// Whether `table` has no rows at all (any tenant's). Asked inside the write
/// transaction, so the answer holds until it ends: every id of a batch is then new
/// (a batch names each id once), and the per-statement check of existing ids is
/// skipped. A first import into a new database writes all its rows this way.
async fn table_is_empty(conn: &mut SqliteConnection, table: &'static str) -> StoreResult<bool> {
    let sql = match table {
        "contacts" => "SELECT NOT EXISTS (SELECT 1 FROM contacts)",
        _ => "SELECT NOT EXISTS (SELECT 1 FROM companies)",
    };
    sqlx::query_scalar(sql)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("check existing ids"))
}

/// Splits a statement's rows into new ones and ones already stored, counting them
/// in `report` and refusing ids of another tenant. In an empty table every row is
/// new, with no query.
async fn split_new<R>(
    conn: &mut SqliteConnection,
    table: &'static str,
    tenant: &TenantId,
    empty: bool,
    chunk: Vec<R>,
    id: impl Fn(&R) -> Uuid,
    report: &mut UpsertReport,
) -> StoreResult<(Vec<R>, Vec<R>)> {
    if empty {
        report.inserted += chunk.len() as u64;
        return Ok((chunk, Vec::new()));
    }
    let ids: Vec<Uuid> = chunk.iter().map(&id).collect();
    let existing = existing_tenants(conn, table, &ids).await?;
    let entity = if table == "contacts" {
        "contact"
    } else {
        "company"
    };
    classify(entity, tenant, &ids, &existing, report)?;
    Ok(chunk
        .into_iter()
        .partition(|r| !existing.contains_key(&id(r).to_string())))
}

/// Counts which ids are new, and refuses ids that belong to another tenant.
fn classify(
    entity: &'static str,
    tenant: &TenantId,
    ids: &[Uuid],
    existing: &HashMap<String, String>,
    report: &mut UpsertReport,
) -> StoreResult<()> {
    for id in ids {
        match existing.get(&id.to_string()) {
            None => report.inserted += 1,
            Some(owner) if owner == tenant.as_str() => report.updated += 1,
            Some(_) => {
                return Err(StoreError::TenantMismatch {
                    backend: BACKEND,
                    entity,
                    id: id.to_string(),
                });
            }
        }
    }
    Ok(())
}

fn opt_id(id: Option<Uuid>) -> Option<String> {
    id.map(|id| id.to_string())
}

/// Rows per multi-row contacts statement (14 variables a row). Rows known to be new
/// need no statement journal, so statements need not be as large as the variable
/// bound allows: a smaller statement keeps the bound values and the statement's
/// program small, and lets the encoding of the next rows overlap more finely.
const CONTACT_ROWS_PER_STATEMENT: usize = 1024;

/// The text values of one statement, shared with its arguments: the statement's
/// values are then freed here, on the caller's thread, instead of on the
/// connection's worker thread, which is what bounds a bulk upsert.
#[derive(Default)]
struct KeepAlive(Vec<Arc<str>>);

impl KeepAlive {
    fn text(&mut self, value: String) -> Arc<str> {
        let value: Arc<str> = value.into();
        self.0.push(Arc::clone(&value));
        value
    }

    fn opt_text(&mut self, value: Option<String>) -> Option<Arc<str>> {
        value.map(|value| self.text(value))
    }
}

/// One multi-row contacts statement: `head`, the values of `rows`, then `tail`; and
/// the statement's text values.
fn contact_statement(
    head: &str,
    tail: &str,
    tenant: &TenantId,
    rows: Vec<ContactRow>,
) -> (QueryBuilder<Sqlite>, KeepAlive) {
    let mut keep = KeepAlive::default();
    // Values that repeat are shared, not copied, from row to row.
    let tenant = keep.text(tenant.as_str().to_string());
    let mut statuses: Vec<(&'static str, Arc<str>)> = Vec::new();
    let mut query = QueryBuilder::<Sqlite>::new(head);
    query.push_values(rows, |mut b, r| {
        let status = match statuses.iter().find(|(s, _)| *s == r.email_status) {
            Some((_, shared)) => Arc::clone(shared),
            None => {
                let shared = keep.text(r.email_status.to_string());
                statuses.push((r.email_status, Arc::clone(&shared)));
                shared
            }
        };
        b.push_bind(keep.text(r.id.to_string()))
            .push_bind(Arc::clone(&tenant))
            .push_bind(keep.opt_text(opt_id(r.company_id)))
            .push_bind(keep.opt_text(r.email_key))
            .push_bind(keep.opt_text(r.linkedin_url))
            .push_bind(keep.opt_text(r.country))
            .push_bind(keep.opt_text(r.name))
            .push_bind(status)
            .push_bind(keep.text(r.search_text))
            .push_bind(micros(r.updated_at))
            .push_bind(keep.opt_text(opt_id(r.merged_into)))
            .push_bind(keep.text(r.doc))
            .push_bind(keep.opt_text(r.provenance))
            .push_bind(r.doc_form);
    });
    query.push(tail);
    (query, keep)
}

/// A statement ready to run, and the number of rows it must write (`None`: an
/// upsert, which may update instead).
type ContactStatement = ((QueryBuilder<Sqlite>, KeepAlive), Option<u64>);

/// One chunk of contacts, encoded: its statements when they could be built ahead,
/// else its rows, to split into new and stored first.
enum PreparedChunk {
    Statements(Vec<ContactStatement>),
    Rows(Vec<ContactRow>),
}

/// The statements that write `new` rows (a plain insert) and `old` ones (an upsert).
fn contact_statements(
    tenant: &TenantId,
    new: Vec<ContactRow>,
    old: Vec<ContactRow>,
) -> Vec<ContactStatement> {
    let mut statements = Vec::with_capacity(2);
    if !new.is_empty() {
        let rows = new.len() as u64;
        statements.push((
            contact_statement(CONTACT_INSERT_NEW, "", tenant, new),
            Some(rows),
        ));
    }
    if !old.is_empty() {
        statements.push((
            contact_statement(CONTACT_INSERT, CONTACT_CONFLICT, tenant, old),
            None,
        ));
    }
    statements
}

/// Writes a validated batch in multi-row statements, encoding each statement's rows
/// while SQLite executes the previous statement on its worker thread (the encoding
/// of 100k documents costs about as much as writing them).
///
/// Rows whose id is new (checked inside the write transaction) are written with a
/// plain `INSERT OR IGNORE`: it needs no statement journal and no conflict target,
/// and the count of rows it wrote proves that none was skipped.
async fn insert_contacts(
    conn: &mut SqliteConnection,
    tenant: &TenantId,
    contacts: &[(usize, &Contact)],
) -> StoreResult<UpsertReport> {
    let encode = |chunk: &[(usize, &Contact)]| -> StoreResult<Vec<ContactRow>> {
        chunk
            .iter()
            .map(|&(_, c)| contact_row(BACKEND, c, DocForm::Slim))
            .collect()
    };
    let mut report = UpsertReport::default();
    let empty = table_is_empty(conn, "contacts").await?;
    let set_aside = if empty && contacts.len() >= BULK_LOAD_MIN_ROWS {
        set_indexes_aside(conn, "contacts").await?
    } else {
        Vec::new()
    };
    // Into an empty table every row is new: a chunk's statement needs no query to
    // split it, so it is built ahead, while the worker writes the chunk before
    // (building one takes about as long as encoding it).
    let prepare = |chunk: &[(usize, &Contact)]| -> StoreResult<PreparedChunk> {
        let rows = encode(chunk)?;
        Ok(if empty {
            PreparedChunk::Statements(contact_statements(tenant, rows, Vec::new()))
        } else {
            PreparedChunk::Rows(rows)
        })
    };
    let mut chunks = contacts.chunks(CONTACT_ROWS_PER_STATEMENT);
    let mut next = chunks.next().map(prepare).transpose()?;
    // The values of the statement before: freed once the next one is under way.
    let mut written_values = KeepAlive::default();
    while let Some(chunk) = next.take() {
        let statements = match chunk {
            PreparedChunk::Statements(statements) => {
                report.inserted += statements.iter().filter_map(|s| s.1).sum::<u64>();
                statements
            }
            PreparedChunk::Rows(rows) => {
                let (new, old) =
                    split_new(conn, "contacts", tenant, false, rows, |r| r.id, &mut report).await?;
                contact_statements(tenant, new, old)
            }
        };
        let mut encoded = None;
        for ((mut query, values), expected) in statements {
            // The first poll hands the statement to the connection's worker thread;
            // the next chunk is prepared here while the worker writes this one.
            let mut execute = std::pin::pin!(query.build().execute(&mut *conn));
            let first = std::future::poll_fn(|cx| Poll::Ready(execute.as_mut().poll(cx))).await;
            drop(std::mem::replace(&mut written_values, values));
            if encoded.is_none() {
                encoded = Some(chunks.next().map(prepare).transpose());
            }
            let written = match first {
                Poll::Ready(written) => written,
                Poll::Pending => execute.await,
            }
            .map_err(db("upsert contacts"))?;
            if let Some(expected) = expected
                && written.rows_affected() != expected
            {
                // Not reachable while the batch's ids were checked in this
                // transaction; refuse rather than report rows that were not written.
                let reason = format!(
                    "{} of {expected} new contacts were written",
                    written.rows_affected()
                );
                return Err(StoreError::db(
                    BACKEND,
                    "insert contacts",
                    sqlx::Error::Protocol(reason),
                ));
            }
        }
        next = match encoded {
            Some(encoded) => encoded?,
            None => chunks.next().map(prepare).transpose()?,
        };
    }
    rebuild_indexes(conn, set_aside).await?;
    Ok(report)
}

/// Rows at least, loaded into an empty table, for which its secondary indexes are
/// built after the load rather than row by row.
const BULK_LOAD_MIN_ROWS: usize = 10_000;

/// Drops `table`'s secondary indexes (not the primary key's) and returns the SQL
/// that recreates them, for [`rebuild_indexes`] in the same transaction.
///
/// Why: 100k new contacts inserted one by one descend each index's b-tree 100k
/// times at random places (email, LinkedIn URL and company id arrive in no order);
/// `CREATE INDEX` over the loaded table sorts the keys once and writes each page
/// once, which is SQLite's own advice for bulk loads (upsert of 100k contacts:
/// 1.2 s → 1.0 s). Used only when the table is empty (the first import into a
/// database), where no other tenant's rows are indexed. The drop, the load and the
/// rebuild are one transaction: another connection sees the indexes before or
/// after, never without them, and a failed load rolls the drop back. The index SQL
/// comes from `sqlite_master`, so the indexes rebuilt are always those the
/// migrations made.
async fn set_indexes_aside(
    conn: &mut SqliteConnection,
    table: &'static str,
) -> StoreResult<Vec<String>> {
    // An index on (tenant_id, id) is kept: new ids are ascending v7 UUIDs, later
    // than any stored one, so it takes the load's rows in key order, and keeping it
    // row by row is an append (cheaper than a rebuild's scan of the table).
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master AS m \
         WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL \
           AND (SELECT group_concat(name, ',') FROM \
                  (SELECT name FROM pragma_index_info(m.name) ORDER BY seqno)) \
               IS NOT 'tenant_id,id' \
         ORDER BY name",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await
    .map_err(db("list indexes"))?;
    let mut recreate = Vec::with_capacity(indexes.len());
    for (name, sql) in indexes {
        let drop = format!("DROP INDEX \"{}\"", name.replace('"', "\"\""));
        sqlx::query(sqlx::AssertSqlSafe(drop))
            .execute(&mut *conn)
            .await
            .map_err(db("set an index aside"))?;
        recreate.push(sql);
    }
    Ok(recreate)
}

/// Recreates the indexes [`set_indexes_aside`] dropped.
async fn rebuild_indexes(conn: &mut SqliteConnection, sqls: Vec<String>) -> StoreResult<()> {
    for sql in sqls {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await
            .map_err(db("rebuild an index"))?;
    }
    Ok(())
}

/// Writes a validated batch of companies in multi-row statements; new ids by a plain
/// `INSERT OR IGNORE`, as for contacts (see [`insert_contacts`]).
async fn insert_companies(
    conn: &mut SqliteConnection,
    tenant: &TenantId,
    rows: Vec<CompanyRow>,
) -> StoreResult<UpsertReport> {
    let mut report = UpsertReport::default();
    let empty = table_is_empty(conn, "companies").await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<CompanyRow> = rows.by_ref().take(COMPANY_ROWS_PER_INSERT).collect();
        let (new, old) = split_new(
            conn,
            "companies",
            tenant,
            empty,
            chunk,
            |r| r.id,
            &mut report,
        )
        .await?;
        for (head, tail, rows) in [
            (COMPANY_INSERT_NEW, "", new),
            (COMPANY_INSERT, COMPANY_CONFLICT, old),
        ] {
            if rows.is_empty() {
                continue;
            }
            let expected = rows.len() as u64;
            let mut query = QueryBuilder::<Sqlite>::new(head);
            query.push_values(rows, |mut b, r| {
                b.push_bind(r.id.to_string())
                    .push_bind(tenant.as_str().to_string())
                    .push_bind(r.name)
                    .push_bind(r.domain_key)
                    .push_bind(r.country)
                    .push_bind(r.search_text)
                    .push_bind(micros(r.updated_at))
                    .push_bind(opt_id(r.merged_into))
                    .push_bind(r.doc)
                    .push_bind(r.provenance)
                    .push_bind(r.doc_form);
            });
            query.push(tail);
            let written = query
                .build()
                .execute(&mut *conn)
                .await
                .map_err(db("upsert companies"))?;
            if head == COMPANY_INSERT_NEW && written.rows_affected() != expected {
                // As for contacts: not reachable while the ids were checked in this
                // transaction.
                let reason = format!(
                    "{} of {expected} new companies were written",
                    written.rows_affected()
                );
                return Err(StoreError::db(
                    BACKEND,
                    "insert companies",
                    sqlx::Error::Protocol(reason),
                ));
            }
        }
    }
    Ok(report)
}

/// A JSON array of strings, bound as one parameter and read with `json_each`, so
/// a list filter needs no variable per value.
fn json_list<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let values: Vec<&str> = values.into_iter().collect();
    serde_json::to_string(&values).unwrap_or_else(|_| "[]".into())
}

fn push_company_filter(q: &mut QueryBuilder<Sqlite>, f: &CompanyFilter) {
    if !f.domains.is_empty() {
        let keys: Vec<String> = f.domains.iter().map(|d| domain_key(d)).collect();
        q.push(" AND domain_key IN (SELECT value FROM json_each(")
            .push_bind(json_list(keys.iter().map(String::as_str)))
            .push("))");
    }
    if let Some(country) = &f.country {
        q.push(" AND country = ").push_bind(country_key(country));
    }
    if let Some(text) = &f.name_contains {
        q.push(" AND instr(search_text, ")
            .push_bind(search_key(text))
            .push(") > 0");
    }
    push_common(q, f.updated_since, f.updated_before, f.include_merged);
}

fn push_contact_filter(q: &mut QueryBuilder<Sqlite>, f: &ContactFilter) {
    if let Some(company) = f.company_id {
        q.push(" AND company_id = ").push_bind(company.to_string());
    }
    if !f.emails.is_empty() {
        let keys: Vec<String> = f.emails.iter().map(|e| email_key(e)).collect();
        q.push(" AND email_key IN (SELECT value FROM json_each(")
            .push_bind(json_list(keys.iter().map(String::as_str)))
            .push("))");
    }
    if !f.linkedin_urls.is_empty() {
        q.push(" AND linkedin_url IN (SELECT value FROM json_each(")
            .push_bind(json_list(f.linkedin_urls.iter().map(|u| u.trim())))
            .push("))");
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
        q.push(" AND instr(search_text, ")
            .push_bind(search_key(text))
            .push(") > 0");
    }
    push_common(q, f.updated_since, f.updated_before, f.include_merged);
}

fn push_common(
    q: &mut QueryBuilder<Sqlite>,
    since: Option<chrono::DateTime<chrono::Utc>>,
    before: Option<chrono::DateTime<chrono::Utc>>,
    include_merged: bool,
) {
    if let Some(since) = since {
        q.push(" AND updated_at >= ").push_bind(micros(since));
    }
    if let Some(before) = before {
        q.push(" AND updated_at < ").push_bind(micros(before));
    }
    if !include_merged {
        q.push(" AND merged_into IS NULL");
    }
}

/// The columns that read an entity back: `id, doc, provenance`, then those of
/// [`slim::select_list`].
fn entity_select<T: Entity>() -> String {
    format!(
        "id, doc, provenance, {}",
        slim::select_list(T::COLUMN_FIELDS)
    )
}

/// Decodes one entity from a row selected by [`entity_select`].
fn read_entity<T: Entity>(row: &SqliteRow, table: &'static str, id: &str) -> StoreResult<T> {
    let doc: &str = row.try_get(1).map_err(db("read"))?;
    let provenance: Option<&str> = row.try_get(2).map_err(db("read"))?;
    let doc_form: Option<i64> = row.try_get(3).map_err(db("read"))?;
    // On the stack: a re-import reads 100k rows.
    let mut columns = [None; slim::MAX_COLUMN_FIELDS];
    let count = T::COLUMN_FIELDS.len();
    for (i, column) in columns[..count].iter_mut().enumerate() {
        *column = row.try_get::<Option<&str>, _>(4 + i).map_err(db("read"))?;
    }
    let stored = StoredEntity {
        doc,
        provenance,
        doc_form,
        columns: &columns[..count],
    };
    from_entity_doc(BACKEND, table, &id, stored)
}

/// `table`, read through `index` when one is named.
fn source(table: &'static str, index: Option<&'static str>) -> String {
    match index {
        Some(index) => format!("{table} INDEXED BY {index}"),
        None => table.to_string(),
    }
}

/// The index that serves a contact filter's exact keys, if it has any.
///
/// Named in the query (`INDEXED BY`) because SQLite, knowing nothing of how many
/// rows a tenant has, otherwise reads all of the tenant's rows in id order through
/// `(tenant_id, id)` to save sorting the page, testing each against the keys: an
/// import's lookups of a few thousand emails then read every stored contact.
fn contact_key_index(f: &ContactFilter) -> Option<&'static str> {
    if !f.emails.is_empty() {
        Some("contacts_email")
    } else if !f.linkedin_urls.is_empty() {
        Some("contacts_linkedin")
    } else if f.company_id.is_some() {
        Some("contacts_company")
    } else {
        None
    }
}

/// As [`contact_key_index`], for companies.
fn company_key_index(f: &CompanyFilter) -> Option<&'static str> {
    (!f.domains.is_empty()).then_some("companies_tenant_domain")
}

/// The query of one page of `table` rows (`prefix`, such as `EXPLAIN QUERY PLAN `,
/// goes before it): the tenant's rows that pass `filter`, after the page's cursor,
/// in id order, one more than the page holds (which tells whether another follows).
fn page_query<T: Entity>(
    prefix: &str,
    table: &'static str,
    index: Option<&'static str>,
    tenant: &TenantId,
    page: &PageRequest,
    filter: impl FnOnce(&mut QueryBuilder<Sqlite>),
) -> StoreResult<QueryBuilder<Sqlite>> {
    let mut q = QueryBuilder::<Sqlite>::new(format!(
        "{prefix}SELECT {} FROM {} WHERE tenant_id = ",
        entity_select::<T>(),
        source(table, index)
    ));
    q.push_bind(tenant.as_str().to_string());
    filter(&mut q);
    if let Some(c) = &page.cursor {
        q.push(" AND id > ")
            .push_bind(cursor::decode(BACKEND, c)?.to_string());
    }
    q.push(" ORDER BY id LIMIT ")
        .push_bind(page.effective_limit() as i64 + 1);
    Ok(q)
}

/// Page cache, in KiB, of the connection that writes a bulk batch of `contacts`:
/// room for the rows and their index entries (under 1.5 KiB a contact), at most
/// 256 MiB. With the default cache a 100k-contact load spilled pages to the WAL
/// mid-transaction and read them back, and each index build after the load read
/// the whole table back from the file (upsert of 100k contacts, three alternating
/// rounds of three, best: 0.63 / 0.64 / 0.63 s → 0.60 / 0.58 / 0.61 s). The
/// connection is retired after a bulk write (see `checkpoint.rs`), and its cache
/// with it.
fn bulk_cache_kib(contacts: usize) -> i64 {
    const MAX_KIB: i64 = 256 * 1024;
    i64::try_from(contacts)
        .unwrap_or(i64::MAX)
        .saturating_mul(2)
        .clamp(CACHE_KIB, MAX_KIB)
}

impl SqliteStore {
    /// Writes companies (already encoded) and contacts in one transaction: every
    /// row or none. A large batch of contacts commits with its checkpoint left to
    /// the background (see `checkpoint.rs`).
    async fn write_entities(
        &self,
        tenant: &TenantId,
        companies: Vec<CompanyRow>,
        contacts: &[Contact],
    ) -> Result<(UpsertReport, UpsertReport)> {
        let contacts = last_by_id(contacts, |c| c.id.0);
        if contacts.is_empty() && companies.is_empty() {
            return Ok(Default::default());
        }
        // Every contact is checked before anything is written.
        validate_contacts(&contacts)?;
        let deferred = self.wal && contacts.len() >= DEFERRED_CHECKPOINT_MIN_ROWS;
        let mut conn = self.pool.acquire().await.map_err(db("begin"))?;
        let written: StoreResult<(UpsertReport, UpsertReport)> = async {
            if deferred {
                defer_checkpoint(&mut conn).await?;
                let cache = format!("PRAGMA cache_size = -{}", bulk_cache_kib(contacts.len()));
                sqlx::query(sqlx::AssertSqlSafe(cache))
                    .execute(&mut *conn)
                    .await
                    .map_err(db("size the page cache"))?;
            }
            let mut tx = conn
                .begin_with("BEGIN IMMEDIATE")
                .await
                .map_err(db("begin"))?;
            let company_report = if companies.is_empty() {
                UpsertReport::default()
            } else {
                insert_companies(&mut tx, tenant, companies).await?
            };
            let contact_report = if contacts.is_empty() {
                UpsertReport::default()
            } else {
                insert_contacts(&mut tx, tenant, &contacts).await?
            };
            tx.commit().await.map_err(db("commit"))?;
            Ok((company_report, contact_report))
        }
        .await;
        if deferred {
            checkpoint_in_background(conn).await;
        }
        Ok(written?)
    }

    /// One page of `table` rows: the filter is pushed by `filter`, the rows are
    /// decoded as `T`.
    async fn page<T: Entity>(
        &self,
        table: &'static str,
        index: Option<&'static str>,
        tenant: &TenantId,
        page: &PageRequest,
        filter: impl FnOnce(&mut QueryBuilder<Sqlite>),
    ) -> StoreResult<Page<T>> {
        let limit = page.effective_limit();
        let mut q = page_query::<T>("", table, index, tenant, page, filter)?;
        let rows = q.build().fetch_all(&self.pool).await.map_err(db("list"))?;
        let more = rows.len() > limit;
        let mut items = Vec::with_capacity(rows.len().min(limit));
        let mut last = None;
        for row in rows.iter().take(limit) {
            let id: String = row.try_get(0).map_err(db("list"))?;
            items.push(read_entity(row, table, &id)?);
            last = Some(id);
        }
        let next_cursor = match (more, last) {
            (true, Some(id)) => Some(cursor::encode(Uuid::try_parse(&id).map_err(|e| {
                StoreError::Corrupt {
                    backend: BACKEND,
                    table,
                    id: id.clone(),
                    reason: e.to_string(),
                }
            })?)),
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }

    async fn count(
        &self,
        table: &'static str,
        index: Option<&'static str>,
        tenant: &TenantId,
        filter: impl FnOnce(&mut QueryBuilder<Sqlite>),
    ) -> StoreResult<u64> {
        let mut q = QueryBuilder::<Sqlite>::new(format!(
            "SELECT count(*) FROM {} WHERE tenant_id = ",
            source(table, index)
        ));
        q.push_bind(tenant.as_str().to_string());
        filter(&mut q);
        let row = q.build().fetch_one(&self.pool).await.map_err(db("count"))?;
        let n: i64 = row.try_get(0).map_err(db("count"))?;
        Ok(n.max(0) as u64)
    }

    async fn get_doc<T: Entity>(
        &self,
        table: &'static str,
        tenant: &TenantId,
        id: Uuid,
    ) -> StoreResult<Option<T>> {
        let id = id.to_string();
        let sql = format!(
            "SELECT {} FROM {table} WHERE tenant_id = ? AND id = ?",
            entity_select::<T>()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant.as_str())
            .bind(&id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("get"))?;
        row.map(|row| read_entity(&row, table, &id)).transpose()
    }
}

#[async_trait]
impl EntityStore for SqliteStore {
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
        Ok(self.get_doc("companies", tenant, id.0).await?)
    }

    async fn delete_company(&self, tenant: &TenantId, id: CompanyId) -> Result<bool> {
        let id = id.to_string();
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("begin"))?;
        let deleted = sqlx::query("DELETE FROM companies WHERE tenant_id = ? AND id = ?")
            .bind(tenant.as_str())
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(db("delete company"))?
            .rows_affected();
        if deleted > 0 {
            // Unlink in the column, and in the stored document when it is whole (a
            // slim one reads the company id from the column).
            sqlx::query(
                "UPDATE contacts SET company_id = NULL, \
                 doc = CASE WHEN doc_form IS NULL THEN json_set(doc, '$.company_id', NULL) \
                            ELSE doc END \
                 WHERE tenant_id = ? AND company_id = ?",
            )
            .bind(tenant.as_str())
            .bind(&id)
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
            .page("companies", company_key_index(filter), tenant, page, |q| {
                push_company_filter(q, filter)
            })
            .await?)
    }

    async fn count_companies(&self, tenant: &TenantId, filter: &CompanyFilter) -> Result<u64> {
        Ok(self
            .count("companies", company_key_index(filter), tenant, |q| {
                push_company_filter(q, filter)
            })
            .await?)
    }

    async fn upsert_contacts(
        &self,
        tenant: &TenantId,
        contacts: &[Contact],
    ) -> Result<UpsertReport> {
        let (_, report) = self.write_entities(tenant, Vec::new(), contacts).await?;
        Ok(report)
    }

    async fn upsert_companies_and_contacts(
        &self,
        tenant: &TenantId,
        companies: &[Company],
        contacts: &[Contact],
    ) -> Result<(UpsertReport, UpsertReport)> {
        let rows = company_rows(BACKEND, companies, DocForm::Slim)?;
        self.write_entities(tenant, rows, contacts).await
    }

    async fn get_contact(&self, tenant: &TenantId, id: ContactId) -> Result<Option<Contact>> {
        Ok(self.get_doc("contacts", tenant, id.0).await?)
    }

    async fn delete_contact(&self, tenant: &TenantId, id: ContactId) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM contacts WHERE tenant_id = ? AND id = ?")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(db("delete contact"))?
            .rows_affected();
        Ok(deleted > 0)
    }

    async fn list_contacts(
        &self,
        tenant: &TenantId,
        filter: &ContactFilter,
        page: &PageRequest,
    ) -> Result<Page<Contact>> {
        Ok(self
            .page("contacts", contact_key_index(filter), tenant, page, |q| {
                push_contact_filter(q, filter)
            })
            .await?)
    }

    async fn count_contacts(&self, tenant: &TenantId, filter: &ContactFilter) -> Result<u64> {
        Ok(self
            .count("contacts", contact_key_index(filter), tenant, |q| {
                push_contact_filter(q, filter)
            })
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch spanning several multi-row statements is counted, written and
    /// checked against tenants as a whole.
    #[test]
    fn a_bulk_cache_grows_with_the_batch_within_bounds() {
        assert_eq!(bulk_cache_kib(10_000), CACHE_KIB);
        assert_eq!(bulk_cache_kib(100_000), 200_000);
        assert_eq!(bulk_cache_kib(usize::MAX), 256 * 1024);
    }

    #[tokio::test]
    async fn batches_span_several_statements() {
        let store = SqliteStore::in_memory().await.unwrap();
        let tenant = TenantId::new("a").unwrap();
        let n = CONTACT_ROWS_PER_STATEMENT * 2 + 7;
        let contacts: Vec<Contact> = (0..n)
            .map(|i| {
                let mut c = Contact::new();
                c.email = Some(format!("person{i}@example.com"));
                c
            })
            .collect();
        let report = store.upsert_contacts(&tenant, &contacts).await.unwrap();
        assert_eq!((report.inserted, report.updated), (n as u64, 0));
        let filter = ContactFilter::default();
        assert_eq!(
            store.count_contacts(&tenant, &filter).await.unwrap(),
            n as u64
        );
        let report = store.upsert_contacts(&tenant, &contacts).await.unwrap();
        assert_eq!((report.inserted, report.updated), (0, n as u64));
        let last = contacts.last().unwrap();
        let back = store.get_contact(&tenant, last.id).await.unwrap().unwrap();
        assert_eq!(&back, last);

        // An id of another tenant in the last statement fails the whole batch.
        let other = TenantId::new("b").unwrap();
        let mut mixed: Vec<Contact> = (0..n).map(|_| Contact::new()).collect();
        mixed[n - 1] = last.clone();
        assert!(store.upsert_contacts(&other, &mixed).await.is_err());
        assert_eq!(store.count_contacts(&other, &filter).await.unwrap(), 0);
    }

    /// A bulk load into an empty table sets its indexes aside and rebuilds them
    /// in the same transaction: afterwards the schema is as the migrations left
    /// it, and lookups by email find the rows.
    #[tokio::test]
    async fn bulk_load_rebuilds_the_indexes() {
        let store = SqliteStore::in_memory().await.unwrap();
        let tenant = TenantId::new("a").unwrap();
        let schema = || async {
            sqlx::query_as::<_, (String, String)>(
                "SELECT name, sql FROM sqlite_master \
                 WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL \
                 ORDER BY name",
            )
            .fetch_all(&store.pool)
            .await
            .unwrap()
        };
        let before = schema().await;
        assert!(before.len() >= 4, "{before:?}");
        // The listing index takes new ids in order: it is kept, the others rebuilt.
        {
            let mut conn = store.pool.acquire().await.unwrap();
            let mut tx = conn.begin().await.unwrap();
            let aside = set_indexes_aside(&mut tx, "contacts").await.unwrap();
            assert_eq!(aside.len(), before.len() - 1, "{aside:?}");
            assert!(aside.iter().all(|sql| !sql.contains("(tenant_id, id)")));
            tx.rollback().await.unwrap();
        }
        let people = |prefix: &str| -> Vec<Contact> {
            (0..BULK_LOAD_MIN_ROWS + 3)
                .map(|i| {
                    let mut c = Contact::new();
                    c.email = Some(format!("{prefix}{i}@example.com"));
                    c
                })
                .collect()
        };
        // A load refused (an invalid row at the end) writes and drops nothing.
        let mut bad = people("bad");
        bad.last_mut().unwrap().first_name = Some("x".repeat(1 << 20));
        assert!(store.upsert_contacts(&tenant, &bad).await.is_err());
        assert_eq!(schema().await, before);

        let contacts = people("p");
        let report = store.upsert_contacts(&tenant, &contacts).await.unwrap();
        assert_eq!(report.inserted, contacts.len() as u64);
        assert_eq!(schema().await, before);
        let filter = ContactFilter {
            emails: vec!["p77@example.com".into()],
            ..ContactFilter::default()
        };
        let found = store
            .list_contacts(&tenant, &filter, &PageRequest::first(10))
            .await
            .unwrap();
        assert_eq!(found.items.len(), 1);
        assert_eq!(found.items[0].id, contacts[77].id);
    }

    /// How SQLite would run a page of contacts that pass `filter`: the plan's lines.
    async fn contact_page_plan(store: &SqliteStore, filter: &ContactFilter) -> Vec<String> {
        let tenant = TenantId::new("a").unwrap();
        let mut q = page_query::<Contact>(
            "EXPLAIN QUERY PLAN ",
            "contacts",
            contact_key_index(filter),
            &tenant,
            &PageRequest::first(100),
            |q| push_contact_filter(q, filter),
        )
        .unwrap();
        q.build()
            .fetch_all(&store.pool)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>(3))
            .collect()
    }

    /// A lookup by exact key reads the rows with that key through its index, not
    /// the tenant's rows one by one in id order (which a page's `ORDER BY id` could
    /// tempt SQLite into): an import's matching makes such lookups for every part
    /// of a file, and a scan per lookup would make a re-import quadratic.
    #[tokio::test]
    async fn lookups_by_key_use_the_keys_index() {
        let store = SqliteStore::in_memory().await.unwrap();
        let tenant = TenantId::new("a").unwrap();
        let contacts: Vec<Contact> = (0..2000)
            .map(|i| {
                let mut c = Contact::new();
                c.email = Some(format!("p{i}@example.com"));
                c.linkedin_url = Some(format!("https://www.linkedin.com/in/p{i}"));
                c.company_id = Some(CompanyId(Uuid::now_v7()));
                c
            })
            .collect();
        store.upsert_contacts(&tenant, &contacts).await.unwrap();
        let cases = [
            (
                "contacts_email",
                ContactFilter {
                    emails: vec!["p7@example.com".into(), "p9@example.com".into()],
                    ..ContactFilter::default()
                },
            ),
            (
                "contacts_linkedin",
                ContactFilter {
                    linkedin_urls: vec!["https://www.linkedin.com/in/p7".into()],
                    ..ContactFilter::default()
                },
            ),
            (
                "contacts_company",
                ContactFilter {
                    company_id: contacts[7].company_id,
                    ..ContactFilter::default()
                },
            ),
        ];
        for (index, filter) in cases {
            let plan = contact_page_plan(&store, &filter).await;
            assert!(
                plan.iter()
                    .any(|line| line.contains(&format!("USING INDEX {index} "))),
                "{index}: {plan:?}"
            );
        }
    }

    /// A statement's rows that are new and rows that exist are written by two
    /// statements: both kinds land, and the report counts each.
    #[tokio::test]
    async fn new_and_existing_rows_in_one_statement() {
        let store = SqliteStore::in_memory().await.unwrap();
        let tenant = TenantId::new("a").unwrap();
        let first: Vec<Contact> = (0..10)
            .map(|i| {
                let mut c = Contact::new();
                c.email = Some(format!("old{i}@example.com"));
                c
            })
            .collect();
        store.upsert_contacts(&tenant, &first).await.unwrap();
        // Every other row is an existing contact, changed; the rest are new.
        let mixed: Vec<Contact> = (0..20)
            .map(|i| {
                if i % 2 == 0 {
                    let mut c = first[i / 2].clone();
                    c.email = Some(format!("changed{i}@example.com"));
                    c
                } else {
                    let mut c = Contact::new();
                    c.email = Some(format!("new{i}@example.com"));
                    c
                }
            })
            .collect();
        let report = store.upsert_contacts(&tenant, &mixed).await.unwrap();
        assert_eq!((report.inserted, report.updated), (10, 10));
        for c in &mixed {
            let back = store.get_contact(&tenant, c.id).await.unwrap();
            assert_eq!(back.as_ref(), Some(c));
        }
        let filter = ContactFilter::default();
        assert_eq!(store.count_contacts(&tenant, &filter).await.unwrap(), 20);
    }

    /// As for contacts: new and existing companies of one batch both land.
    #[tokio::test]
    async fn new_and_existing_companies_in_one_statement() {
        let store = SqliteStore::in_memory().await.unwrap();
        let tenant = TenantId::new("a").unwrap();
        let first: Vec<Company> = (0..5).map(|i| Company::new(format!("Old {i}"))).collect();
        store.upsert_companies(&tenant, &first).await.unwrap();
        let mut mixed: Vec<Company> = first
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.name = format!("{} renamed", c.name);
                c
            })
            .collect();
        mixed.extend((0..5).map(|i| Company::new(format!("New {i}"))));
        let report = store.upsert_companies(&tenant, &mixed).await.unwrap();
        assert_eq!((report.inserted, report.updated), (5, 5));
        for c in &mixed {
            let back = store.get_company(&tenant, c.id).await.unwrap();
            assert_eq!(back.as_ref(), Some(c));
        }
    }
}
