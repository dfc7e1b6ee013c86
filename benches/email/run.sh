#!/usr/bin/env bash
# Email validation benchmark: leadgen (Rust, release) beside Python email-validator
# (check_deliverability=False) on the same 100k addresses, in the same run; plus MX
# lookups of 10k distinct domains against an in-process DNS server on 127.0.0.1.
#
#   bash benches/email/run.sh            # full size
#   COUNT=20000 DOMAINS=2000 bash benches/email/run.sh   # quicker
set -euo pipefail
cd "$(dirname "$0")/../.."

COUNT="${COUNT:-100000}"
DOMAINS="${DOMAINS:-10000}"
VENV="${LEADGEN_BENCH_VENV:-/work/venv-bench}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The Python anchor, in a venv this script creates when missing.
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import email_validator" 2>/dev/null; then
  "$VENV/bin/pip" install --quiet "email-validator==2.4.0"
fi

cargo bench -p leadgen-stages --features email --bench email -- \
  --count "$COUNT" --domains "$DOMAINS" --addresses-out "$WORK/addresses.txt" \
  | tee "$WORK/rust.jsonl"
"$VENV/bin/python" benches/email/anchor.py "$WORK/addresses.txt" | tee "$WORK/python.jsonl"

python3 - "$WORK/rust.jsonl" "$WORK/python.jsonl" <<'PY'
import json, sys
rust = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
py = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
syn = next(r for r in rust if r["bench"] == "email_syntax")
mx = next(r for r in rust if r["bench"] == "email_mx")
anchor = py[0]
ratio = syn["per_sec"] / anchor["per_sec"]
print(f"syntax+normalize+flags: leadgen {syn['per_sec']:,.0f}/s, "
      f"email-validator {anchor['per_sec']:,.0f}/s, ratio {ratio:.1f}x (goal >= 50x)")
print(f"accepted: leadgen {syn['accepted']}, email-validator {anchor['accepted']} of {syn['addresses']}")
print(f"MX: {mx['answered']}/{mx['domains']} domains in {mx['seconds']}s, "
      f"{mx['per_sec']:,.0f} lookups/s at concurrency {mx['concurrency']}")
PY
