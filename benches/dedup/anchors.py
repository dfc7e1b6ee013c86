"""Anchors for the dedup benchmark: Splink (DuckDB) and recordlinkage on the 100k
contact file with blocking equivalent to leadgen's contacts config, and rapidfuzz
kernels (comparisons/s). Prints one JSON line per result, like the Rust bench.

Usage: anchors.py {splink|recordlinkage|rapidfuzz} SHARED_DIR
Each mode runs in its own process so peak memory (ru_maxrss) is per tool.
"""

import json
import re
import resource
import sys
import time
import unicodedata

import pandas as pd


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def fold(s):
    s = unicodedata.normalize("NFKD", str(s or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


ROLE = {"info", "sales", "contact", "office", "hello", "support", "admin", "team", "obchod", "kontakt"}


def email_key(e):
    e = str(e or "").strip().lower()
    if "@" not in e:
        return None
    local = e.split("@")[0].split("+")[0]
    return None if local in ROLE else e


def slug(u):
    m = re.search(r"linkedin\.com/(?:in|pub)/([^/?#]+)", str(u or ""), re.I)
    return m.group(1).lower() if m else None


def phone_key(p):
    d = re.sub(r"\D", "", str(p or ""))
    return d[-9:] if len(d) >= 7 else None


def read(shared):
    """The CSV parsed into raw rows (not timed, as leadgen's CSV reading is not)."""
    # Every record is kept, malformed ones padded/truncated to the header, as leadgen
    # reads them (flexible), so both sides score the same 100,000 rows.
    import csv as _csv
    with open(f"{shared}/data/contacts_large_100k.csv", encoding="utf-8", newline="") as f:
        reader = _csv.reader(f)
        header = next(reader)
        rows = [(r + [""] * len(header))[: len(header)] for r in reader]
    truth = pd.read_csv(f"{shared}/data/truth_large_contacts.csv", dtype=str)
    raw = pd.DataFrame(rows, columns=header)
    # The truth entity of each row (for scoring only).
    truth_map = dict(zip(truth["row_number"].astype(int), truth["entity_id"]))
    raw["truth"] = pd.Series(range(2, len(raw) + 2)).map(truth_map)
    return raw, truth


def load(shared):
    return prepare(*read(shared))


def prepare(raw, truth):
    """Field normalization (folding, email/LinkedIn/phone keys): timed, since
    leadgen's time includes its own normalization of the same fields."""
    df = raw
    df["row_number"] = range(2, len(df) + 2)
    df["unique_id"] = df["row_number"]
    df["first_name"] = df["First Name"].map(fold)
    df["last_name"] = df["Last Name"].map(fold)
    df["email"] = df["Email"].map(email_key)
    df["linkedin"] = df["LinkedIn URL"].map(slug)
    df["phone"] = df["Phone"].map(phone_key)
    df["company"] = df["Company"].map(fold)
    df["city"] = df["City"].map(fold)
    cols = ["unique_id", "first_name", "last_name", "email", "linkedin", "phone", "company", "city", "truth"]
    return df[cols].replace({"": None}), len(truth)


def clusters_from_pairs(ids, pairs):
    parent = {i: i for i in ids}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    return {i: find(i) for i in ids}


def scores(pred, truth):
    """pairwise and B-cubed P/R/F1 over records (dicts id -> label)."""
    from collections import Counter
    ids = list(truth)
    p_size = Counter(pred[i] for i in ids)
    t_size = Counter(truth[i] for i in ids)
    both = Counter((pred[i], truth[i]) for i in ids)
    c2 = lambda n: n * (n - 1) // 2
    tp = sum(c2(v) for v in both.values())
    pp = sum(c2(v) for v in p_size.values())
    tt = sum(c2(v) for v in t_size.values())
    f = lambda p, r: 2 * p * r / (p + r) if p + r else 0.0
    pw_p, pw_r = (tp / pp if pp else 1.0), (tp / tt if tt else 1.0)
    b_p = sum(both[(pred[i], truth[i])] / p_size[pred[i]] for i in ids) / len(ids)
    b_r = sum(both[(pred[i], truth[i])] / t_size[truth[i]] for i in ids) / len(ids)
    return dict(pairwise_p=round(pw_p, 4), pairwise_r=round(pw_r, 4), pairwise_f1=round(f(pw_p, pw_r), 4),
                bcubed_p=round(b_p, 4), bcubed_r=round(b_r, 4), bcubed_f1=round(f(b_p, b_r), 4))


def report(tool, prep_start, start, pred, df, extra=None):
    """`seconds`: normalization + the tool's own run, like-for-like with leadgen's
    time (which covers its normalization); `engine_seconds`: the tool's run alone."""
    end = time.time()
    truth = dict(zip(df["unique_id"], df["truth"]))
    out = dict(tool=tool, case="large_100k", seconds=round(end - prep_start, 3),
               engine_seconds=round(end - start, 3), prep_seconds=round(start - prep_start, 3),
               peak_mb=round(peak_mb()))
    out.update(scores(pred, truth))
    out.update(extra or {})
    print(json.dumps(out), flush=True)


def run_splink(shared):
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    raw = read(shared)
    prep_start = time.time()
    df, _ = prepare(*raw)
    start = time.time()
    rules = [block_on("email"), block_on("linkedin"), block_on("phone"), block_on("first_name", "last_name")]
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.ForenameSurnameComparison("first_name", "last_name"),
            cl.ExactMatch("email"),
            cl.ExactMatch("linkedin"),
            cl.ExactMatch("phone"),
            cl.JaroWinklerAtThresholds("company", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("city", [0.9]),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db = DuckDBAPI()
    sdf = db.register(df.drop(columns=["truth"]))
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match(rules, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in [block_on("email"), block_on("first_name", "last_name")]:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.9).as_pandas_dataframe()
    labels = dict(zip(clusters["unique_id"], clusters["cluster_id"]))
    report("splink", prep_start, start, labels, df, {"version": __import__("splink").__version__})


def run_recordlinkage(shared):
    import recordlinkage

    raw = read(shared)
    prep_start = time.time()
    df, _ = prepare(*raw)
    start = time.time()
    frame = df.set_index("unique_id")
    indexer = recordlinkage.Index()
    for cols in (["email"], ["linkedin"], ["phone"], ["first_name", "last_name"]):
        indexer.block(left_on=cols)
    pairs = indexer.index(frame)
    pairs = pairs[~pairs.duplicated()]
    comp = recordlinkage.Compare()
    comp.string("first_name", "first_name", method="jarowinkler", threshold=0.88, label="first")
    comp.string("last_name", "last_name", method="jarowinkler", threshold=0.88, label="last")
    comp.exact("email", "email", label="email")
    comp.exact("linkedin", "linkedin", label="linkedin")
    comp.exact("phone", "phone", label="phone")
    comp.string("company", "company", method="jarowinkler", threshold=0.85, label="company")
    features = comp.compute(pairs, frame)
    # Rule: strong identifiers, or both names plus one more agreement (the usual
    # recordlinkage "sum of agreements" classifier, tuned to its best F1 here).
    strong = features[["email", "linkedin", "phone"]].sum(axis=1)
    score = features.sum(axis=1)
    matches = features[((strong >= 1) & (features["first"] + features["last"] >= 1)) | (score >= 4)].index
    labels = clusters_from_pairs(list(frame.index), list(matches))
    report("recordlinkage", prep_start, start, labels, df, {"version": recordlinkage.__version__, "pairs": int(len(pairs))})


def run_rapidfuzz(shared):
    import rapidfuzz
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler, Levenshtein
    from rapidfuzz.fuzz import token_set_ratio

    df, _ = load(shared)
    names = [f"{a} {b}" for a, b in zip(df["first_name"].fillna(""), df["last_name"].fillna(""))][:2000]
    n = len(names)
    pairs = n * (n - 1) // 2
    for name, scorer in (("jaro_winkler", JaroWinkler.normalized_similarity),
                         ("levenshtein", Levenshtein.normalized_similarity),
                         ("token_set", token_set_ratio)):
        start = time.time()
        m = process.cdist(names, names, scorer=scorer, workers=1)
        s = time.time() - start
        # cdist computes the full n×n matrix: count n² comparisons.
        print(json.dumps(dict(tool="rapidfuzz", case=f"kernel_{name}", comparisons=n * n, seconds=round(s, 3),
                              per_second=round(n * n / s), version=rapidfuzz.__version__, checksum=float(m.sum()))),
              flush=True)
    start = time.time()
    total = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            total += JaroWinkler.normalized_similarity(names[i], names[j])
    s = time.time() - start
    print(json.dumps(dict(tool="rapidfuzz", case="kernel_jaro_winkler_python_loop", comparisons=pairs,
                          seconds=round(s, 3), per_second=round(pairs / s))), flush=True)


if __name__ == "__main__":
    {"splink": run_splink, "recordlinkage": run_recordlinkage, "rapidfuzz": run_rapidfuzz}[sys.argv[1]](sys.argv[2])
