"""The errors leadgen raises: ``LeadgenError`` and one subclass per error kind.

Every exception has ``code``, the stable kind code shared with the Node binding
(``"NOT_FOUND"``, ``"INVALID_INPUT"``, ...), and keeps the underlying Rust cause in
``__cause__``. Where Python has an idiomatic builtin, the class derives from it too::

    LeadgenError(Exception)
    ├── InvalidInputError(ValueError)      INVALID_INPUT
    ├── NotFoundError(LookupError)         NOT_FOUND
    ├── StorageError                       STORAGE
    │   ├── UniqueViolationError           UNIQUE_VIOLATION
    │   └── MigrationError                 MIGRATION
    ├── TenantMismatchError(PermissionError)  TENANT_MISMATCH
    ├── StoreConnectionError(ConnectionError) CONNECTION
    ├── ProviderError                      PROVIDER
    ├── CancelledError                     CANCELLED
    ├── OperationTimeoutError(TimeoutError)   TIMEOUT
    ├── BudgetExhaustedError               BUDGET_EXHAUSTED
    ├── ConfigError(ValueError)            CONFIG
    └── FileError(OSError)                 IO
"""

from leadgen._leadgen import (
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

__all__ = [
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
