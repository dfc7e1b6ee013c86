//! A self-contained HTML report of a dedup run: summary, oversized blocks, and each
//! duplicate cluster with its members and the per-field explanation of its links.

use std::fmt::Write;

use super::engine::DedupResult;

/// Clusters shown in full; the rest are counted.
const MAX_CLUSTERS_SHOWN: usize = 2000;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders the result as one HTML page (no scripts, no external resources).
///
/// ```
/// use leadgen_core::dedup::{dedup_records, render_html_report, DedupConfig, Record};
/// let r = dedup_records(vec![
///     Record::new("1").with("email", "a@acme.cz").with("first_name", "<Jan>"),
///     Record::new("2").with("email", "A@acme.cz").with("first_name", "Jan"),
/// ], &DedupConfig::contacts()).unwrap();
/// let html = render_html_report(&r);
/// assert!(html.contains("&lt;Jan&gt;") && html.contains("c-1"));
/// ```
pub fn render_html_report(result: &DedupResult) -> String {
    let mut h = String::new();
    let s = &result.stats;
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dedup report: {name}</title>\
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:.5em 0}}\
td,th{{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}}th{{background:#f3f3f3}}\
.pos{{color:#106010}}.neg{{color:#a01010}}.cluster{{border:1px solid #999;border-radius:6px;padding:.5em 1em;margin:1em 0}}\
details{{margin:.3em 0}}</style></head><body><h1>Dedup report: {name}</h1>",
        name = esc(&result.config.name)
    );
    let _ = write!(
        h,
        "<table><tr><th>Records</th><td>{}</td></tr><tr><th>Candidate pairs compared</th><td>{}</td></tr>\
<tr><th>Pairs linked (probability ≥ {:.2})</th><td>{}</td></tr><tr><th>Duplicate clusters</th><td>{}</td></tr>\
<tr><th>Records that duplicate another</th><td>{}</td></tr><tr><th>Clusters re-cut by the chain guard</th><td>{}</td></tr>\
<tr><th>Weights</th><td>{}</td></tr></table>",
        s.records,
        s.candidate_pairs,
        result.config.match_threshold,
        s.matched_pairs,
        s.duplicate_clusters,
        s.duplicate_records,
        s.recut_components,
        if s.estimated {
            "estimated from the data (EM)"
        } else {
            "as configured"
        }
    );
    if !result.oversized_blocks.is_empty() {
        h.push_str("<h2>Blocks too large to compare all pairs</h2><p>Members were sorted and compared with their nearest neighbours only; duplicates far apart in the sort order may be missed.</p><table><tr><th>Rule</th><th>Key</th><th>Records</th><th>Pairs compared</th></tr>");
        for b in &result.oversized_blocks {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&b.rule),
                esc(&b.key),
                b.size,
                b.pairs_compared
            );
        }
        h.push_str("</table>");
    }
    // Pairs by cluster, for the explanations.
    let mut pairs_of: std::collections::HashMap<u32, Vec<usize>> = std::collections::HashMap::new();
    for (i, p) in result.pairs.iter().enumerate() {
        let (ca, cb) = (
            result.assignment[p.a as usize],
            result.assignment[p.b as usize],
        );
        if ca == cb {
            pairs_of.entry(ca).or_default().push(i);
        }
    }
    let columns: Vec<String> = {
        let mut cols: Vec<String> = Vec::new();
        for c in &result.config.comparisons {
            for col in &c.columns {
                if !cols.contains(col) {
                    cols.push(col.clone());
                }
            }
        }
        cols
    };
    h.push_str("<h2>Duplicate clusters</h2>");
    let mut shown = 0;
    for (ci, cluster) in result.clusters.iter().enumerate() {
        if cluster.members.len() < 2 {
            continue;
        }
        if shown == MAX_CLUSTERS_SHOWN {
            let _ = write!(
                h,
                "<p>… and {} more clusters.</p>",
                s.duplicate_clusters - shown
            );
            break;
        }
        shown += 1;
        let _ = write!(
            h,
            "<div class=\"cluster\"><h3>{} — {} records</h3><table><tr><th>id</th>",
            esc(&cluster.id),
            cluster.members.len()
        );
        for col in &columns {
            let _ = write!(h, "<th>{}</th>", esc(col));
        }
        h.push_str("</tr>");
        for &m in &cluster.members {
            let r = &result.records[m as usize];
            let _ = write!(h, "<tr><td>{}</td>", esc(&r.id));
            for col in &columns {
                let _ = write!(h, "<td>{}</td>", esc(r.get(col).unwrap_or("")));
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>");
        for &pi in pairs_of.get(&(ci as u32)).map(Vec::as_slice).unwrap_or(&[]) {
            let e = result.explain(&result.pairs[pi]);
            let _ = write!(
                h,
                "<details><summary>{} ↔ {}: probability {:.4} (weight {:+.1} bits)</summary><table><tr><th>field</th><th>level</th><th>weight</th><th>{}</th><th>{}</th></tr>",
                esc(&e.a),
                esc(&e.b),
                e.probability,
                e.weight,
                esc(&e.a),
                esc(&e.b)
            );
            let _ = write!(
                h,
                "<tr><td>prior</td><td></td><td class=\"neg\">{:+.1}</td><td></td><td></td></tr>",
                e.prior_weight
            );
            for f in &e.fields {
                let class = if f.weight > 0.0 {
                    "pos"
                } else if f.weight < 0.0 {
                    "neg"
                } else {
                    ""
                };
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{:+.1}</td><td>{}</td><td>{}</td></tr>",
                    esc(&f.comparison),
                    esc(&f.level),
                    f.weight,
                    esc(&f.value_a),
                    esc(&f.value_b)
                );
            }
            h.push_str("</table></details>");
        }
        h.push_str("</div>");
    }
    if shown == 0 {
        h.push_str("<p>No duplicates found.</p>");
    }
    h.push_str("</body></html>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::{DedupConfig, Record, dedup_records};

    #[test]
    fn report_lists_clusters_explanations_and_oversized_blocks() {
        let mut config = DedupConfig::contacts();
        config.max_block_size = 5;
        let mut records: Vec<Record> = (0..20)
            .map(|i| {
                Record::new(format!("g{i}"))
                    .with("first_name", "Jan")
                    .with("last_name", "Novák")
                    .with("email", format!("j{i}@gmail.com"))
            })
            .collect();
        records.push(
            Record::new("x1")
                .with("email", "eva@beta.cz")
                .with("first_name", "Eva"),
        );
        records.push(
            Record::new("x2")
                .with("email", "eva@beta.cz")
                .with("first_name", "Eva"),
        );
        let r = dedup_records(records, &config).unwrap();
        let html = render_html_report(&r);
        assert!(html.contains("c-x1"));
        assert!(html.contains("Blocks too large"));
        assert!(html.contains("<details>"));
        assert!(html.ends_with("</html>"));
        let empty = dedup_records(vec![], &config).unwrap();
        assert!(render_html_report(&empty).contains("No duplicates found"));
    }
}
