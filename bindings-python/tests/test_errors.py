"""Bad input: wrong types, bad values, closed stores, calls after an error, huge lists.
Python gets TypeError / ValueError / LeadgenError subclasses; never a crash or a hang."""

import pytest

import leadgen
from leadgen import exceptions


def test_hierarchy_and_builtins():
    assert issubclass(leadgen.InvalidInputError, leadgen.LeadgenError)
    assert issubclass(leadgen.InvalidInputError, ValueError)
    assert issubclass(leadgen.NotFoundError, LookupError)
    assert issubclass(leadgen.StoreConnectionError, ConnectionError)
    assert issubclass(leadgen.UniqueViolationError, leadgen.StorageError)
    assert issubclass(leadgen.FileError, OSError)
    assert exceptions.LeadgenError is leadgen.LeadgenError
    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), leadgen.LeadgenError)
        assert getattr(exceptions, name).__module__ == "leadgen.exceptions"


def test_error_code_and_cause(acme):
    with pytest.raises(leadgen.InvalidInputError) as info:
        acme.get_contact("not-a-uuid")
    assert info.value.code == "INVALID_INPUT"
    assert "not-a-uuid" in str(info.value)


def test_unreachable_store_raises_a_typed_error_with_its_cause(tmp_path):
    with pytest.raises(leadgen.StoreConnectionError) as info:
        leadgen.open(str(tmp_path / "no" / "such" / "dir" / "x.db"))
    assert info.value.code == "CONNECTION"
    assert isinstance(info.value, ConnectionError)
    with pytest.raises(leadgen.LeadgenError) as info:
        leadgen.open("postgres://nobody@127.0.0.1:1/nothing")
    assert info.value.code in ("CONNECTION", "CONFIG"), info.value.code
    with pytest.raises(leadgen.ConfigError):
        leadgen.open("mysql://root@127.0.0.1/db")


@pytest.mark.parametrize("bad", [None, 42, b"acme", ["acme"]])
def test_wrong_types_are_type_errors(lg, acme, bad):
    with pytest.raises(TypeError):
        lg.tenant(bad)
    with pytest.raises(TypeError):
        acme.upsert_contact(bad)
    with pytest.raises(TypeError):
        acme.get_contact(bad)
    with pytest.raises(TypeError):
        leadgen.open(bad)
    with pytest.raises(TypeError):
        leadgen.Contact(email=bad if bad is not None else 3.5)


def test_bad_values_are_value_errors(lg, acme):
    for tenant in ["", "no spaces", "x" * 65, "ä"]:
        with pytest.raises(leadgen.InvalidInputError):
            lg.tenant(tenant)
    with pytest.raises(TypeError):
        leadgen.Contact(no_such_field=1)
    with pytest.raises(TypeError):
        acme.upsert_contacts("not a list of contacts")
    with pytest.raises(TypeError):
        acme.upsert_contacts([leadgen.Contact(), {"email": "x@y"}])
    with pytest.raises(ValueError):
        acme.upsert_contact(leadgen.Contact(email_status="bogus"))
    with pytest.raises(ValueError):
        acme.upsert_contact(leadgen.Contact(seniority="emperor"))
    with pytest.raises(ValueError):
        acme.upsert_contact(leadgen.Contact(id="not-a-uuid"))
    with pytest.raises(ValueError):
        acme.list_contacts(limit=-1)
    with pytest.raises(ValueError):
        acme.list_audit(entity="person:123")
    with pytest.raises(leadgen.InvalidInputError):
        acme.upsert_contact(leadgen.Contact(email="x" * 2_000_000))
    with pytest.raises(TypeError):
        acme.append_audit("user:a", "x", details={"bad": object()})


def test_calls_after_an_error_still_work(acme):
    with pytest.raises(leadgen.LeadgenError):
        acme.upsert_contacts([leadgen.Contact(email="ok@x.test"), leadgen.Contact(email_status="?")])
    assert acme.count_contacts() == 0  # all-or-nothing: nothing was written
    acme.upsert_contact(leadgen.Contact(email="ok@x.test"))
    assert acme.count_contacts() == 1


def test_closed_store_raises_connection_error(tmp_path):
    lg = leadgen.open(str(tmp_path / "c.db"))
    acme = lg.tenant("acme")
    lg.close()
    with pytest.raises(leadgen.StoreConnectionError):
        acme.count_contacts()
    with pytest.raises(leadgen.StoreConnectionError):
        acme.upsert_contact(leadgen.Contact(email="late@x.test"))


def test_huge_lists(acme):
    contacts = [leadgen.Contact(email=f"u{i}@bulk.test") for i in range(20_000)]
    assert acme.upsert_contacts(contacts).inserted == 20_000
    many = [f"nobody{i}@bulk.test" for i in range(100_000)] + ["u7@bulk.test"]
    try:
        found = acme.list_contacts(emails=many).items
    except leadgen.LeadgenError:
        pass  # a typed refusal is fine; a crash or hang is not
    else:
        assert [c.email for c in found] == ["u7@bulk.test"]
