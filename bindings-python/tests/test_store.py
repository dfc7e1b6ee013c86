"""The store surface as a user works it: contacts, companies, filters, paging, runs, audit."""

import datetime as dt

import pytest

import leadgen
from conftest import read_team_contacts


def test_contact_round_trip(acme):
    jana = leadgen.Contact(
        first_name="Jana",
        last_name="Nováková",
        email="jana.novakova@lumentis.cz",
        title="Head of Sales",
        seniority="head",
        department="sales",
        attributes={"Lead source": "webinar"},
        provenance={
            "email": {
                "source": "import:team_contacts",
                "observed_at": dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc),
                "confidence": 0.9,
            }
        },
    )
    first = acme.upsert_contact(jana)
    assert (first.inserted, first.updated) == (1, 0)
    report = acme.upsert_contact(jana)
    assert (report.inserted, report.updated) == (0, 1)
    got = acme.get_contact(jana.id)
    assert got == jana
    assert got.email == "jana.novakova@lumentis.cz"
    assert got.seniority == "head" and got.department == "sales"
    assert got.provenance["email"]["confidence"] == pytest.approx(0.9)
    assert got.created_at.tzinfo is not None
    assert got.display_name() == "Jana Nováková"
    assert acme.delete_contact(jana.id) is True
    assert acme.get_contact(jana.id) is None
    assert acme.delete_contact(jana.id) is False


def test_tenants_are_isolated(lg):
    acme, globex = lg.tenant("acme"), lg.tenant("globex")
    c = leadgen.Contact(email="a@acme.test")
    acme.upsert_contact(c)
    assert globex.get_contact(c.id) is None
    assert globex.count_contacts() == 0
    assert acme.count_contacts() == 1
    assert acme.tenant_id == "acme"


def test_keyless_filter_finds_contacts_without_email_or_linkedin(acme):
    jana = leadgen.Contact(first_name="Jana", email="jana@acme.test")
    emil = leadgen.Contact(first_name="Emil", linkedin_url="https://www.linkedin.com/in/emil")
    petr = leadgen.Contact(first_name="Petr", company_name="Petrol Ltd")
    acme.upsert_contacts([jana, emil, petr])
    assert acme.count_contacts(keyless=True) == 1
    assert [c.id for c in acme.all_contacts(keyless=True)] == [petr.id]
    assert len(acme.list_contacts(keyless=False).items) == 3


def test_companies_filters_and_paging(acme):
    companies = [
        leadgen.Company(f"Firma {i} s.r.o.", domain=f"firma{i}.cz", country="CZ" if i % 2 else "NO")
        for i in range(25)
    ]
    assert acme.upsert_companies(companies).inserted == 25
    assert acme.count_companies() == 25
    assert acme.count_companies(country="CZ") == 12
    seen, cursor = [], None
    while True:
        page = acme.list_companies(limit=10, cursor=cursor)
        seen += [c.id for c in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(c.id for c in companies)
    assert len(acme.all_companies(country="NO")) == 13
    got = acme.get_company(companies[3].id)
    assert got.name == "Firma 3 s.r.o." and got.domain == "firma3.cz"
    assert acme.delete_company(companies[3].id)


def test_shared_team_contacts_to_pandas(acme, data_dir):
    pandas = pytest.importorskip("pandas")
    contacts = read_team_contacts(data_dir)
    assert len(contacts) == 313
    rows = contacts
    report = acme.upsert_contacts(contacts)
    assert report.inserted == len(rows)
    assert acme.count_contacts() == len(rows)
    with_email = [c for c in contacts if c.email]
    assert with_email, "team_contacts.csv has email addresses"
    found = acme.list_contacts(emails=[with_email[0].email.upper()]).items
    assert [c.id for c in found] == [with_email[0].id]
    stored = acme.all_contacts()
    frame = pandas.DataFrame(stored)
    assert len(frame) == len(rows)
    assert list(frame.columns) == list(leadgen.Contact().keys())
    frame2 = pandas.DataFrame([c.to_dict() for c in stored])
    assert frame.equals(frame2)


def test_records_are_mappings(acme):
    c = leadgen.Contact(email="x@y.test")
    d = dict(c)
    assert d["email"] == "x@y.test" and d == c.to_dict()
    assert c["email"] == "x@y.test" and "email" in c and len(c) == len(d)
    assert c.get("nope", 42) == 42
    with pytest.raises(KeyError):
        c["nope"]
    report = acme.upsert_contact(c)
    assert report.to_dict() == {"inserted": 1, "updated": 0}


def test_audit_and_runs(acme):
    c = leadgen.Contact(email="audit@y.test")
    acme.upsert_contact(c)
    acme.append_audit("user:alice", "export", entity=f"contact:{c.id}", details={"rows": 1, "to": ["a.csv"]})
    entries = acme.list_audit(action="export")
    assert len(entries) == 1
    e = entries[0]
    assert (e.actor, e.action, e.entity) == ("user:alice", "export", f"contact:{c.id}")
    assert e.details == {"rows": 1, "to": ["a.csv"]}
    assert acme.list_runs() == []
    assert acme.get_run("0190b6a0-0000-7000-8000-000000000000") is None


def test_postgresql_store_when_configured():
    """The same calls on PostgreSQL (CI starts it and sets LEADGEN_TEST_DATABASE_URL)."""
    import os
    import uuid

    url = os.environ.get("LEADGEN_TEST_DATABASE_URL")
    if not url:
        pytest.skip("LEADGEN_TEST_DATABASE_URL is not set")
    with leadgen.open(url) as lg:
        assert lg.backend == "postgres"
        tenant = lg.tenant(f"py-{uuid.uuid4().hex[:12]}")
        c = leadgen.Contact(email="pg@bindings.test")
        assert tenant.upsert_contact(c).inserted == 1
        assert tenant.get_contact(c.id) == c
        assert tenant.count_contacts() == 1
