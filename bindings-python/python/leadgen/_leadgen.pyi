# Type stubs of the native module, checked against the built module with
# `python -m mypy.stubtest leadgen` (scripts/test-python.sh).
import builtins
import os
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from typing import Any, TypedDict, final

__version__: str
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
    "__version__",
    "AuditEntry",
    "BudgetExhaustedError",
    "CancelledError",
    "Company",
    "CompanyPage",
    "ConfigError",
    "Contact",
    "ContactPage",
    "FileError",
    "InvalidInputError",
    "Leadgen",
    "LeadgenError",
    "MigrationError",
    "NotFoundError",
    "OperationTimeoutError",
    "ProviderError",
    "Run",
    "StorageError",
    "StoreConnectionError",
    "Tenant",
    "TenantMismatchError",
    "UniqueViolationError",
    "UpsertReport",
]

class LeadgenError(Exception):
    code: str

class InvalidInputError(LeadgenError, ValueError): ...
class NotFoundError(LeadgenError, LookupError): ...
class StorageError(LeadgenError): ...
class UniqueViolationError(StorageError): ...
class MigrationError(StorageError): ...
class TenantMismatchError(LeadgenError, PermissionError): ...
class StoreConnectionError(LeadgenError, ConnectionError): ...
class ProviderError(LeadgenError): ...
class CancelledError(LeadgenError): ...
class OperationTimeoutError(LeadgenError, TimeoutError): ...
class BudgetExhaustedError(LeadgenError): ...
class ConfigError(LeadgenError, ValueError): ...
class FileError(LeadgenError, OSError): ...

class _ProvenanceDict(TypedDict):
    source: str
    observed_at: datetime
    confidence: float

class _Record:
    def to_dict(self) -> dict[str, Any]: ...
    def keys(self) -> list[str]: ...
    def values(self) -> list[Any]: ...
    def items(self) -> list[tuple[str, Any]]: ...
    def get(self, key: str, default: Any | None = None) -> Any: ...
    def __getitem__(self, key: str, /) -> Any: ...
    def __contains__(self, key: str, /) -> bool: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...

@final
class Contact(_Record):
    id: str
    company_id: str | None
    first_name: str | None
    last_name: str | None
    full_name: str | None
    email: str | None
    email_status: str
    title: str | None
    normalized_title: str | None
    seniority: str | None
    department: str | None
    linkedin_url: str | None
    phone: str | None
    location: str | None
    country: str | None
    company_name: str | None
    source: str | None
    attributes: dict[str, str]
    provenance: dict[str, _ProvenanceDict]
    quality_score: float | None
    created_at: datetime
    updated_at: datetime
    last_enriched_at: datetime | None
    merged_into: str | None
    def __new__(cls, **kwargs: Any) -> Contact: ...
    def display_name(self) -> str | None: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Company(_Record):
    id: str
    name: str
    normalized_name: str | None
    legal_form: str | None
    domain: str | None
    website: str | None
    country: str | None
    registry_ids: dict[str, str]
    industry: str | None
    size: str | None
    hq: str | None
    linkedin_url: str | None
    attributes: dict[str, str]
    provenance: dict[str, _ProvenanceDict]
    created_at: datetime
    updated_at: datetime
    last_enriched_at: datetime | None
    merged_into: str | None
    def __new__(cls, name: str | None = None, **kwargs: Any) -> Company: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class UpsertReport(_Record):
    @property
    def inserted(self) -> int: ...
    @property
    def updated(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class ContactPage:
    @property
    def items(self) -> list[Contact]: ...
    @property
    def next_cursor(self) -> str | None: ...
    def __len__(self) -> int: ...

@final
class CompanyPage:
    @property
    def items(self) -> list[Company]: ...
    @property
    def next_cursor(self) -> str | None: ...
    def __len__(self) -> int: ...

@final
class Run(_Record):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def stages(self) -> list[str]: ...
    @property
    def budget(self) -> float | None: ...
    @property
    def spent(self) -> float: ...
    @property
    def summary(self) -> Any: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def finished_at(self) -> datetime | None: ...

@final
class AuditEntry(_Record):
    @property
    def id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def entity(self) -> str | None: ...
    @property
    def details(self) -> Any: ...

@final
class Leadgen:
    @staticmethod
    def open(url: str) -> Leadgen: ...
    def tenant(self, tenant_id: str) -> Tenant: ...
    @property
    def backend(self) -> str: ...
    def close(self) -> None: ...
    def __enter__(self) -> Leadgen: ...
    def __exit__(self, *_exc: object) -> bool: ...

@final
class Tenant:
    @property
    def tenant_id(self) -> str: ...
    def upsert_contact(self, contact: Contact) -> UpsertReport: ...
    def upsert_contacts(self, contacts: list[Contact]) -> UpsertReport: ...
    def upsert_contacts_async(self, contacts: list[Contact]) -> Awaitable[UpsertReport]: ...
    def get_contact(self, id: str) -> Contact | None: ...
    def delete_contact(self, id: str) -> bool: ...
    def list_contacts(
        self,
        *,
        company_id: str | None = None,
        emails: list[str] | None = None,
        linkedin_urls: list[str] | None = None,
        email_status: str | None = None,
        country: str | None = None,
        search: str | None = None,
        updated_since: datetime | None = None,
        updated_before: datetime | None = None,
        include_merged: bool = False,
        keyless: bool = False,
        limit: int = 100,
        cursor: str | None = None,
    ) -> ContactPage: ...
    def all_contacts(
        self,
        *,
        company_id: str | None = None,
        emails: list[str] | None = None,
        linkedin_urls: list[str] | None = None,
        email_status: str | None = None,
        country: str | None = None,
        search: str | None = None,
        updated_since: datetime | None = None,
        updated_before: datetime | None = None,
        include_merged: bool = False,
        keyless: bool = False,
    ) -> list[Contact]: ...
    def count_contacts(
        self,
        *,
        company_id: str | None = None,
        emails: list[str] | None = None,
        linkedin_urls: list[str] | None = None,
        email_status: str | None = None,
        country: str | None = None,
        search: str | None = None,
        updated_since: datetime | None = None,
        updated_before: datetime | None = None,
        include_merged: bool = False,
        keyless: bool = False,
    ) -> int: ...
    def upsert_company(self, company: Company) -> UpsertReport: ...
    def upsert_companies(self, companies: list[Company]) -> UpsertReport: ...
    def get_company(self, id: str) -> Company | None: ...
    def delete_company(self, id: str) -> bool: ...
    def list_companies(
        self,
        *,
        domains: list[str] | None = None,
        country: str | None = None,
        name_contains: str | None = None,
        updated_since: datetime | None = None,
        updated_before: datetime | None = None,
        include_merged: bool = False,
        limit: int = 100,
        cursor: str | None = None,
    ) -> CompanyPage: ...
    def all_companies(
        self,
        *,
        domains: list[str] | None = None,
        country: str | None = None,
        name_contains: str | None = None,
        updated_since: datetime | None = None,
        updated_before: datetime | None = None,
        include_merged: bool = False,
    ) -> list[Company]: ...
    def count_companies(
        self,
        *,
        domains: list[str] | None = None,
        country: str | None = None,
        name_contains: str | None = None,
        updated_since: datetime | None = None,
        updated_before: datetime | None = None,
        include_merged: bool = False,
    ) -> int: ...
    def list_runs(self, limit: int = 20) -> list[Run]: ...
    def get_run(self, id: str) -> Run | None: ...
    def list_audit(
        self, *, entity: str | None = None, action: str | None = None, limit: int = 100
    ) -> list[AuditEntry]: ...
    def append_audit(
        self, actor: str, action: str, *, entity: str | None = None, details: Any = None
    ) -> None: ...
    def dedup_contacts(
        self, *, apply: bool = False, strategy: str = "keep_newest", source_priority: list[str] | None = None
    ) -> DedupReport: ...
    def dedup_companies(
        self, *, apply: bool = False, strategy: str = "keep_newest", source_priority: list[str] | None = None
    ) -> DedupReport: ...
    def import_file(
        self,
        path: str | os.PathLike[str],
        *,
        preset: str | None = None,
        mapping: dict[str, str] | str | os.PathLike[str] | None = None,
        delimiter: str | None = None,
        sheet: str | int | None = None,
        source: str | None = None,
        on_progress: Callable[[dict[str, Any]], object] | None = None,
    ) -> ImportReport: ...
    def import_file_async(
        self,
        path: str | os.PathLike[str],
        *,
        preset: str | None = None,
        mapping: dict[str, str] | str | os.PathLike[str] | None = None,
        delimiter: str | None = None,
        sheet: str | int | None = None,
        source: str | None = None,
        on_progress: Callable[[dict[str, Any]], object] | None = None,
    ) -> Awaitable[ImportReport]: ...
    def preview_file(
        self,
        path: str | os.PathLike[str],
        *,
        preset: str | None = None,
        mapping: dict[str, str] | str | os.PathLike[str] | None = None,
        delimiter: str | None = None,
        sheet: str | int | None = None,
    ) -> ImportReport: ...
    def preview_file_async(
        self,
        path: str | os.PathLike[str],
        *,
        preset: str | None = None,
        mapping: dict[str, str] | str | os.PathLike[str] | None = None,
        delimiter: str | None = None,
        sheet: str | int | None = None,
    ) -> Awaitable[ImportReport]: ...
    def export_contacts(
        self,
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        columns: list[str] | None = None,
        ids: list[str] | None = None,
        company_id: str | None = None,
        email_status: str | None = None,
        country: str | None = None,
        search: str | None = None,
        include_merged: bool = False,
    ) -> ExportSummary: ...
    def export_contacts_async(
        self,
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        columns: list[str] | None = None,
        ids: list[str] | None = None,
        company_id: str | None = None,
        email_status: str | None = None,
        country: str | None = None,
        search: str | None = None,
        include_merged: bool = False,
    ) -> Awaitable[ExportSummary]: ...
    def export_companies(
        self,
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        columns: list[str] | None = None,
        domains: list[str] | None = None,
        country: str | None = None,
        name_contains: str | None = None,
        include_merged: bool = False,
    ) -> ExportSummary: ...
    def export_companies_async(
        self,
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        columns: list[str] | None = None,
        domains: list[str] | None = None,
        country: str | None = None,
        name_contains: str | None = None,
        include_merged: bool = False,
    ) -> Awaitable[ExportSummary]: ...
    def plan(self, stages: list[str], *, entities: list[str] | None = None) -> Plan: ...
    def run(
        self,
        stages: list[str],
        *,
        entities: list[str] | None = None,
        on_progress: Callable[[dict[str, Any]], object] | None = None,
    ) -> RunSummary: ...
    def run_async(
        self,
        stages: list[str],
        *,
        entities: list[str] | None = None,
        on_progress: Callable[[dict[str, Any]], object] | None = None,
    ) -> Awaitable[RunSummary]: ...
    def main_job(
        self,
        path: str | os.PathLike[str],
        *,
        output: str | os.PathLike[str] | None = None,
        columns: list[str] | None = None,
        preset: str | None = None,
        mapping: dict[str, str] | str | os.PathLike[str] | None = None,
        normalize: bool = True,
        dedup: bool = True,
        validate_emails: bool = True,
        on_progress: Callable[[dict[str, Any]], object] | None = None,
    ) -> MainJobReport: ...
    def main_job_async(
        self,
        path: str | os.PathLike[str],
        *,
        output: str | os.PathLike[str] | None = None,
        columns: list[str] | None = None,
        preset: str | None = None,
        mapping: dict[str, str] | str | os.PathLike[str] | None = None,
        normalize: bool = True,
        dedup: bool = True,
        validate_emails: bool = True,
        on_progress: Callable[[dict[str, Any]], object] | None = None,
    ) -> Awaitable[MainJobReport]: ...

@final
class DedupReport(_Record):
    @property
    def records(self) -> int: ...
    @property
    def candidate_pairs(self) -> int: ...
    @property
    def matched_pairs(self) -> int: ...
    @property
    def duplicate_clusters(self) -> int: ...
    @property
    def duplicate_records(self) -> int: ...
    @property
    def clusters(self) -> list[list[str]]: ...
    @property
    def applied(self) -> bool: ...
    @property
    def clusters_merged(self) -> int: ...
    @property
    def tombstoned(self) -> int: ...

@final
class CompanyName(_Record):
    @property
    def display(self) -> str: ...
    @property
    def legal_form(self) -> str | None: ...
    @property
    def key(self) -> str: ...
    @property
    def tokens(self) -> list[str]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class JobTitle(_Record):
    @property
    def normalized(self) -> str: ...
    @property
    def seniority(self) -> str | None: ...
    @property
    def department(self) -> str | None: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class PersonName(_Record):
    @property
    def prefix(self) -> str | None: ...
    @property
    def first(self) -> str | None: ...
    @property
    def middle(self) -> str | None: ...
    @property
    def last(self) -> str | None: ...
    @property
    def suffix(self) -> str | None: ...
    @property
    def nickname(self) -> str | None: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Phone(_Record):
    @property
    def raw(self) -> str: ...
    @property
    def e164(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...
    @property
    def extension(self) -> str | None: ...
    @property
    def problem(self) -> str | None: ...
    @property
    def is_valid(self) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Location(_Record):
    @property
    def city(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...
    def __eq__(self, value: object, /) -> bool: ...

def normalize_company_name(name: str, country: str | None = None) -> CompanyName: ...
def normalize_company_names(names: list[str], country: str | None = None) -> list[CompanyName]: ...
def normalize_job_title(title: str) -> JobTitle: ...
def normalize_job_titles(titles: list[str]) -> list[JobTitle]: ...
def parse_person_name(full_name: str) -> PersonName: ...
def normalize_phone(raw: str, default_country: str | None = None) -> Phone: ...
def parse_location(text: str, default_country: str | None = None) -> Location: ...
def canonical_linkedin_url(url: str) -> str | None: ...
def registrable_domain(text: str) -> str | None: ...
def country_code(name: str) -> str | None: ...
def tidy_email(raw: str) -> str | None: ...

@final
class RowError(_Record):
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def reason(self) -> str: ...

@final
class MappedColumn(_Record):
    @property
    def index(self) -> int: ...
    @property
    def header(self) -> str: ...
    @property
    def field(self) -> str | None: ...
    @property
    def confidence(self) -> float: ...
    @property
    def method(self) -> str: ...

@final
class ImportReport(_Record):
    @property
    def file(self) -> str: ...
    @property
    def format(self) -> dict[str, Any]: ...
    @property
    def preset(self) -> str | None: ...
    @property
    def source(self) -> str: ...
    @property
    def read(self) -> int: ...
    @property
    def imported(self) -> int: ...
    @property
    def updated(self) -> int: ...
    @property
    def duplicates(self) -> int: ...
    @property
    def companies_created(self) -> int: ...
    @property
    def companies_updated(self) -> int: ...
    @property
    def errors(self) -> list[RowError]: ...
    @property
    def mapping(self) -> list[MappedColumn]: ...
    @property
    def run_id(self) -> str | None: ...
    @property
    def contact_ids(self) -> list[str]: ...

@final
class ExportSummary(_Record):
    @property
    def path(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def rows(self) -> int: ...
    @property
    def columns(self) -> list[str]: ...

@final
class EmailVerification(_Record):
    @property
    def address(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def reasons(self) -> list[str]: ...
    @property
    def detail(self) -> str | None: ...
    @property
    def normalized(self) -> str | None: ...
    @property
    def ascii(self) -> str | None: ...
    @property
    def canonical(self) -> str | None: ...
    @property
    def disposable(self) -> bool: ...
    @property
    def role_account(self) -> bool: ...
    @property
    def free_provider(self) -> bool: ...
    @property
    def depth(self) -> str: ...

@final
class Plan(_Record):
    @property
    def pairs_to_run(self) -> int: ...
    @property
    def companies(self) -> int: ...
    @property
    def contacts(self) -> int: ...
    @property
    def estimated_credits(self) -> float: ...
    @property
    def stages(self) -> list[dict[str, Any]]: ...
    @property
    def text(self) -> str: ...

@final
class RunSummary(_Record):
    @property
    def run_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def pairs_finished(self) -> int: ...
    @property
    def spent(self) -> float: ...
    @property
    def elapsed(self) -> float: ...
    @property
    def error(self) -> str | None: ...
    @property
    def stages(self) -> list[dict[str, Any]]: ...
    @property
    def text(self) -> str: ...

@final
class MainJobReport(_Record):
    @property
    def import_report(self) -> ImportReport: ...
    @property
    def normalize(self) -> RunSummary | None: ...
    @property
    def clusters_merged(self) -> int | None: ...
    @property
    def validate_emails(self) -> RunSummary | None: ...
    @property
    def export(self) -> ExportSummary | None: ...
    @property
    def contacts(self) -> int: ...

def validate_email(address: str) -> EmailVerification: ...
def validate_emails(addresses: list[str]) -> list[EmailVerification]: ...
def builtin_stages() -> list[str]: ...
