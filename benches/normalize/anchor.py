"""The Python anchors for benches/normalize: cleanco (company names), nameparser
(person names) and phonenumbers (libphonenumber) on the inputs the Rust bench wrote.
Prints one line per normalizer: name, inputs, calls, ns per call."""

import sys
import time
from pathlib import Path

from cleanco import basename
from nameparser import HumanName
import phonenumbers


def lines(path):
    return [l for l in Path(path).read_text(encoding="utf-8").split("\n") if l]


def timed(inputs, f):
    for x in inputs:  # warm-up, as on the Rust side
        f(x)
    calls = 0
    start = time.perf_counter()
    while time.perf_counter() - start < 1.0:
        for x in inputs:
            f(x)
        calls += len(inputs)
    return calls, (time.perf_counter() - start) * 1e9 / calls


def phone(item):
    raw, region = item
    try:
        n = phonenumbers.parse(raw, region)
        if phonenumbers.is_valid_number(n):
            phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass


def main(inputs_dir):
    d = Path(inputs_dir)
    companies = lines(d / "company_names.tsv")
    names = lines(d / "person_names.tsv")
    phones = [tuple(l.split("\t")) for l in lines(d / "phones.tsv")]
    for name, inputs, f in [
        ("company_name", companies, basename),
        ("person_name", names, HumanName),
        ("phone", phones, phone),
    ]:
        calls, ns = timed(inputs, f)
        print(f"{name}\t{len(inputs)}\t{calls}\t{ns:.0f}")


if __name__ == "__main__":
    main(sys.argv[1])
