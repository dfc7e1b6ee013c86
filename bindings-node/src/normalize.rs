//! The normalization engine: pure functions over text. Single values are synchronous
//! (microseconds each); the batched forms run as an `AsyncTask` on libuv's thread
//! pool and return a Promise, so large batches never block the event loop.

use leadgen::core::normalize as norm;
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use crate::records::enum_name;

/// A company name split into what it says and its legal form, with a matching key.
#[napi(object)]
pub struct CompanyName {
    /// The name without its legal form, as written ("Acme Labs").
    pub display: String,
    /// The legal form in its canonical spelling ("s.r.o.", "GmbH").
    pub legal_form: Option<String>,
    /// The matching key: folded tokens joined by single spaces ("acme labs").
    pub key: String,
    /// The tokens of the key.
    pub tokens: Vec<String>,
}

impl From<norm::CompanyName> for CompanyName {
    fn from(n: norm::CompanyName) -> Self {
        CompanyName {
            display: n.display,
            legal_form: n.legal_form,
            key: n.key,
            tokens: n.tokens,
        }
    }
}

/// A job title: tidied, with its seniority and department when recognised.
#[napi(object)]
pub struct JobTitle {
    pub normalized: String,
    pub seniority: Option<String>,
    pub department: Option<String>,
}

impl From<norm::JobTitle> for JobTitle {
    fn from(t: norm::JobTitle) -> Self {
        JobTitle {
            normalized: t.normalized,
            seniority: t.seniority.as_ref().map(enum_name),
            department: t.department.as_ref().map(enum_name),
        }
    }
}

/// A person's name in parts.
#[napi(object)]
pub struct PersonName {
    pub prefix: Option<String>,
    pub first: Option<String>,
    pub middle: Option<String>,
    pub last: Option<String>,
    pub suffix: Option<String>,
    pub nickname: Option<String>,
}

impl From<norm::PersonName> for PersonName {
    fn from(p: norm::PersonName) -> Self {
        PersonName {
            prefix: p.prefix,
            first: p.first,
            middle: p.middle,
            last: p.last,
            suffix: p.suffix,
            nickname: p.nickname,
        }
    }
}

/// A phone number: the input, its E.164 form, country, extension, and what is wrong.
#[napi(object)]
pub struct Phone {
    pub raw: String,
    pub e164: Option<String>,
    pub country: Option<String>,
    pub extension: Option<String>,
    /// Absent for a valid number, else the problem's name.
    pub problem: Option<String>,
    pub is_valid: bool,
}

impl From<norm::Phone> for Phone {
    fn from(p: norm::Phone) -> Self {
        Phone {
            is_valid: p.is_valid(),
            problem: p.problem.as_ref().map(|x| format!("{x:?}")),
            raw: p.raw,
            e164: p.e164,
            country: p.country,
            extension: p.extension,
        }
    }
}

/// A location: city, region and country (ISO alpha-2), when recognised.
#[napi(object)]
pub struct Location {
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
}

impl From<norm::Location> for Location {
    fn from(l: norm::Location) -> Self {
        Location {
            city: l.city,
            region: l.region,
            country: l.country.map(str::to_string),
        }
    }
}

/// Normalizes one company name; `country` (ISO alpha-2) picks the legal forms to try first.
#[napi]
pub fn normalize_company_name(name: String, country: Option<String>) -> CompanyName {
    norm::normalize_company_name_in(&name, country.as_deref()).into()
}

/// The work of `normalizeCompanyNames`, done off the JavaScript thread.
pub struct NormalizeCompanyNames {
    names: Vec<String>,
    country: Option<String>,
}

impl Task for NormalizeCompanyNames {
    type Output = Vec<norm::CompanyName>;
    type JsValue = Vec<CompanyName>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(self
            .names
            .iter()
            .map(|n| norm::normalize_company_name_in(n, self.country.as_deref()))
            .collect())
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output.into_iter().map(Into::into).collect())
    }
}

/// Normalizes many company names off the JavaScript thread; same order as given.
#[napi(ts_return_type = "Promise<CompanyName[]>")]
pub fn normalize_company_names(
    names: Vec<String>,
    country: Option<String>,
) -> AsyncTask<NormalizeCompanyNames> {
    AsyncTask::new(NormalizeCompanyNames { names, country })
}

/// The work of `normalizeCompanyNamesPacked`: splitting, normalization and packing,
/// all off the JavaScript thread.
pub struct NormalizeCompanyNamesPacked {
    joined: String,
    count: u32,
    country: Option<String>,
}

impl Task for NormalizeCompanyNamesPacked {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let names = crate::packed::split_inputs(&self.joined, self.count)?;
        let out: Vec<norm::CompanyName> = names
            .iter()
            .map(|n| norm::normalize_company_name_in(n, self.country.as_deref()))
            .collect();
        Ok(crate::packed::company_names(&names, &out))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// The transport of the package's `normalizeCompanyNames` (use that): `count` names
/// joined by NUL characters in, the results as one JSON array of 4 cells per name out,
/// which `leadgen.js` turns into `CompanyName` objects.
#[napi(ts_return_type = "Promise<string>")]
pub fn normalize_company_names_packed(
    joined: String,
    count: u32,
    country: Option<String>,
) -> AsyncTask<NormalizeCompanyNamesPacked> {
    AsyncTask::new(NormalizeCompanyNamesPacked {
        joined,
        count,
        country,
    })
}

/// Normalizes one job title.
#[napi]
pub fn normalize_job_title(title: String) -> JobTitle {
    norm::normalize_job_title(&title).into()
}

/// Splits a full name into parts.
#[napi]
pub fn parse_person_name(full_name: String) -> PersonName {
    norm::parse_person_name(&full_name).into()
}

/// Normalizes a phone number to E.164; `defaultCountry` for numbers without a code.
#[napi]
pub fn normalize_phone(raw: String, default_country: Option<String>) -> Phone {
    norm::normalize_phone(&raw, default_country.as_deref()).into()
}

/// Reads a location ("Praha 2, Czechia").
#[napi]
pub fn parse_location(text: String, default_country: Option<String>) -> Location {
    norm::parse_location_in(&text, default_country.as_deref()).into()
}

/// The canonical LinkedIn URL, or `null` when the text is not a LinkedIn URL.
#[napi]
pub fn canonical_linkedin_url(url: String) -> Option<String> {
    norm::canonical_linkedin_url(&url).map(|u| u.url)
}

/// The registrable domain of a URL, host or email.
#[napi]
pub fn registrable_domain(text: String) -> Option<String> {
    norm::registrable_domain(&text)
}

/// The ISO alpha-2 code of a country name or code.
#[napi]
pub fn country_code(name: String) -> Option<&'static str> {
    norm::country_code(&name)
}

/// An email address trimmed and lower-cased, or `null` when it is not one.
#[napi]
pub fn tidy_email(raw: String) -> Option<String> {
    norm::tidy_email(&raw)
}
