//! Email validation benchmark (run through `benches/email/run.sh`).
//!
//! 1. Syntax + normalization + flags over 100k varied addresses, single thread. The
//!    addresses are written to a file so the Python anchor checks the same data.
//! 2. MX lookups of 10k distinct domains against an in-process DNS server on
//!    127.0.0.1, 256 at once.
//!
//! Usage: `email_bench [--addresses-out FILE] [--count N] [--domains N]`.
//! Prints one JSON object per measurement.

#[path = "../../leadgen-stages/tests/email/support/dns_server.rs"]
mod dns_server;

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use leadgen_core::providers::{DnsResolver, MxLookup};
use leadgen_stages::email::dns::{DnsOptions, HickoryDnsResolver};
use leadgen_stages::email::{EmailValidator, ValidatorOptions, VerificationStatus};

/// A small deterministic generator (xorshift64*), so every run sees the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "jana", "petr", "John", "maria", "Li", "sven", "anna", "tomas", "olga", "ken", "Zoë", "jürgen",
    "fatima", "pavel", "eva", "ALEX",
];
const LAST: &[&str] = &[
    "novakova", "svoboda", "Smith", "garcia", "wang", "berg", "kowalski", "dvorak", "müller",
    "o'brien", "nguyen",
];
const DOMAINS: &[&str] = &[
    "acme.cz",
    "Globex.com",
    "initech.io",
    "gmail.com",
    "seznam.cz",
    "outlook.com",
    "mailinator.com",
    "příklad.cz",
    "bücher.de",
    "sub.mail.umbrella.co.uk",
    "yopmail.com",
    "EXAMPLE-corp.de",
    "firma.sk",
    "stark-industries.net",
    "例え.jp",
    "xn--mnchen-3ya.de",
];
const ROLES: &[&str] = &["info", "sales", "support", "noreply", "admin", "hello"];

fn address(rng: &mut Rng) -> String {
    let f = rng.pick(FIRST);
    let l = rng.pick(LAST);
    let d = rng.pick(DOMAINS);
    match rng.next() % 20 {
        0..=7 => format!("{f}.{l}@{d}"),
        8 | 9 => format!("{f}{}@{d}", rng.next() % 1000),
        10 => format!("{f}+news{}@{d}", rng.next() % 100),
        11 => format!("{}@{d}", rng.pick(ROLES)),
        12 => format!("  {f}_{l}@{}  ", d.to_uppercase()),
        13 => format!("{f}..{l}@{d}"),
        14 => format!("{f}.{l}{d}"),
        15 => format!("{f} {l}@{d}"),
        16 => format!("{f}@{l}"),
        17 => format!("{f}.{l}@{d}."),
        18 => format!("{}@{d}", "x".repeat(70)),
        _ => format!("{}{}@{d}", f.to_lowercase(), rng.next() % 100_000),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let count: usize = arg("--count")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let domains: usize = arg("--domains")
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let addresses: Vec<String> = (0..count).map(|_| address(&mut rng)).collect();
    if let Some(path) = arg("--addresses-out") {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        for a in &addresses {
            writeln!(f, "{a}").expect("write");
        }
    }

    // 1. syntax + normalize + flags, single thread: the best of 5 passes.
    let validator = EmailValidator::offline(ValidatorOptions::default());
    let mut best = Duration::MAX;
    let mut valid = 0;
    for _ in 0..5 {
        let started = Instant::now();
        valid = 0;
        for a in &addresses {
            let r = validator.check_syntax(a);
            if r.status != VerificationStatus::Invalid {
                valid += 1;
            }
            std::hint::black_box(&r);
        }
        best = best.min(started.elapsed());
    }
    println!(
        "{{\"bench\":\"email_syntax\",\"impl\":\"leadgen\",\"addresses\":{count},\"accepted\":{valid},\"seconds\":{:.4},\"per_sec\":{:.0}}}",
        best.as_secs_f64(),
        count as f64 / best.as_secs_f64()
    );

    // 2. MX lookups against the local DNS server, 256 at once.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dns = dns_server::TestDns::start().await;
        let resolver = HickoryDnsResolver::new(
            DnsOptions::default()
                .with_nameservers(vec![dns.addr])
                .with_timeout(Duration::from_secs(5))
                .with_max_concurrency(256),
        )
        .expect("resolver");
        let resolver = Arc::new(resolver);
        let started = Instant::now();
        let tasks: Vec<_> = (0..domains)
            .map(|i| {
                let r = resolver.clone();
                tokio::spawn(async move {
                    r.mx(&format!("d{i}.bench.{}", dns_server::ZONE)).await
                })
            })
            .collect();
        let mut ok = 0usize;
        for t in tasks {
            if let Ok(Ok(MxLookup::Records { .. })) = t.await {
                ok += 1;
            }
        }
        let elapsed = started.elapsed();
        println!(
            "{{\"bench\":\"email_mx\",\"impl\":\"leadgen\",\"domains\":{domains},\"answered\":{ok},\"concurrency\":256,\"seconds\":{:.4},\"per_sec\":{:.0}}}",
            elapsed.as_secs_f64(),
            domains as f64 / elapsed.as_secs_f64()
        );
        dns.stop().await;
    });
}
