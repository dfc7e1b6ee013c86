//! Dedup benchmark: accuracy and speed on the ground truth, a generated 1M-contact
//! set, and the similarity kernels. Run by `benches/dedup/run.sh` (which also runs
//! the Python anchors in the same run); each mode prints one JSON line per result.
//!
//! Modes (after `cargo bench -p leadgen-core --bench dedup --`):
//! - `accuracy` — sample contacts, companies, 100k contacts: P/R/F1 (pairwise, B-cubed)
//! - `large` — the 100k file: time, peak memory, F1
//! - `repeat N` — the 100k file deduplicated N times (for profilers)
//! - `generate N PATH` — write N synthetic contacts with known duplicates (+ `PATH.truth`)
//! - `synthetic PATH` — dedup a generated file: time, peak memory, F1
//! - `kernels` — comparisons per second of our similarity kernels

#[path = "eval.rs"]
mod eval;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use leadgen_core::dedup::compare::{jaro_winkler, levenshtein, token_set};
use leadgen_core::dedup::metrics::{Accuracy, accuracy};
use leadgen_core::dedup::model::SplitMix;
use leadgen_core::dedup::{DedupConfig, Record, dedup_records};

/// The allocator of leadgen's CLI and binding modules (where Splink's users would
/// call leadgen from), so the bench times what they run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU seconds (user + system, every thread) of this process so far: the cost of a
/// run independent of how many other processes share the cores.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the parenthesized command name; utime and stime are the
            // 12th and 13th of them, in clock ticks (100 per second on Linux).
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

fn line(name: &str, a: &Accuracy, seconds: f64, extra: &str) {
    println!(
        "{{\"tool\":\"leadgen\",\"case\":\"{name}\",\"seconds\":{seconds:.3},\"peak_mb\":{:.0},\"pairwise_p\":{:.4},\"pairwise_r\":{:.4},\"pairwise_f1\":{:.4},\"bcubed_p\":{:.4},\"bcubed_r\":{:.4},\"bcubed_f1\":{:.4}{extra}}}",
        peak_rss_mb(),
        a.pairwise.precision,
        a.pairwise.recall,
        a.pairwise.f1,
        a.bcubed.precision,
        a.bcubed.recall,
        a.bcubed.f1
    );
}

fn run(name: &str, records: Vec<Record>, truth: &[String], config: &DedupConfig) {
    let (start, cpu) = (Instant::now(), cpu_seconds());
    let result = dedup_records(records, config).expect("dedup");
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let a = accuracy(&result.assignment, truth);
    let extra = format!(
        ",\"cpu_seconds\":{cpu:.2},\"records\":{},\"candidate_pairs\":{},\"oversized_blocks\":{},\"stage_ms\":{:?}",
        result.stats.records,
        result.stats.candidate_pairs,
        result.oversized_blocks.len(),
        result.stats.stage_ms
    );
    line(name, &a, seconds, &extra);
}

const FIRST: &[&str] = &[
    "Jan",
    "Petr",
    "Eva",
    "Jana",
    "Tomáš",
    "Lucie",
    "Martin",
    "Kateřina",
    "William",
    "Robert",
    "James",
    "Mary",
    "Anna",
    "Lars",
    "Ingrid",
    "Mikko",
    "Aino",
    "Pierre",
    "Camille",
    "Hans",
    "Greta",
    "Wei Ming",
    "Siti",
    "Jiří",
    "Zdeněk",
    "Sophie",
    "Lukas",
    "Emma",
    "Olivia",
    "Noah",
    "Liam",
    "Mia",
    "Elias",
    "Juhani",
    "Bjørn",
    "Søren",
];
const LAST: &[&str] = &[
    "Novák",
    "Svoboda",
    "Dvořák",
    "Černý",
    "Procházka",
    "Smith",
    "Johnson",
    "Brown",
    "Müller",
    "Schmidt",
    "Hansen",
    "Johansen",
    "Virtanen",
    "Korhonen",
    "Martin",
    "Bernard",
    "Dubois",
    "Tan",
    "Lim",
    "Lee",
    "Nielsen",
    "Jensen",
    "Kowalski",
    "Nowak",
    "Horák",
    "Marek",
    "Pokorný",
    "Wagner",
    "Becker",
    "Laine",
    "Berg",
    "Moreau",
];
const SYLLABLES: &[&str] = &[
    "no", "vá", "svo", "bo", "da", "dvo", "řák", "kor", "ho", "nen", "vir", "ta", "mül", "ler",
    "schmi", "han", "sen", "jo", "son", "lin", "berg", "mo", "reau", "pe", "tit", "du", "bois",
    "ka", "la", "mi", "ko", "ri", "sa", "tö", "ni",
];

/// A surname of two or three syllables (about 45,000 distinct), capitalized; common
/// real surnames are mixed in so that big name blocks exist too.
fn surname(rng: &mut SplitMix) -> String {
    if rng.below(10) == 0 {
        return LAST[rng.below(LAST.len())].to_string();
    }
    let parts = 2 + rng.below(2);
    let raw: String = (0..parts)
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
        .collect();
    let mut chars = raw.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

const WORDS: &[&str] = &[
    "Acme", "Nord", "Stav", "Kovo", "Data", "Soft", "Agro", "Tech", "Logi", "Fin", "Med", "Energo",
    "Bau", "Trans", "Vision", "Cloud", "Green", "Blue", "Alpha", "Delta", "Omega", "Prime", "Nova",
    "Terra",
];
const FORMS: &[&str] = &[
    "s.r.o.",
    "a.s.",
    "GmbH",
    "AS",
    "Oy",
    "SAS",
    "Ltd",
    "Inc.",
    "Pte. Ltd.",
    "AB",
];
const TITLES: &[&str] = &[
    "CEO",
    "CTO",
    "Sales Manager",
    "Head of Sales",
    "VP Sales",
    "Software Engineer",
    "Marketing Director",
    "Account Executive",
];

fn ascii(s: &str) -> String {
    leadgen_core::dedup::keys::fold(s)
}

/// Writes `n` synthetic contacts: persons with 1–4 renderings (20% duplicated), with
/// the variations the real files have (case, diacritics dropped, typos, swapped names,
/// LinkedIn URL forms, phone formats, missing fields, legal-form variants).
fn generate(n: usize, path: &Path) {
    let mut rng = SplitMix::new(2026);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut truth = std::io::BufWriter::new(
        std::fs::File::create(path.with_extension("truth")).expect("truth"),
    );
    writeln!(
        out,
        "First Name,Last Name,Email,Company,Job Title,Phone,LinkedIn URL,City"
    )
    .unwrap();
    let companies = (n / 25).max(10);
    let mut rows = 0;
    let mut person = 0usize;
    while rows < n {
        person += 1;
        let first = FIRST[rng.below(FIRST.len())];
        let last_owned = surname(&mut rng);
        let last = last_owned.as_str();
        let company_id = rng.below(companies);
        let word = format!(
            "{}{}",
            WORDS[company_id % WORDS.len()],
            WORDS[(company_id / WORDS.len()) % WORDS.len()]
        );
        let company = format!("{word} {}", company_id);
        let domain = format!("{}{}.com", ascii(&word).replace(' ', ""), company_id);
        let email = format!(
            "{}.{}{}@{}",
            ascii(first).replace(' ', ""),
            ascii(last),
            person % 97,
            domain
        );
        let slug = format!(
            "{}-{}-{:08x}",
            ascii(first).replace(' ', "-"),
            ascii(last),
            rng.next_u64() as u32
        );
        let phone = format!("{:09}", 600_000_000 + (rng.next_u64() % 399_999_999));
        let title = TITLES[rng.below(TITLES.len())];
        let copies = match rng.below(100) {
            0..=79 => 1,
            80..=89 => 2,
            90..=96 => 3,
            _ => 4,
        };
        for copy in 0..copies.min(n - rows) {
            let v = |rng: &mut SplitMix, pct: usize| copy > 0 && rng.below(100) < pct;
            let mut f = first.to_string();
            let mut l = last.to_string();
            if v(&mut rng, 15) {
                f = ascii(&f);
                l = ascii(&l);
            }
            if v(&mut rng, 10) && l.len() > 3 {
                let i = 1 + rng.below(l.len() - 2);
                if l.is_char_boundary(i) && l.is_char_boundary(i + 1) {
                    l.replace_range(i..i + 1, "");
                }
            }
            if v(&mut rng, 8) {
                l = l.to_uppercase();
            }
            if v(&mut rng, 5) {
                std::mem::swap(&mut f, &mut l);
            }
            let e = if v(&mut rng, 30) {
                String::new()
            } else if v(&mut rng, 20) {
                email.to_uppercase()
            } else {
                email.clone()
            };
            let li = match (copy, rng.below(5)) {
                (0, _) | (_, 0) => format!("https://www.linkedin.com/in/{slug}/"),
                (_, 1) => format!("linkedin.com/in/{slug}"),
                (_, 2) => format!("http://cz.linkedin.com/in/{slug}?trk=x"),
                (_, 3) => String::new(),
                _ => format!("https://linkedin.com/in/{slug}"),
            };
            let p = match (copy, rng.below(4)) {
                (0, _) | (_, 0) => format!("+420 {} {} {}", &phone[..3], &phone[3..6], &phone[6..]),
                (_, 1) => phone.clone(),
                (_, 2) => String::new(),
                _ => format!("00420{phone}"),
            };
            let c = if v(&mut rng, 30) {
                format!("{company} {}", FORMS[company_id % FORMS.len()])
            } else {
                company.clone()
            };
            writeln!(out, "{f},{l},{e},{c},{title},{p},{li},Praha").unwrap();
            writeln!(truth, "P{person}").unwrap();
            rows += 1;
        }
    }
}

fn read_generated(path: &Path) -> (Vec<Record>, Vec<String>) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .expect("open");
    let keys: Vec<Arc<str>> = [
        "first_name",
        "last_name",
        "email",
        "company",
        "title",
        "phone",
        "linkedin_url",
        "city",
    ]
    .into_iter()
    .map(Arc::from)
    .collect();
    let mut records = Vec::new();
    let mut row = csv::StringRecord::new();
    while reader.read_record(&mut row).unwrap_or(false) {
        let mut r = Record::new(format!("r{}", records.len() + 2));
        for (k, v) in keys.iter().zip(row.iter()) {
            if !v.is_empty() {
                r.fields.push((k.clone(), v.to_string()));
            }
        }
        records.push(r);
    }
    let truth = std::fs::read_to_string(path.with_extension("truth")).expect("truth");
    (records, truth.lines().map(str::to_string).collect())
}

fn kernels() {
    // The same 2,000 names as the rapidfuzz anchor: the first rows of the 100k file,
    // first and last name folded.
    let (records, _) = eval::large_contacts();
    let names: Vec<String> = records
        .iter()
        .take(2000)
        .map(|r| {
            format!(
                "{} {}",
                ascii(r.get("first_name").unwrap_or("")),
                ascii(r.get("last_name").unwrap_or(""))
            )
        })
        .collect();
    let pairs = names.len() * (names.len() - 1) / 2;
    type Kernel = fn(&str, &str) -> f64;
    let kernels: [(&str, Kernel); 3] = [
        ("jaro_winkler", jaro_winkler),
        ("levenshtein", levenshtein),
        ("token_set", token_set),
    ];
    for (name, k) in kernels {
        let start = Instant::now();
        let mut sum = 0.0;
        for i in 0..names.len() {
            for j in i + 1..names.len() {
                sum += k(&names[i], &names[j]);
            }
        }
        let s = start.elapsed().as_secs_f64();
        println!(
            "{{\"tool\":\"leadgen\",\"case\":\"kernel_{name}\",\"comparisons\":{pairs},\"seconds\":{s:.3},\"per_second\":{:.0},\"checksum\":{sum:.3}}}",
            pairs as f64 / s
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        Some("accuracy") => {
            let (records, truth) = eval::sample_contacts();
            run("sample_contacts", records, &truth, &DedupConfig::contacts());
            let (records, truth) = eval::companies();
            let mut configured = DedupConfig::companies();
            configured.estimate = false;
            run("companies_configured", records.clone(), &truth, &configured);
            run("companies", records, &truth, &DedupConfig::companies());
            let (records, truth) = eval::large_contacts();
            let mut em = DedupConfig::contacts();
            em.estimate = true;
            run("large_100k_em", records.clone(), &truth, &em);
            run("large_100k", records, &truth, &DedupConfig::contacts());
        }
        Some("large") => {
            let start = Instant::now();
            let (records, truth) = eval::large_contacts();
            let read = start.elapsed().as_secs_f64();
            eprintln!("read 100k in {read:.2}s");
            run("large_100k", records, &truth, &DedupConfig::contacts());
        }
        Some("repeat") => {
            // For profiling: the 100k file read once, deduplicated N times (stage
            // times of each run on stderr).
            let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
            let (records, _) = eval::large_contacts();
            let config = DedupConfig::contacts();
            for _ in 0..n {
                let (start, cpu) = (Instant::now(), cpu_seconds());
                let result = dedup_records(records.clone(), &config).expect("dedup");
                eprintln!(
                    "{:.3}s wall {:.2}s cpu, stages {:?}",
                    start.elapsed().as_secs_f64(),
                    cpu_seconds() - cpu,
                    result.stats.stage_ms
                );
            }
        }
        Some("generate") => {
            let n: usize = args
                .get(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(1_000_000);
            let path = args.get(2).map_or("/tmp/dedup_1m.csv", String::as_str);
            generate(n, Path::new(path));
        }
        Some("synthetic") => {
            let path = args.get(1).map_or("/tmp/dedup_1m.csv", String::as_str);
            let start = Instant::now();
            let (records, truth) = read_generated(Path::new(path));
            let read = start.elapsed().as_secs_f64();
            let (t, cpu) = (Instant::now(), cpu_seconds());
            let result = dedup_records(records, &DedupConfig::contacts()).expect("dedup");
            let dedup = t.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu;
            let a = accuracy(&result.assignment, &truth);
            let extra = format!(
                ",\"cpu_seconds\":{cpu:.2},\"records\":{},\"read_seconds\":{read:.3},\"dedup_seconds\":{dedup:.3},\"candidate_pairs\":{},\"oversized_blocks\":{},\"stage_ms\":{:?}",
                result.stats.records,
                result.stats.candidate_pairs,
                result.oversized_blocks.len(),
                result.stats.stage_ms
            );
            line("synthetic", &a, read + dedup, &extra);
        }
        Some("kernels") => kernels(),
        _ => eprintln!("modes: accuracy | large | generate N PATH | synthetic PATH | kernels"),
    }
}
