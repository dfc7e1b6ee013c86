//! The normalization engine: pure functions over text, one at a time or batched.
//!
//! The batched forms (`normalize_company_names`, `normalize_job_titles`, …) take a
//! list, release the GIL for the whole batch and return a list in the same order:
//! prefer them for large inputs.

use leadgen::core::normalize as norm;
use pyo3::prelude::*;

use crate::mapping::record_mapping;
use crate::records::enum_name;

/// A company name split into what it says and its legal form, with a matching key.
#[pyclass(module = "leadgen", name = "CompanyName", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyCompanyName {
    /// The name without its legal form, as written ("Acme Labs").
    #[pyo3(get)]
    display: String,
    /// The legal form in its canonical spelling ("s.r.o.", "GmbH").
    #[pyo3(get)]
    legal_form: Option<String>,
    /// The matching key: folded tokens joined by single spaces ("acme labs").
    #[pyo3(get)]
    key: String,
    /// The tokens of the key.
    #[pyo3(get)]
    tokens: Vec<String>,
}
record_mapping!(
    PyCompanyName,
    "CompanyName",
    ["display", "legal_form", "key", "tokens"]
);

impl From<norm::CompanyName> for PyCompanyName {
    fn from(n: norm::CompanyName) -> Self {
        PyCompanyName {
            display: n.display,
            legal_form: n.legal_form,
            key: n.key,
            tokens: n.tokens,
        }
    }
}

/// A job title: tidied, with its seniority and department when recognised.
#[pyclass(module = "leadgen", name = "JobTitle", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyJobTitle {
    #[pyo3(get)]
    normalized: String,
    #[pyo3(get)]
    seniority: Option<String>,
    #[pyo3(get)]
    department: Option<String>,
}
record_mapping!(
    PyJobTitle,
    "JobTitle",
    ["normalized", "seniority", "department"]
);

impl From<norm::JobTitle> for PyJobTitle {
    fn from(t: norm::JobTitle) -> Self {
        PyJobTitle {
            normalized: t.normalized,
            seniority: t.seniority.as_ref().map(enum_name),
            department: t.department.as_ref().map(enum_name),
        }
    }
}

/// A person's name in parts.
#[pyclass(module = "leadgen", name = "PersonName", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyPersonName {
    #[pyo3(get)]
    prefix: Option<String>,
    #[pyo3(get)]
    first: Option<String>,
    #[pyo3(get)]
    middle: Option<String>,
    #[pyo3(get)]
    last: Option<String>,
    #[pyo3(get)]
    suffix: Option<String>,
    #[pyo3(get)]
    nickname: Option<String>,
}
record_mapping!(
    PyPersonName,
    "PersonName",
    ["prefix", "first", "middle", "last", "suffix", "nickname"]
);

impl From<norm::PersonName> for PyPersonName {
    fn from(p: norm::PersonName) -> Self {
        PyPersonName {
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
#[pyclass(module = "leadgen", name = "Phone", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyPhone {
    #[pyo3(get)]
    raw: String,
    #[pyo3(get)]
    e164: Option<String>,
    #[pyo3(get)]
    country: Option<String>,
    #[pyo3(get)]
    extension: Option<String>,
    /// `None` for a valid number, else the problem's snake_case name.
    #[pyo3(get)]
    problem: Option<String>,
}
record_mapping!(
    PyPhone,
    "Phone",
    ["raw", "e164", "country", "extension", "problem", "is_valid"]
);

#[pymethods]
impl PyPhone {
    /// Whether the number is valid.
    #[getter]
    fn is_valid(&self) -> bool {
        self.problem.is_none()
    }
}

impl From<norm::Phone> for PyPhone {
    fn from(p: norm::Phone) -> Self {
        PyPhone {
            problem: p.problem.as_ref().map(|x| format!("{x:?}")),
            raw: p.raw,
            e164: p.e164,
            country: p.country,
            extension: p.extension,
        }
    }
}

/// A location: city, region and country (ISO alpha-2), when recognised.
#[pyclass(module = "leadgen", name = "Location", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyLocation {
    #[pyo3(get)]
    city: Option<String>,
    #[pyo3(get)]
    region: Option<String>,
    #[pyo3(get)]
    country: Option<String>,
}
record_mapping!(PyLocation, "Location", ["city", "region", "country"]);

impl From<norm::Location> for PyLocation {
    fn from(l: norm::Location) -> Self {
        PyLocation {
            city: l.city,
            region: l.region,
            country: l.country.map(str::to_string),
        }
    }
}

/// Normalizes one company name; `country` (ISO alpha-2) picks the legal forms to try first.
#[pyfunction]
#[pyo3(signature = (name, country=None))]
pub fn normalize_company_name(name: &str, country: Option<&str>) -> PyCompanyName {
    norm::normalize_company_name_in(name, country).into()
}

/// Normalizes many company names with the GIL released; same order as given.
#[pyfunction]
#[pyo3(signature = (names, country=None))]
pub fn normalize_company_names(
    py: Python<'_>,
    names: Vec<String>,
    country: Option<String>,
) -> Vec<PyCompanyName> {
    let out = py.detach(|| {
        names
            .iter()
            .map(|n| norm::normalize_company_name_in(n, country.as_deref()))
            .collect::<Vec<_>>()
    });
    out.into_iter().map(Into::into).collect()
}

/// Normalizes one job title.
#[pyfunction]
pub fn normalize_job_title(title: &str) -> PyJobTitle {
    norm::normalize_job_title(title).into()
}

/// Normalizes many job titles with the GIL released.
#[pyfunction]
pub fn normalize_job_titles(py: Python<'_>, titles: Vec<String>) -> Vec<PyJobTitle> {
    let out = py.detach(|| {
        titles
            .iter()
            .map(|t| norm::normalize_job_title(t))
            .collect::<Vec<_>>()
    });
    out.into_iter().map(Into::into).collect()
}

/// Splits a full name into parts.
#[pyfunction]
pub fn parse_person_name(full_name: &str) -> PyPersonName {
    norm::parse_person_name(full_name).into()
}

/// Normalizes a phone number to E.164; `default_country` for numbers without a code.
#[pyfunction]
#[pyo3(signature = (raw, default_country=None))]
pub fn normalize_phone(raw: &str, default_country: Option<&str>) -> PyPhone {
    norm::normalize_phone(raw, default_country).into()
}

/// Reads a location ("Praha 2, Czechia").
#[pyfunction]
#[pyo3(signature = (text, default_country=None))]
pub fn parse_location(text: &str, default_country: Option<&str>) -> PyLocation {
    norm::parse_location_in(text, default_country).into()
}

/// The canonical LinkedIn URL, or `None` when the text is not a LinkedIn URL.
#[pyfunction]
pub fn canonical_linkedin_url(url: &str) -> Option<String> {
    norm::canonical_linkedin_url(url).map(|u| u.url)
}

/// The registrable domain of a URL, host or email ("https://www.acme.co.uk/x" → "acme.co.uk").
#[pyfunction]
pub fn registrable_domain(text: &str) -> Option<String> {
    norm::registrable_domain(text)
}

/// The ISO alpha-2 code of a country name or code ("Czechia", "CZE" → "CZ").
#[pyfunction]
pub fn country_code(name: &str) -> Option<&'static str> {
    norm::country_code(name)
}

/// An email address trimmed and lower-cased, or `None` when it is not one.
#[pyfunction]
pub fn tidy_email(raw: &str) -> Option<String> {
    norm::tidy_email(raw)
}
