"""Fixtures of the pytest suite. The suite tests the INSTALLED `leadgen` package (a
wheel built by maturin, installed into a fresh venv by scripts/test-python.sh), never
the source tree: `test_installed_package_is_used` fails otherwise."""

import csv
import os
from pathlib import Path

import pytest

import leadgen

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    return Path(os.environ.get("LEADGEN_SHARED_DIR", REPO.parent / "shared"))


@pytest.fixture
def data_dir() -> Path:
    path = shared_dir() / "data"
    assert path.is_dir(), f"shared test data missing: {path} (set LEADGEN_SHARED_DIR)"
    return path


@pytest.fixture
def lg(tmp_path):
    """A fresh SQLite store in a temporary file, closed after the test."""
    with leadgen.open(str(tmp_path / "leads.db")) as handle:
        yield handle


@pytest.fixture
def acme(lg):
    return lg.tenant("acme")


def read_team_contacts(data_dir: Path) -> list:
    """The well-formed rows of team_contacts.csv as leadgen Contacts, mapped by hand the
    way a user without the importer would (the file's README counts 313 valid rows)."""
    columns = {"Jméno": "first_name", "Příjmení": "last_name", "E-mail": "email", "Firma": "company_name",
               "Job": "title", "Tel.": "phone", "LinkedIn": "linkedin_url", "Město": "location"}
    with open(data_dir / "team_contacts.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, contacts = rows[0], []
    for row in rows[1:]:
        if len(row) != len(header) or not any(v.strip() for v in row):
            continue  # malformed or all-empty: the importer reports these
        fields = {columns[h]: v.strip() for h, v in zip(header, row) if h in columns and v.strip()}
        note = row[header.index("Poznámka")].strip()
        contacts.append(leadgen.Contact(source="team_contacts.csv", attributes={"Poznámka": note} if note else {}, **fields))
    return contacts
