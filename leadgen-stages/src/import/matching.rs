//! Exact-key matching of drafts against the store and against earlier rows of the
//! same file: contacts by normalized email, canonical LinkedIn URL, and (for rows with
//! neither) folded name + company; companies by domain, then by name key.
//!
//! A match fills the stored record's empty fields and never overwrites a value: a
//! re-import of the same file changes nothing. Fuzzy duplicates are the dedup stage's.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// A map from an exact key (email, LinkedIn URL, domain, name) to a slot.
///
/// foldhash instead of std's SipHash: a 100k-row import makes 300k lookups, and
/// foldhash is several times faster on short strings while still seeded per process
/// (so a hostile file cannot choose colliding keys in advance).
type KeyMap = HashMap<String, usize, foldhash::fast::RandomState>;

use leadgen_core::store::{CompanyFilter, ContactFilter, PageRequest, email_key};
use leadgen_core::{Company, Contact, ContactId, EmailStatus, TenantStore};
use serde::{Deserialize, Serialize};

use super::draft::RowDraft;
use super::error::ImportError;
use super::job::drop_in_background;
use super::job::{ParsedFile, RowOutcome};
use super::keys::{company_name_key, fold};

/// Keys per store query: each key is one element of a JSON array the store reads
/// with one index probe, so a batch this size costs a few milliseconds, and an
/// import of 100k rows needs a handful of queries per key kind, not hundreds.
const LOOKUP_BATCH: usize = 10_000;

/// What a row amounted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// A new record.
    New,
    /// Matched a stored record and added values to it.
    Updated,
    /// Matched a stored record or an earlier row; nothing stored anew.
    Duplicate,
}

/// What to write and what each row amounted to.
#[derive(Debug, Default)]
pub(crate) struct MatchPlan {
    pub contacts: Vec<Contact>,
    pub companies: Vec<Company>,
    pub outcomes: Vec<RowOutcome>,
    pub companies_created: usize,
    pub companies_updated: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Stored { changed: bool },
    New,
}

/// The records matching has seen, each with where it came from. The records are
/// a vector of their own (not paired with their origins) so that what is written
/// is that same vector with the unchanged stored records removed in place: 78k
/// contacts copied into a new vector cost as much again in fresh memory.
struct Slots<T> {
    records: Vec<T>,
    origins: Vec<Origin>,
}

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Slots {
            records: Vec::new(),
            origins: Vec::new(),
        }
    }
}

impl<T> Slots<T> {
    fn with_capacity(n: usize) -> Self {
        Slots {
            records: Vec::with_capacity(n),
            origins: Vec::with_capacity(n),
        }
    }

    /// Adds a record; returns its slot.
    fn push(&mut self, record: T, origin: Origin) -> usize {
        self.records.push(record);
        self.origins.push(origin);
        self.records.len() - 1
    }

    /// Merges `draft` into slot `i` with `merge`: whether it changed, and what
    /// the row amounted to.
    fn merge(
        &mut self,
        i: usize,
        draft: &T,
        merge: impl Fn(&mut T, &T) -> bool,
    ) -> (bool, RowStatus) {
        let changed = merge(&mut self.records[i], draft);
        let status = match &mut self.origins[i] {
            Origin::Stored { changed: c } if changed => {
                *c = true;
                RowStatus::Updated
            }
            _ => RowStatus::Duplicate,
        };
        (changed, status)
    }

    /// The records to write, in slot order: new ones and stored ones that
    /// changed; and how many of each.
    fn into_written(self) -> (Vec<T>, usize, usize) {
        let Slots {
            mut records,
            origins,
        } = self;
        let new = origins.iter().filter(|o| **o == Origin::New).count();
        let changed = origins
            .iter()
            .filter(|o| **o == Origin::Stored { changed: true })
            .count();
        if new + changed < records.len() {
            let mut keep = origins
                .iter()
                .map(|o| *o != Origin::Stored { changed: false });
            records.retain(|_| keep.next().unwrap_or(false));
        }
        (records, new, changed)
    }
}

fn fingerprint(c: &Contact) -> Option<String> {
    let first = fold(c.first_name.as_deref().unwrap_or(""));
    let last = fold(c.last_name.as_deref().unwrap_or(""));
    if first.is_empty() && last.is_empty() {
        return None;
    }
    let company = company_name_key(c.company_name.as_deref().unwrap_or(""));
    Some(format!("{first}|{last}|{company}"))
}

fn is_keyless(c: &Contact) -> bool {
    c.email.is_none() && c.linkedin_url.is_none()
}

macro_rules! fill {
    ($changed:ident, $target:ident, $draft:ident, $($field:ident),+) => {
        $(
            if $target.$field.is_none() && $draft.$field.is_some() {
                $target.$field = $draft.$field.clone();
                if let Some(p) = $draft.provenance.get(stringify!($field)) {
                    $target.provenance.insert(stringify!($field), p.clone());
                }
                $changed = true;
            }
        )+
    };
}

fn merge_attributes(
    target: &mut leadgen_core::Attributes,
    draft: &leadgen_core::Attributes,
) -> bool {
    let mut changed = false;
    for (k, v) in draft {
        if !target.contains_key(k) {
            target.insert(k.to_string(), v.clone());
            changed = true;
        }
    }
    changed
}

fn merge_contact(target: &mut Contact, draft: &Contact) -> bool {
    let mut changed = false;
    fill!(
        changed,
        target,
        draft,
        first_name,
        last_name,
        full_name,
        email,
        title,
        normalized_title,
        seniority,
        department,
        linkedin_url,
        phone,
        location,
        country,
        company_name,
        company_id,
        source
    );
    if target.email_status == EmailStatus::Unverified
        && draft.email_status != EmailStatus::Unverified
    {
        target.email_status = draft.email_status;
        changed = true;
    }
    changed |= merge_attributes(&mut target.attributes, &draft.attributes);
    if changed {
        target.updated_at = draft.updated_at;
    }
    changed
}

fn merge_company(target: &mut Company, draft: &Company) -> bool {
    let mut changed = false;
    fill!(
        changed,
        target,
        draft,
        domain,
        website,
        country,
        industry,
        size,
        hq,
        linkedin_url
    );
    for (k, v) in &draft.registry_ids {
        if !target.registry_ids.contains_key(k) {
            target.registry_ids.insert(k.clone(), v.clone());
            changed = true;
        }
    }
    changed |= merge_attributes(&mut target.attributes, &draft.attributes);
    if changed {
        target.updated_at = draft.updated_at;
    }
    changed
}

/// `s` in ASCII lower case, borrowed when it already is (domains nearly always).
fn ascii_lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(s.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[derive(Default)]
struct CompanyIndex {
    slots: Slots<Company>,
    by_domain: KeyMap,
    by_name: KeyMap,
    /// Name keys by company name: a file names each company on many rows, and the
    /// key (Unicode folding, legal forms) costs more than a lookup.
    name_keys: HashMap<String, String, foldhash::fast::RandomState>,
    /// Drafts merged into another record, freed after the plan is made.
    spent: Vec<Company>,
}

impl CompanyIndex {
    /// An index sized for `rows` rows' drafts. The vectors are reserved, not
    /// touched: memory a vector never reaches costs nothing, while growing one by
    /// doubling copies it into fresh pages each time, and on these VMs a fresh page
    /// costs more than the copy (a 100k-row file merges about 74k company drafts).
    fn with_capacity(rows: usize) -> Self {
        CompanyIndex {
            slots: Slots::with_capacity(rows),
            spent: Vec::with_capacity(rows),
            ..CompanyIndex::default()
        }
    }

    /// The name key of `name`, computed once per distinct name.
    fn name_key(&mut self, name: &str) -> String {
        if let Some(key) = self.name_keys.get(name) {
            return key.clone();
        }
        let key = company_name_key(name);
        self.name_keys.insert(name.to_string(), key.clone());
        key
    }

    fn index(&mut self, i: usize) {
        if let Some(d) = &self.slots.records[i].domain {
            self.by_domain.entry(d.to_ascii_lowercase()).or_insert(i);
        }
        let name = std::mem::take(&mut self.slots.records[i].name);
        let key = self.name_key(&name);
        self.slots.records[i].name = name;
        if !key.is_empty() {
            self.by_name.entry(key).or_insert(i);
        }
    }

    fn find(&mut self, c: &Company) -> Option<usize> {
        if let Some(i) = c
            .domain
            .as_deref()
            .and_then(|d| self.by_domain.get(ascii_lower(d).as_ref()))
        {
            return Some(*i);
        }
        let key = self.name_key(&c.name);
        self.by_name.get(&key).copied()
    }

    /// Matches or adds a draft; returns its slot and the row's status.
    fn upsert(&mut self, draft: Company) -> (usize, RowStatus) {
        match self.find(&draft) {
            Some(i) => {
                let (changed, status) = self.slots.merge(i, &draft, merge_company);
                // Keys only come from fields a merge fills: unchanged, nothing to add.
                if changed {
                    self.index(i);
                }
                self.spent.push(draft);
                (i, status)
            }
            None => {
                let i = self.slots.push(draft, Origin::New);
                self.index(i);
                (i, RowStatus::New)
            }
        }
    }
}

#[derive(Default)]
struct ContactIndex {
    slots: Slots<Contact>,
    by_email: KeyMap,
    by_linkedin: KeyMap,
    by_fingerprint: KeyMap,
    /// The stored contacts loaded so far.
    stored: std::collections::HashSet<ContactId, foldhash::fast::RandomState>,
}

/// A contact's exact keys, computed once per record.
struct ContactKeys {
    email: Option<String>,
    linkedin: Option<String>,
    /// Only for a contact without email and LinkedIn URL.
    fingerprint: Option<String>,
}

impl ContactKeys {
    fn of(c: &Contact) -> Self {
        ContactKeys {
            email: c.email.as_deref().map(email_key),
            linkedin: c.linkedin_url.clone(),
            fingerprint: if is_keyless(c) { fingerprint(c) } else { None },
        }
    }
}

impl ContactIndex {
    /// An index sized for `rows` records: growing a map rehashes every key in it.
    fn with_capacity(rows: usize) -> Self {
        ContactIndex {
            slots: Slots::with_capacity(rows),
            by_email: KeyMap::with_capacity_and_hasher(rows, Default::default()),
            by_linkedin: KeyMap::with_capacity_and_hasher(rows, Default::default()),
            by_fingerprint: KeyMap::default(),
            stored: Default::default(),
        }
    }

    fn index(&mut self, i: usize) {
        let keys = ContactKeys::of(&self.slots.records[i]);
        self.index_keys(i, keys);
    }

    /// Points each of `keys` not yet taken at slot `i` (an earlier slot keeps a key).
    fn index_keys(&mut self, i: usize, keys: ContactKeys) {
        if let Some(e) = keys.email {
            self.by_email.entry(e).or_insert(i);
        }
        if let Some(u) = keys.linkedin {
            self.by_linkedin.entry(u).or_insert(i);
        }
        if let Some(f) = keys.fingerprint {
            self.by_fingerprint.entry(f).or_insert(i);
        }
    }

    /// Adds a record with its keys; returns its slot.
    fn push(&mut self, record: Contact, origin: Origin, keys: ContactKeys) -> usize {
        let i = self.slots.push(record, origin);
        self.index_keys(i, keys);
        i
    }

    /// Adds a stored contact, once however many lookups return it.
    ///
    /// Only the record's own id decides whether it is already here: two stored
    /// contacts can share a LinkedIn URL and differ in email (a row matched the
    /// second by email, then gave it the URL). Skipping the second because its URL
    /// was known left its email unindexed, and re-importing its rows created them
    /// again.
    ///
    /// Of stored contacts that share a key, the oldest (the smallest id: ids are
    /// time-ordered, and an import numbers its new records in file order) keeps
    /// it, whatever order the lookups return them in. Within a file the earliest
    /// record keeps a key too, so a re-import routes each row to the record the
    /// first import gave it.
    fn add_stored(&mut self, c: Contact) {
        if !self.stored.insert(c.id) {
            return;
        }
        let keys = ContactKeys::of(&c);
        let i = self.slots.push(c, Origin::Stored { changed: false });
        let ContactIndex {
            slots,
            by_email,
            by_linkedin,
            by_fingerprint,
            ..
        } = self;
        let id = slots.records[i].id;
        for (map, key) in [
            (by_email, keys.email),
            (by_linkedin, keys.linkedin),
            (by_fingerprint, keys.fingerprint),
        ] {
            let Some(key) = key else { continue };
            match map.entry(key) {
                Entry::Occupied(mut holder) => {
                    if slots.records[*holder.get()].id > id {
                        holder.insert(i);
                    }
                }
                Entry::Vacant(free) => {
                    free.insert(i);
                }
            }
        }
    }

    /// The slot a record with `keys` matches: by email, else LinkedIn URL, else
    /// (keyless records only) fingerprint.
    fn find(&self, keys: &ContactKeys) -> Option<usize> {
        if let Some(i) = keys.email.as_ref().and_then(|e| self.by_email.get(e)) {
            return Some(*i);
        }
        if let Some(i) = keys.linkedin.as_ref().and_then(|u| self.by_linkedin.get(u)) {
            return Some(*i);
        }
        keys.fingerprint
            .as_ref()
            .and_then(|f| self.by_fingerprint.get(f))
            .copied()
    }
}

async fn load_contacts(
    store: &TenantStore,
    index: &mut ContactIndex,
    filter: ContactFilter,
) -> Result<(), ImportError> {
    let mut page = PageRequest::first(leadgen_core::store::MAX_PAGE_SIZE);
    loop {
        let got = store.list_contacts(&filter, &page).await?;
        for c in got.items {
            index.add_stored(c);
        }
        match got.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => return Ok(()),
        }
    }
}

/// Whether the tenant has any contact at all (merged tombstones included).
async fn has_contacts(store: &TenantStore) -> Result<bool, ImportError> {
    let probe = ContactFilter {
        include_merged: true,
        ..ContactFilter::default()
    };
    let first = store.list_contacts(&probe, &PageRequest::first(1)).await?;
    Ok(!first.items.is_empty())
}

/// The exact keys of a file's contact drafts, gathered for the store lookups.
#[derive(Default)]
struct FileKeys {
    /// Normalized emails.
    emails: Vec<String>,
    /// LinkedIn profile URLs, each with its draft's normalized email.
    urls: Vec<(Option<String>, String)>,
    /// Whether a draft has neither.
    keyless: bool,
}

impl FileKeys {
    fn add(&mut self, drafts: &[RowDraft]) {
        for c in drafts.iter().filter_map(|d| d.contact.as_ref()) {
            let email = c.email.as_deref().map(email_key);
            if let Some(e) = &email {
                self.emails.push(e.clone());
            }
            if let Some(u) = &c.linkedin_url {
                self.urls.push((email, u.clone()));
            }
            self.keyless |= is_keyless(c);
        }
    }
}

/// Loads the stored contacts a file's drafts can match: those sharing a normalized
/// email or LinkedIn URL with a draft, and when a draft has neither, every stored
/// contact without both.
async fn load_matches(
    store: &TenantStore,
    keys: FileKeys,
    contacts: &mut ContactIndex,
) -> Result<(), ImportError> {
    let FileKeys {
        mut emails,
        urls,
        keyless,
    } = keys;
    emails.sort_unstable();
    emails.dedup();
    for chunk in emails.chunks(LOOKUP_BATCH) {
        let filter = ContactFilter {
            emails: chunk.to_vec(),
            ..ContactFilter::default()
        };
        load_contacts(store, contacts, filter).await?;
    }
    // A row whose email found a stored contact matches it by that email and never
    // by its URL: the URL needs no lookup, which would return the same contacts
    // again (decoding them twice was a third of a re-import). Every other row's URL
    // is looked up, even when a contact found by email carries it: an older
    // contact may share it, and keeps it (see `ContactIndex::add_stored`).
    let mut urls: Vec<String> = urls
        .into_iter()
        .filter(|(email, _)| {
            email
                .as_ref()
                .is_none_or(|e| !contacts.by_email.contains_key(e))
        })
        .map(|(_, url)| url)
        .collect();
    urls.sort_unstable();
    urls.dedup();
    for chunk in urls.chunks(LOOKUP_BATCH) {
        let filter = ContactFilter {
            linkedin_urls: chunk.to_vec(),
            ..ContactFilter::default()
        };
        load_contacts(store, contacts, filter).await?;
    }
    if keyless {
        // Rows without email or LinkedIn URL match stored rows without them by name
        // and company; there is no index for that, so read those contacts once.
        let keyless = ContactFilter {
            keyless: true,
            ..ContactFilter::default()
        };
        let mut page = PageRequest::first(leadgen_core::store::MAX_PAGE_SIZE);
        loop {
            let got = store.list_contacts(&keyless, &page).await?;
            for c in got.items.into_iter().filter(is_keyless) {
                contacts.add_stored(c);
            }
            match got.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => break,
            }
        }
    }
    Ok(())
}

/// Usable rows matched at a time: the next part's drafts are built (on all
/// cores) while this part is matched (one core), and the drafts of a large file
/// never all exist at once. Small enough that the first part, built before any
/// matching starts, is a small share of the file; large enough that the store
/// lookups of a re-import stay a handful of queries.
const ROWS_PER_PART: usize = 8 * 1024;

/// The state of an import's matching: every record seen so far, its keys, and
/// what each row amounted to.
struct Matcher {
    companies: CompanyIndex,
    contacts: ContactIndex,
    outcomes: Vec<RowOutcome>,
    /// Contact drafts merged into another record, freed after the plan is made.
    spent_contacts: Vec<Contact>,
    /// Whether the stored companies were loaded (at the first company draft).
    companies_loaded: bool,
}

impl Matcher {
    fn new(rows: usize) -> Self {
        Matcher {
            companies: CompanyIndex::with_capacity(rows),
            contacts: ContactIndex::with_capacity(rows),
            outcomes: Vec::with_capacity(rows),
            // Sized up front: a re-import merges nearly every row, and growing a
            // vector of 100k contacts copies it again and again.
            spent_contacts: Vec::with_capacity(rows),
            companies_loaded: false,
        }
    }

    /// Loads every stored company before the first company draft is matched: a
    /// tenant has far fewer companies than contacts.
    async fn load_companies(
        &mut self,
        store: &TenantStore,
        drafts: &[RowDraft],
    ) -> Result<(), ImportError> {
        if !self.companies_loaded && drafts.iter().any(|d| d.company.is_some()) {
            self.companies_loaded = true;
            for c in store.all_companies(&CompanyFilter::default()).await? {
                let i = self
                    .companies
                    .slots
                    .push(c, Origin::Stored { changed: false });
                self.companies.index(i);
            }
        }
        Ok(())
    }

    /// Matches drafts, in file order, against everything seen so far.
    fn add(&mut self, drafts: Vec<RowDraft>) {
        let (companies, contacts) = (&mut self.companies, &mut self.contacts);
        for d in drafts {
            let company = d.company.map(|c| companies.upsert(c));
            let company_id = company.map(|(i, _)| companies.slots.records[i].id);
            let Some(mut draft) = d.contact else {
                self.outcomes.push(RowOutcome {
                    line: d.line,
                    status: company.map_or(RowStatus::Duplicate, |(_, s)| s),
                    contact: None,
                    company: company_id,
                });
                continue;
            };
            if draft.company_id.is_none() {
                draft.company_id = company_id;
            }
            let keys = ContactKeys::of(&draft);
            let (i, status) = match contacts.find(&keys) {
                Some(i) => {
                    let (changed, status) = contacts.slots.merge(i, &draft, merge_contact);
                    if changed {
                        contacts.index(i);
                    }
                    self.spent_contacts.push(draft);
                    (i, status)
                }
                None => (contacts.push(draft, Origin::New, keys), RowStatus::New),
            };
            self.outcomes.push(RowOutcome {
                line: d.line,
                status,
                contact: Some(contacts.slots.records[i].id),
                company: company_id,
            });
        }
    }

    /// What to write: new records and stored ones that gained values.
    fn finish(self) -> MatchPlan {
        let Matcher {
            companies,
            contacts,
            outcomes,
            spent_contacts,
            ..
        } = self;
        let (companies_written, companies_created, companies_updated) =
            companies.slots.into_written();
        let (contacts_written, _, _) = contacts.slots.into_written();
        let plan = MatchPlan {
            contacts: contacts_written,
            companies: companies_written,
            outcomes,
            companies_created,
            companies_updated,
        };
        let spent = spent_contacts.len() + companies.spent.len();
        drop_in_background((spent_contacts, companies.spent), spent);
        plan
    }
}

/// Matches every usable row of a file, in file order, and decides what to write.
pub(crate) async fn plan_matches(
    store: &TenantStore,
    parsed: &ParsedFile,
) -> Result<MatchPlan, ImportError> {
    plan_matches_in_parts(store, parsed, ROWS_PER_PART).await
}

/// [`plan_matches`], `rows_per_part` usable rows at a time. A part's drafts are
/// built while the part before is matched.
///
/// The plan is the same whatever the part size: when the tenant has contacts,
/// the stored ones that share a key with any row of the file are loaded before the
/// first row is matched, in the same order as for the whole file (the file's keys
/// are gathered part by part first); every stored company is loaded before the
/// first company draft; and rows are matched in file order.
pub(crate) async fn plan_matches_in_parts(
    store: &TenantStore,
    parsed: &ParsedFile,
    rows_per_part: usize,
) -> Result<MatchPlan, ImportError> {
    let rows = parsed.draft_count();
    let step = rows_per_part.max(1);
    let mut matcher = Matcher::new(rows);
    // A tenant without any contact (a first import) has nothing to match: one probe
    // instead of a query per batch of keys.
    if has_contacts(store).await? {
        let mut keys = FileKeys::default();
        let mut start = 0;
        while start < rows {
            keys.add(&parsed.drafts_in(start..start.saturating_add(step)));
            start = start.saturating_add(step);
        }
        load_matches(store, keys, &mut matcher.contacts).await?;
    }
    let mut drafts = (rows > 0).then(|| parsed.drafts_in(0..step));
    let mut start = step;
    while let Some(part) = drafts.take() {
        matcher.load_companies(store, &part).await?;
        if start >= rows {
            matcher.add(part);
            break;
        }
        let next = start..start.saturating_add(step);
        start = start.saturating_add(step);
        // The next part is built on rayon's threads while this one is matched here
        // (the records and keys the matching keeps stay this thread's allocations).
        let mut built = Vec::new();
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| built = parsed.drafts_in(next));
            matcher.add(part);
        });
        drafts = Some(built);
    }
    Ok(matcher.finish())
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use leadgen_core::store::memory::MemoryStore;
    use leadgen_core::{TenantId, TenantStore};

    use super::*;
    use crate::import::{ImportOptions, import_file, parse_file};

    fn shared_data() -> PathBuf {
        std::env::var_os("LEADGEN_SHARED_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
            .join("data")
    }

    fn tenant() -> TenantStore {
        TenantStore::new(
            Arc::new(MemoryStore::new()),
            TenantId::new("t").expect("tenant"),
        )
    }

    /// Everything a plan decides, in an order that does not depend on the parts.
    fn summary(plan: MatchPlan) -> (Vec<RowOutcome>, usize, usize, Vec<Contact>, Vec<Company>) {
        let mut contacts = plan.contacts;
        contacts.sort_by_key(|c| c.id);
        let mut companies = plan.companies;
        companies.sort_by_key(|c| c.id);
        (
            plan.outcomes,
            plan.companies_created,
            plan.companies_updated,
            contacts,
            companies,
        )
    }

    /// The plan of `file` against `store`, matched whole and in parts of several
    /// sizes: each must decide the same for every row and write the same records.
    async fn assert_parts_agree(store: &TenantStore, file: &Path, sizes: &[usize]) {
        let parsed = parse_file(file, &ImportOptions::default())
            .await
            .expect("parse");
        let whole = summary(
            plan_matches_in_parts(store, &parsed, usize::MAX)
                .await
                .expect("plan"),
        );
        assert!(!whole.0.is_empty(), "{}: no rows", file.display());
        for &size in sizes {
            let parts = summary(
                plan_matches_in_parts(store, &parsed, size)
                    .await
                    .expect("plan"),
            );
            assert!(
                parts == whole,
                "{}: matched {size} rows at a time, the plan differs",
                file.display()
            );
        }
    }

    #[tokio::test]
    async fn matching_in_parts_plans_what_matching_whole_plans() {
        let data = shared_data();
        let files = [
            "team_contacts.csv",
            "linkedin_connections.csv",
            "salesnav_leads_phantombuster.csv",
            "apollo_people_export.csv",
            "hubspot_contacts_export.csv",
            "google_contacts.csv",
            "companies.csv",
        ];
        // A first import: nothing stored.
        let empty = tenant();
        for file in files {
            assert_parts_agree(&empty, &data.join(file), &[1, 2, 7, 64]).await;
        }
        // Against a store that holds what other files brought (re-imports, rows that
        // update stored records, keyless rows matched by name and company).
        let filled = tenant();
        for file in [
            "team_contacts.csv",
            "linkedin_connections.csv",
            "companies.csv",
        ] {
            import_file(&filled, &data.join(file), &ImportOptions::default())
                .await
                .expect("import");
        }
        for file in files {
            assert_parts_agree(&filled, &data.join(file), &[1, 3, 50]).await;
        }
    }

    #[tokio::test]
    async fn a_large_file_matched_in_parts_plans_what_it_plans_whole() {
        let file = shared_data().join("contacts_large_100k.csv");
        // SQLite rather than the memory store, whose key lookups scan.
        let store = TenantStore::new(
            leadgen_store::open("sqlite::memory:")
                .await
                .expect("SQLite"),
            TenantId::new("t").expect("tenant"),
        );
        assert_parts_agree(&store, &file, &[ROWS_PER_PART]).await;
        // A re-import: every row meets the record it made, and stored contacts that
        // share a LinkedIn URL are found in the same order however the rows are cut.
        import_file(&store, &file, &ImportOptions::default())
            .await
            .expect("import");
        assert_parts_agree(&store, &file, &[ROWS_PER_PART]).await;
    }
}
