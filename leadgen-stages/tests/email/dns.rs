//! `HickoryDnsResolver` against a real DNS server on 127.0.0.1.

#![cfg(feature = "email")]

#[path = "support/dns_server.rs"]
mod dns_server;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use dns_server::{TestDns, ZONE};
use leadgen_core::providers::{DnsResolver, MxLookup, MxRecord};
use leadgen_stages::email::DnsFailure;
use leadgen_stages::email::dns::{DnsOptions, HickoryDnsResolver, parse_nameserver};
use leadgen_stages::email::error::dns_failure_of;

fn resolver(addr: SocketAddr) -> HickoryDnsResolver {
    HickoryDnsResolver::new(
        DnsOptions::default()
            .with_nameservers(vec![addr])
            .with_timeout(Duration::from_millis(400))
            .with_attempts(1),
    )
    .unwrap()
}

fn d(label: &str) -> String {
    format!("{label}.{ZONE}")
}

#[tokio::test]
async fn mx_records_in_preference_order() {
    let dns = TestDns::start().await;
    let r = resolver(dns.addr);
    let got = r.mx(&d("mx")).await.unwrap();
    assert_eq!(
        got,
        MxLookup::Records {
            records: vec![
                MxRecord {
                    preference: 5,
                    exchange: d("mx0")
                },
                MxRecord {
                    preference: 10,
                    exchange: d("mx1")
                },
            ]
        }
    );
    // Case and a trailing dot do not matter.
    let upper = r.mx(&format!("MX.{}.", ZONE.to_uppercase())).await.unwrap();
    assert_eq!(upper, got);
    dns.stop().await;
}

#[tokio::test]
async fn implicit_mx_from_a_and_aaaa() {
    let dns = TestDns::start().await;
    let r = resolver(dns.addr);
    match r.mx(&d("a-only")).await.unwrap() {
        MxLookup::Implicit { mut addresses } => {
            addresses.sort();
            assert_eq!(
                addresses,
                vec![
                    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
                    IpAddr::V6(Ipv6Addr::LOCALHOST)
                ]
            );
        }
        other => panic!("expected implicit MX, got {other:?}"),
    }
    dns.stop().await;
}

#[tokio::test]
async fn null_mx_no_mail_host_and_nxdomain() {
    let dns = TestDns::start().await;
    let r = resolver(dns.addr);
    assert_eq!(r.mx(&d("nullmx")).await.unwrap(), MxLookup::NullMx);
    assert_eq!(r.mx(&d("nothing")).await.unwrap(), MxLookup::NoMailHost);
    assert_eq!(r.mx(&d("no-such-name")).await.unwrap(), MxLookup::NxDomain);
    dns.stop().await;
}

#[tokio::test]
async fn servfail_timeout_and_unreachable_are_told_apart() {
    let dns = TestDns::start().await;
    let r = resolver(dns.addr);
    let servfail = r.lookup_mx(&d("servfail")).await.unwrap_err();
    assert_eq!(
        servfail.dns_failure(),
        Some(DnsFailure::ServFail),
        "{servfail}"
    );

    let started = Instant::now();
    let timeout = r.lookup_mx(&d("timeout")).await.unwrap_err();
    assert_eq!(
        timeout.dns_failure(),
        Some(DnsFailure::Timeout),
        "{timeout}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );

    // Through the core trait, the kind survives in the error's source.
    let core_err = r.mx(&d("servfail")).await.unwrap_err();
    assert_eq!(dns_failure_of(&core_err), DnsFailure::ServFail);
    assert!(core_err.is_retryable());
    dns.stop().await;

    // A nameserver port where nothing listens: an answer within the timeouts.
    let closed = {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap()
    };
    let r = resolver(closed);
    let started = Instant::now();
    let e = r.lookup_mx("acme.cz").await.unwrap_err();
    assert!(
        matches!(
            e.dns_failure(),
            Some(DnsFailure::Timeout | DnsFailure::Unreachable)
        ),
        "{e}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn answers_are_cached_by_ttl_and_shared_between_clones() {
    let dns = TestDns::start().await;
    let r = resolver(dns.addr);
    let clone = r.clone();
    let first = r.mx(&d("mx")).await.unwrap();
    let queries = dns.log.count_for(&d("mx"));
    assert_eq!(queries, 1);
    assert_eq!(clone.mx(&d("mx")).await.unwrap(), first);
    assert_eq!(
        dns.log.count_for(&d("mx")),
        1,
        "second lookup hit the server"
    );
    assert_eq!(r.mx(&d("no-such")).await.unwrap(), MxLookup::NxDomain);
    assert_eq!(r.mx(&d("no-such")).await.unwrap(), MxLookup::NxDomain);
    assert_eq!(
        dns.log.count_for(&d("no-such")),
        1,
        "negative answer not cached"
    );

    // TTL 1: gone after it expires.
    r.mx(&d("shortttl")).await.unwrap();
    r.mx(&d("shortttl")).await.unwrap();
    assert_eq!(dns.log.count_for(&d("shortttl")), 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    r.mx(&d("shortttl")).await.unwrap();
    assert_eq!(
        dns.log.count_for(&d("shortttl")),
        2,
        "expired answer reused"
    );

    // Failures are not cached.
    let _ = r.mx(&d("servfail")).await;
    let _ = r.mx(&d("servfail")).await;
    assert!(dns.log.count_for(&d("servfail")) >= 2);
    dns.stop().await;
}

#[tokio::test]
async fn bounded_concurrency_many_distinct_domains() {
    let dns = TestDns::start().await;
    let r = HickoryDnsResolver::new(
        DnsOptions::default()
            .with_nameservers(vec![dns.addr])
            .with_timeout(Duration::from_secs(2))
            .with_max_concurrency(8),
    )
    .unwrap();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let r = r.clone();
            tokio::spawn(async move { r.mx(&format!("d{i}.bench.{ZONE}")).await })
        })
        .collect();
    for t in tasks {
        assert!(matches!(
            t.await.unwrap().unwrap(),
            MxLookup::Records { .. }
        ));
    }
    assert_eq!(r.cached_len(), 200);
    dns.stop().await;
}

#[test]
fn nameserver_parsing() {
    assert_eq!(
        parse_nameserver("127.0.0.1:5353").unwrap(),
        "127.0.0.1:5353".parse().unwrap()
    );
    assert_eq!(
        parse_nameserver("127.0.0.1").unwrap(),
        "127.0.0.1:53".parse().unwrap()
    );
    assert_eq!(
        parse_nameserver("[::1]:53").unwrap(),
        "[::1]:53".parse().unwrap()
    );
    assert!(parse_nameserver("dns.google").is_err());
}
