"""leadgen: embeddable B2B lead pipelines (import, clean, dedup, validate, enrich).

>>> import leadgen
>>> lg = leadgen.open("sqlite::memory:")
>>> acme = lg.tenant("acme")
>>> acme.upsert_contact(leadgen.Contact(email="jana@lumentis.cz")).inserted
1

Records (``Contact``, ``Company``, reports) have ``to_dict()`` and behave as read-only
mappings, so ``pandas.DataFrame(acme.all_contacts())`` works. Errors derive from
``leadgen.LeadgenError`` (see ``leadgen.exceptions``).

Files go in with ``tenant.import_file(path)`` (a report with row errors) and out with
``tenant.export_contacts(path)``; ``tenant.run(stages, on_progress=print)`` runs the
built-in stages (``leadgen.builtin_stages()``); ``tenant.main_job(path, output=...)``
does import, normalize, dedup, email validation and export in one call.
"""

from collections.abc import Mapping as _Mapping

from leadgen import exceptions
from leadgen._leadgen import (
    EmailVerification,
    ExportSummary,
    ImportReport,
    MainJobReport,
    MappedColumn,
    Plan,
    RowError,
    RunSummary,
    builtin_stages,
    validate_email,
    validate_emails,
    AuditEntry,
    Company,
    CompanyName,
    CompanyPage,
    Contact,
    ContactPage,
    DedupReport,
    JobTitle,
    Leadgen,
    Location,
    PersonName,
    Phone,
    Run,
    Tenant,
    UpsertReport,
    __version__,
    canonical_linkedin_url,
    country_code,
    normalize_company_name,
    normalize_company_names,
    normalize_job_title,
    normalize_job_titles,
    normalize_phone,
    parse_location,
    parse_person_name,
    registrable_domain,
    tidy_email,
)
from leadgen.exceptions import (
    BudgetExhaustedError,
    CancelledError,
    ConfigError,
    FileError,
    InvalidInputError,
    LeadgenError,
    MigrationError,
    NotFoundError,
    OperationTimeoutError,
    ProviderError,
    StorageError,
    StoreConnectionError,
    TenantMismatchError,
    UniqueViolationError,
)

# Records are read-only mappings: dict(record) and pandas.DataFrame(records) work.
for _record in (Contact, Company, UpsertReport, Run, AuditEntry, DedupReport,
                CompanyName, JobTitle, PersonName, Phone, Location, ImportReport, RowError,
                MappedColumn, ExportSummary, EmailVerification, Plan, RunSummary, MainJobReport):
    _Mapping.register(_record)

#: Opens (and migrates) the store at ``url``: a SQLite file path or ``sqlite://`` URL,
#: ``"sqlite::memory:"``, or a ``postgres://`` URL. Same as ``Leadgen.open``.
open = Leadgen.open

__all__ = [
    "EmailVerification",
    "ExportSummary",
    "ImportReport",
    "MainJobReport",
    "MappedColumn",
    "Plan",
    "RowError",
    "RunSummary",
    "builtin_stages",
    "validate_email",
    "validate_emails",
    "AuditEntry",
    "Company",
    "CompanyPage",
    "Contact",
    "ContactPage",
    "Leadgen",
    "Run",
    "Tenant",
    "UpsertReport",
    "__version__",
    "CompanyName",
    "DedupReport",
    "JobTitle",
    "Location",
    "PersonName",
    "Phone",
    "canonical_linkedin_url",
    "country_code",
    "normalize_company_name",
    "normalize_company_names",
    "normalize_job_title",
    "normalize_job_titles",
    "normalize_phone",
    "parse_location",
    "parse_person_name",
    "registrable_domain",
    "tidy_email",
    "exceptions",
    "open",
    "BudgetExhaustedError",
    "CancelledError",
    "ConfigError",
    "FileError",
    "InvalidInputError",
    "LeadgenError",
    "MigrationError",
    "NotFoundError",
    "OperationTimeoutError",
    "ProviderError",
    "StorageError",
    "StoreConnectionError",
    "TenantMismatchError",
    "UniqueViolationError",
]
