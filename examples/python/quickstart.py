"""leadgen from Python: open a store, add contacts and companies, query them, look at
them in pandas, then import a file, clean it and export it.
Run: python examples/python/quickstart.py [store-url]"""

import os
import sys
import tempfile
from pathlib import Path

import leadgen

url = sys.argv[1] if len(sys.argv) > 1 else "sqlite::memory:"  # or leads.db, postgres://…
with leadgen.open(url) as lg:
    acme = lg.tenant("acme")  # every call is scoped to one tenant

    lumentis = leadgen.Company("Lumentis s.r.o.", domain="lumentis.cz", country="CZ")
    acme.upsert_company(lumentis)
    report = acme.upsert_contacts(
        [
            leadgen.Contact(first_name="Jana", last_name="Nováková", email="jana.novakova@lumentis.cz",
                            title="Head of Sales", company_id=lumentis.id, country="CZ"),
            leadgen.Contact(first_name="Ola", last_name="Nordmann", email="ola@fjordtech.no", country="NO"),
        ]
    )
    print(f"stored: {report.inserted} new, {report.updated} updated")
    print("contacts in CZ:", acme.count_contacts(country="CZ"))

    try:
        acme.get_contact("not-an-id")
    except leadgen.InvalidInputError as e:  # also a ValueError
        print("rejected:", e.code)

    try:
        import pandas
    except ImportError:
        pandas = None
    if pandas is not None:
        frame = pandas.DataFrame(acme.all_contacts())
        print(frame[["first_name", "last_name", "email", "country"]].to_string(index=False))

    # Import a file, normalize and validate its contacts (with progress), export them.
    shared = Path(os.environ.get("LEADGEN_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
    imported = acme.import_file(shared / "data" / "team_contacts.csv")
    print(f"imported: {imported.imported} new, {len(imported.errors)} row errors")
    for err in imported.errors[:3]:
        print(f"  line {err.line}: {err.kind} ({err.reason})")
    pairs = []
    summary = acme.run(["normalize_contact", "email_validation"],
                       on_progress=lambda e: pairs.append(e) if e["event"] == "pair_finished" else None)
    print(f"run {summary.status}: {len(pairs)} pairs")
    out = Path(tempfile.mkdtemp()) / "contacts.xlsx"
    print("exported:", acme.export_contacts(out, email_status="valid").rows, "valid contacts")
