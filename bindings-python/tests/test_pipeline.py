"""Import, export, email validation, plans and runs with progress, the main job — on
the shared data files, as a user would call them."""

import asyncio
import csv
import json

import pytest

import leadgen

TEAM_MALFORMED = [(36, "too_many_fields"), (281, "too_few_fields"), (368, "unterminated_quote")]


def test_import_reports_counts_and_row_errors(acme, data_dir):
    phases = []
    report = acme.import_file(data_dir / "team_contacts.csv", on_progress=phases.append)
    assert isinstance(report, leadgen.ImportReport)
    assert report.read == 316
    assert report.run_id is not None
    assert report.format["format"] == "csv" and report.format["encoding"].upper() == "UTF-8"
    # The file's README lists three malformed rows (and one empty record).
    errors = [(e.line, e.kind) for e in report.errors]
    for expected in TEAM_MALFORMED:
        assert expected in errors, (expected, errors)
    quote = next(e for e in report.errors if e.kind == "unterminated_quote")
    assert quote.column == "E-mail" and "never closed" in quote.reason or quote.reason
    assert report.imported + report.updated + report.duplicates == report.read - len(report.errors)
    assert acme.count_contacts() == report.imported
    assert len(report.contact_ids) == report.imported
    assert {p["phase"] for p in phases} >= {"parsed", "matched", "written"}
    by_header = {c.header: c for c in report.mapping}
    assert by_header["E-mail"].field == "email"
    # Records and reports go straight into pandas.
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(report.errors)
    assert list(frame["line"])[:3] == sorted(frame["line"])[:3]

    again = acme.import_file(str(data_dir / "team_contacts.csv"))
    assert again.imported == 0, "importing the same file twice creates no duplicates"
    assert acme.count_contacts() == report.imported


def test_preview_writes_nothing(acme, data_dir):
    preview = acme.preview_file(data_dir / "team_contacts_cp1250.csv")
    assert preview.run_id is None
    assert preview.format["encoding"].lower() == "windows-1250"
    assert [(e.line, e.kind) for e in preview.errors if e.kind != "no_usable_fields"] == [(257, "too_few_fields")]
    assert preview.imported > 200
    assert acme.count_contacts() == 0


def test_presets_and_mapping_overrides(acme, data_dir):
    report = acme.import_file(data_dir / "linkedin_connections.csv", preset="linkedin_connections")
    assert report.preset == "linkedin_connections"
    assert report.read == 885 and report.errors == []

    ignored = acme.preview_file(data_dir / "team_contacts.csv", mapping={"Firma": "ignore", "Job": "title"})
    fields = {c.header: c.field for c in ignored.mapping}
    assert fields["Firma"] is None and fields["Job"] == "title"
    methods = {c.header: c.method for c in ignored.mapping}
    assert (methods["Firma"], methods["Job"]) == ("ignored", "user")

    with pytest.raises(leadgen.InvalidInputError):
        acme.import_file(data_dir / "team_contacts.csv", preset="no_such_preset")
    with pytest.raises(leadgen.InvalidInputError) as e:
        acme.import_file(data_dir / "team_contacts.csv", preset="hubspot")
    assert e.value.code == "INVALID_INPUT"
    with pytest.raises(leadgen.InvalidInputError):
        acme.preview_file(data_dir / "team_contacts.csv", mapping={"Firma": "no_such_field"})


def test_workbook_and_semicolons(acme, data_dir):
    book = acme.preview_file(data_dir / "team_workbook.xlsx")
    assert book.format["format"] == "spreadsheet"
    assert book.read > 0
    semi = acme.preview_file(data_dir / "team_contacts_semicolon.csv")
    assert semi.format["delimiter"] == ";"
    assert {(e.line, e.kind) for e in semi.errors} >= {(132, "too_few_fields"), (209, "too_many_fields")}


def test_export_csv_xlsx_jsonl_with_columns_and_filters(acme, data_dir, tmp_path):
    report = acme.import_file(data_dir / "team_contacts.csv")
    with_email = acme.count_contacts(search="@")
    out = acme.export_contacts(tmp_path / "team.csv", columns=["email", "first_name", "last_name", "company_name"])
    assert out.format == "csv" and out.rows == report.imported
    with open(out.path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["email", "first_name", "last_name", "company_name"]
    assert len(rows) == report.imported + 1

    jl = acme.export_contacts(tmp_path / "some.jsonl", ids=report.contact_ids[:10])
    lines = (tmp_path / "some.jsonl").read_text(encoding="utf-8").splitlines()
    assert jl.rows == 10 and len(lines) == 10
    assert json.loads(lines[0])["id"] == report.contact_ids[0]

    cz = acme.count_contacts(country="CZ")
    filtered = acme.export_contacts(tmp_path / "cz.xlsx", country="CZ")
    assert filtered.rows == cz and filtered.format == "xlsx"
    assert (tmp_path / "cz.xlsx").read_bytes()[:2] == b"PK"

    forced = acme.export_companies(tmp_path / "companies.data", format="jsonl")
    assert forced.rows == acme.count_companies() > 0
    assert with_email <= report.imported

    # What leadgen exports imports back into the same records (the leadgen preset).
    full = acme.export_contacts(tmp_path / "full.csv")
    assert "attributes.Poznámka" in full.columns
    back = acme.import_file(full.path)
    assert back.preset == "leadgen" and back.imported == 0 and back.errors == []


def test_export_rejects_unknown_columns_and_formats(acme, tmp_path):
    with pytest.raises(leadgen.InvalidInputError):
        acme.export_contacts(tmp_path / "x.csv", columns=["no_such_column"])
    with pytest.raises(leadgen.InvalidInputError):
        acme.export_contacts(tmp_path / "x.pdf")


def test_validate_emails_batched_and_one_by_one():
    addresses = ["jana.novakova@lumentis.cz", "Info@Mailinator.com", "jana@@acme.cz", "petr@gmail.com"]
    batch = leadgen.validate_emails(addresses)
    assert [v.status for v in batch] == ["valid", "risky", "invalid", "valid"]
    assert batch[1].disposable and batch[1].role_account
    assert batch[1].normalized == "Info@mailinator.com"
    assert batch[2].reasons[0].startswith("syntax.")
    assert batch[3].free_provider and "free_provider" in batch[3].reasons
    one = [leadgen.validate_email(a) for a in addresses]
    assert [v.to_dict() for v in one] == [v.to_dict() for v in batch]


def test_plan_and_run_with_progress(acme, data_dir):
    report = acme.import_file(data_dir / "hubspot_contacts_export.csv")
    n = acme.count_contacts()
    assert set(leadgen.builtin_stages()) == {"normalize_company", "normalize_contact", "email_validation"}
    stages = ["normalize_contact", "email_validation"]
    with_email = sum(1 for c in acme.all_contacts() if c.email)
    plan = acme.plan(stages)
    # Contacts without an email are skipped by the validation stage's gate.
    assert plan.contacts == n and plan.pairs_to_run == n + with_email
    assert plan.stages[1]["skipped"] == n - with_email
    assert [s["stage"] for s in plan.stages] == stages
    assert "normalize_contact" in plan.text

    events = []
    summary = acme.run(stages, on_progress=events.append)
    assert summary.status == "completed", summary.text
    assert summary.pairs_finished == 2 * n
    assert events[0]["event"] == "run_started" and events[-1]["event"] == "run_finished"
    assert sum(1 for e in events if e["event"] == "pair_finished") == 2 * n
    assert {e["run_id"] for e in events} == {summary.run_id}
    counts = {s["stage"]: s["counts"] for s in summary.stages}
    assert counts["email_validation"]["completed"] + counts["email_validation"]["skipped"] == n
    statuses = [c.email_status for c in acme.all_contacts() if c.email]
    assert statuses.count("valid") > len(statuses) // 2
    assert acme.plan(stages).pairs_to_run == 0, "a second run has nothing left to do"

    one = report.contact_ids[0]
    assert acme.plan(["normalize_contact"], entities=[f"contact:{one}"]).contacts == 1


def test_progress_callback_errors_are_raised(acme, data_dir):
    acme.import_file(data_dir / "google_contacts.csv")

    def boom(event):
        raise ZeroDivisionError("from the callback")

    with pytest.raises(ZeroDivisionError):
        acme.run(["normalize_contact"], on_progress=boom)
    with pytest.raises(TypeError):
        acme.run(["normalize_contact"], on_progress="not callable")
    assert acme.count_contacts() > 0  # the store still works


def test_run_rejects_unknown_stages_and_bad_refs(acme):
    with pytest.raises(leadgen.LeadgenError) as e:
        acme.run(["no_such_stage"])
    assert e.value.code in ("CONFIG", "INVALID_INPUT")
    with pytest.raises(leadgen.InvalidInputError):
        acme.plan([])
    with pytest.raises(leadgen.InvalidInputError):
        acme.plan(["normalize_contact"], entities=["person:1"])
    with pytest.raises(TypeError):
        acme.run("normalize_contact")  # a str is not a list of stages


def test_main_job(acme, data_dir, tmp_path):
    events = []
    job = acme.main_job(data_dir / "team_contacts.csv", output=tmp_path / "clean.xlsx", on_progress=events.append)
    assert isinstance(job, leadgen.MainJobReport)
    assert job.import_report.read == 316 and len(job.import_report.errors) >= 3
    assert job.normalize.status == "completed" and job.validate_emails.status == "completed"
    assert job.clusters_merged is not None
    assert job.export.rows == job.contacts > 0
    assert job.contacts == acme.count_contacts()
    assert any(e["event"] == "run_finished" for e in events)
    only_import = acme.main_job(data_dir / "team_contacts.csv", normalize=False, dedup=False, validate_emails=False)
    assert only_import.normalize is None and only_import.export is None and only_import.clusters_merged is None


def test_async_import_and_run(acme, data_dir):
    async def main():
        ticks = 0

        async def heartbeat():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        beat = asyncio.ensure_future(heartbeat())
        phases = []
        report = await acme.import_file_async(data_dir / "apollo_people_export.csv", on_progress=phases.append)
        events = []
        summary = await acme.run_async(["normalize_contact"], on_progress=events.append)
        job = await acme.main_job_async(data_dir / "google_contacts.csv", validate_emails=False)
        beat.cancel()
        return report, phases, summary, events, job, ticks

    report, phases, summary, events, job, ticks = asyncio.run(main())
    assert report.read == 636 and report.imported > 0
    assert {p["phase"] for p in phases} >= {"parsed", "written"}
    assert summary.pairs_finished == report.imported
    assert events and ticks > 0
    assert job.import_report.read > 0 and job.validate_emails is None and job.normalize.status == "completed"


def test_async_preview_and_exports(acme, data_dir, tmp_path):
    async def main():
        preview = await acme.preview_file_async(data_dir / "apollo_people_export.csv")
        imported = await acme.import_file_async(data_dir / "apollo_people_export.csv")
        contacts = await acme.export_contacts_async(tmp_path / "contacts.csv", columns=["first_name", "email"])
        companies = await acme.export_companies_async(tmp_path / "companies.jsonl")
        return preview, imported, contacts, companies

    preview, imported, contacts, companies = asyncio.run(main())
    # The preview wrote nothing and predicted what the import then did.
    assert preview.read == imported.read == 636
    assert preview.imported == imported.imported
    with open(tmp_path / "contacts.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert contacts.rows == len(rows) == acme.count_contacts()
    assert list(rows[0]) == ["first_name", "email"]
    lines = (tmp_path / "companies.jsonl").read_text(encoding="utf-8").splitlines()
    assert companies.rows == len(lines) == acme.count_companies() > 0
    assert all(isinstance(json.loads(line), dict) for line in lines)


def test_async_export_errors_are_mapped(acme, tmp_path):
    async def main():
        await acme.export_contacts_async(tmp_path / "out.csv", format="parquet")

    with pytest.raises(ValueError):
        asyncio.run(main())


def test_async_import_errors_are_mapped(acme, tmp_path):
    async def main():
        await acme.import_file_async(tmp_path / "missing.csv")

    with pytest.raises(leadgen.FileError) as e:
        asyncio.run(main())
    assert isinstance(e.value, OSError) and e.value.code == "IO"
