# Type stubs of the native module, checked against the built module with
# `python -m mypy.stubtest leadgen` (scripts/test-python.sh).
import builtins
from collections.abc import Awaitable, Iterator
from datetime import datetime
from typing import Any, TypedDict, final

__version__: str
__all__ = [
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
