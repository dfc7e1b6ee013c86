"""Normalization and deduplication through the installed package."""

import csv

import pytest

import leadgen


def test_normalizers():
    n = leadgen.normalize_company_name("The Acme Widget Company, Inc.")
    assert (n.display, n.legal_form, n.key) == ("The Acme Widget Company", "Inc.", "acme widget company")
    assert leadgen.normalize_company_name("Havngruppen A.S.", "NO").legal_form == "AS"
    t = leadgen.normalize_job_title("VP Sales")
    assert (t.normalized, t.seniority, t.department) == ("Vice President of Sales", "vp", "sales")
    p = leadgen.parse_person_name("Ing. Jan van der Berg, Ph.D.")
    assert (p.prefix, p.first, p.last, p.suffix) == ("Ing.", "Jan", "van der Berg", "Ph.D.")
    assert leadgen.normalize_phone("602 123 456", "CZ").e164 == "+420602123456"
    bad = leadgen.normalize_phone("123", "CZ")
    assert not bad.is_valid and bad.problem and bad.raw == "123"
    prague = leadgen.parse_location("Praha 5, Česko")
    assert (prague.city, prague.country) == ("Prague", "CZ")
    assert leadgen.registrable_domain("https://www.acme.co.uk/about") == "acme.co.uk"
    assert leadgen.country_code("Czechia") == "CZ"
    assert leadgen.canonical_linkedin_url("nonsense") is None
    assert dict(n)["key"] == "acme widget company"


def test_batched_normalizers_match_single_calls(data_dir):
    with open(data_dir / "companies.csv", newline="", encoding="utf-8") as f:
        names = [row["Company"] for row in csv.DictReader(f)]
    assert len(names) == 400
    batched = leadgen.normalize_company_names(names)
    assert batched == [leadgen.normalize_company_name(n) for n in names]
    titles = ["VP Sales", "Jednatel", "CTO"]
    assert leadgen.normalize_job_titles(titles) == [leadgen.normalize_job_title(t) for t in titles]


@pytest.mark.parametrize("bad", [None, 42, b"x"])
def test_normalizers_reject_wrong_types(bad):
    with pytest.raises(TypeError):
        leadgen.normalize_company_name(bad)
    with pytest.raises(TypeError):
        leadgen.normalize_company_names([bad])
    with pytest.raises(TypeError):
        leadgen.normalize_phone(bad)


def test_dedup_finds_and_merges_duplicates(acme):
    people = [
        leadgen.Contact(first_name="Jana", last_name="Nováková", email="jana.novakova@lumentis.cz", company_name="Lumentis s.r.o."),
        leadgen.Contact(first_name="Jana", last_name="Novakova", email="Jana.Novakova@lumentis.cz", company_name="Lumentis"),
        leadgen.Contact(first_name="Ola", last_name="Nordmann", email="ola@fjordtech.no", company_name="Fjordtech AS"),
    ]
    acme.upsert_contacts(people)
    dry = acme.dedup_contacts()
    assert (dry.records, dry.duplicate_clusters, dry.applied) == (3, 1, False)
    assert sorted(dry.clusters[0]) == sorted([people[0].id, people[1].id])
    assert acme.count_contacts() == 3
    done = acme.dedup_contacts(apply=True)
    assert (done.clusters_merged, done.tombstoned) == (1, 1)
    assert acme.count_contacts() == 2
    assert acme.count_contacts(include_merged=True) == 3
    assert acme.list_audit(), "a merge leaves an audit entry"
    with pytest.raises(leadgen.InvalidInputError):
        acme.dedup_contacts(strategy="coin_flip")
    assert acme.dedup_companies().records == 0
