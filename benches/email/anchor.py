"""Python anchor: email-validator (check_deliverability=False) over the same addresses.

Usage: python anchor.py ADDRESSES_FILE
Prints one JSON object, like the Rust benchmark.
"""

import json
import sys
import time

from email_validator import EmailNotValidError, validate_email


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        addresses = [line.rstrip("\n") for line in f]
    best = float("inf")
    accepted = 0
    for _ in range(3):
        started = time.perf_counter()
        accepted = 0
        for a in addresses:
            try:
                validate_email(a, check_deliverability=False)
                accepted += 1
            except EmailNotValidError:
                pass
        best = min(best, time.perf_counter() - started)
    print(json.dumps({
        "bench": "email_syntax",
        "impl": "python-email-validator",
        "addresses": len(addresses),
        "accepted": accepted,
        "seconds": round(best, 4),
        "per_sec": round(len(addresses) / best),
    }))


if __name__ == "__main__":
    main()
