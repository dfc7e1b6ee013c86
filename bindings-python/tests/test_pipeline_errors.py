"""Bad input to import, export, validation and runs: TypeError, ValueError or a
LeadgenError subclass — never a crash or a hang."""

import os
import sys
import threading
import time

import pytest

import leadgen


@pytest.mark.parametrize("bad", [None, 42, b"team.csv", ["a.csv"], object()])
def test_wrong_path_types_are_type_errors(acme, bad):
    with pytest.raises(TypeError):
        acme.import_file(bad)
    with pytest.raises(TypeError):
        acme.export_contacts(bad)


@pytest.mark.parametrize("bad", [None, 42, b"x@y.cz", ["x@y.cz"]])
def test_validate_email_wrong_types(bad):
    with pytest.raises(TypeError):
        leadgen.validate_email(bad)


def test_validate_emails_wrong_types():
    with pytest.raises(TypeError):
        leadgen.validate_emails("x@y.cz")  # a str is not a list of addresses
    with pytest.raises(TypeError):
        leadgen.validate_emails(["ok@y.cz", None])
    with pytest.raises(TypeError):
        leadgen.validate_emails([b"x@y.cz"])


def test_unreadable_files_raise_coded_errors(acme, tmp_path, data_dir):
    with pytest.raises(leadgen.FileError):
        acme.import_file(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(leadgen.InvalidInputError) as e:
        acme.import_file(empty)
    assert isinstance(e.value, ValueError) and "empty" in str(e.value)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(leadgen.InvalidInputError):
        acme.preview_file(binary)
    header_only = tmp_path / "header.csv"
    header_only.write_text("email,first_name\n")
    with pytest.raises(leadgen.InvalidInputError):
        acme.import_file(header_only)
    with pytest.raises(leadgen.InvalidInputError):
        acme.import_file(tmp_path / "missing.csv", delimiter=";;")
    with pytest.raises(TypeError):
        acme.import_file(tmp_path / "missing.csv", mapping=42)
    assert acme.count_contacts() == 0  # nothing written
    assert acme.import_file(data_dir / "google_contacts.csv").imported > 0  # calls after errors work


def test_closed_store(lg, data_dir, tmp_path):
    acme = lg.tenant("acme")
    lg.close()
    with pytest.raises(leadgen.StoreConnectionError):
        acme.import_file(data_dir / "team_contacts.csv")
    with pytest.raises(leadgen.StoreConnectionError):
        acme.export_contacts(tmp_path / "x.csv")
    with pytest.raises(leadgen.StoreConnectionError):
        acme.run(["normalize_contact"])
    with pytest.raises(leadgen.StoreConnectionError):
        acme.plan(["normalize_contact"])


def test_huge_lists():
    addresses = [f"user{i}@example{i % 97}.cz" for i in range(300_000)] + ["bad@@x"]
    results = leadgen.validate_emails(addresses)
    assert len(results) == len(addresses)
    assert results[-1].status == "invalid" and results[0].status == "valid"
    names = leadgen.normalize_company_names([f"Firma {i} s.r.o." for i in range(100_000)])
    assert names[5].legal_form is not None


def test_the_gil_is_released_while_emails_are_validated():
    ticks, stop = [], threading.Event()

    def spin():
        while not stop.is_set():
            ticks.append(time.monotonic())

    worker = threading.Thread(target=spin)
    worker.start()
    try:
        n = 50_000
        while True:
            addresses = [f"person{i}@company{i % 1000}.cz" for i in range(n)]
            before = len(ticks)
            start = time.monotonic()
            leadgen.validate_emails(addresses)
            end = time.monotonic()
            if end - start > 0.3 or n >= 1_600_000:
                break
            n *= 2
    finally:
        stop.set()
        worker.join()
    assert end - start > 0.3, "the call was too fast to observe"
    during = [t for t in ticks[before:] if start + 0.05 < t < end - 0.05]
    assert len(during) > 100, f"only {len(during)} ticks of another thread during a {end - start:.2f}s call"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX")
def test_import_and_runs_work_in_a_forked_child(tmp_path, data_dir):
    parent = leadgen.open(str(tmp_path / "parent.db")).tenant("acme")
    parent.import_file(data_dir / "google_contacts.csv")
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code, never return into pytest
        code = 1
        try:
            child = leadgen.open(str(tmp_path / "child.db")).tenant("acme")
            report = child.import_file(data_dir / "google_contacts.csv")
            summary = child.run(["normalize_contact"], on_progress=lambda e: None)
            assert summary.pairs_finished == report.imported > 0
            assert leadgen.validate_emails(["a@b.cz"])[0].status == "valid"
            try:
                parent.run(["normalize_contact"])
            except leadgen.StoreConnectionError:
                code = 0
            else:
                code = 2
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert parent.run(["normalize_contact"]).status == "completed"  # the parent is untouched
