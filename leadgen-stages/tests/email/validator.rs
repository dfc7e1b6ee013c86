//! The validator end to end (real DNS and SMTP servers on 127.0.0.1), the
//! verification cache, the stage, batches and bad input.

#![cfg(feature = "email")]

#[path = "support/dns_server.rs"]
mod dns_server;
#[path = "support/smtp_server.rs"]
mod smtp_server;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use dns_server::{TestDns, ZONE};
use leadgen_core::clock::FixedClock;
use leadgen_core::stage::{Gate, Stage, StageContext, StageOutcome};
use leadgen_core::{Contact, EmailStatus, Entity, RunId, TenantId, TenantStore};
use leadgen_stages::email::cache::{NAMESPACE, VerificationCache};
use leadgen_stages::email::dns::{DnsOptions, HickoryDnsResolver};
use leadgen_stages::email::smtp::{SmtpOptions, SmtpProber};
use leadgen_stages::email::stage::attributes;
use leadgen_stages::email::{
    Depth, DnsFailure, EmailValidationStage, EmailValidator, Reason, SyntaxErrorKind,
    ValidatorOptions, VerificationStatus,
};
use leadgen_store::SqliteStore;
use smtp_server::{Script, TestSmtp};

fn dns_resolver(addr: SocketAddr) -> HickoryDnsResolver {
    HickoryDnsResolver::new(
        DnsOptions::default()
            .with_nameservers(vec![addr])
            .with_timeout(Duration::from_millis(400))
            .with_attempts(1),
    )
    .unwrap()
}

fn validator(dns: &HickoryDnsResolver, smtp_port: u16, depth: Depth) -> EmailValidator {
    let prober = SmtpProber::new(
        SmtpOptions::default().with_port(smtp_port).with_timeouts(
            Duration::from_secs(1),
            Duration::from_millis(800),
            Duration::from_secs(5),
        ),
        Arc::new(dns.clone()),
    );
    EmailValidator::offline(ValidatorOptions::default().with_depth(depth))
        .with_dns(Arc::new(dns.clone()))
        .with_smtp(Arc::new(prober))
}

fn d(local: &str, label: &str) -> String {
    format!("{local}@{label}.{ZONE}")
}

#[tokio::test]
async fn smtp_depth_end_to_end_through_dns_and_smtp() {
    let dns = TestDns::start().await;
    let smtp = TestSmtp::start(Script::normal()).await;
    let r = dns_resolver(dns.addr);
    let v = validator(&r, smtp.port(), Depth::Smtp);

    let good = v.validate(&d("good", "smtp")).await;
    assert_eq!(good.status, VerificationStatus::Valid, "{good:?}");
    assert_eq!(good.depth, Depth::Smtp);
    assert_eq!(good.mx_hosts, vec![format!("smtp.{ZONE}")]);
    assert_eq!(good.reasons, vec![Reason::SmtpAccepted]);
    assert_eq!(good.catch_all, Some(false));

    let bad = v.validate(&d("nobody", "smtp")).await;
    assert_eq!(bad.status, VerificationStatus::Invalid);
    assert_eq!(bad.reasons[0], Reason::SmtpRejected);

    // A role account accepted by the server stays risky, and says why.
    let info = v.validate(&d("info", "smtp")).await;
    assert_eq!(
        info.status,
        VerificationStatus::Invalid,
        "rejected by the script"
    );
    assert!(info.reasons.contains(&Reason::RoleAccount));
    dns.stop().await;
}

#[tokio::test]
async fn smtp_depth_catch_all_and_greylisting() {
    let dns = TestDns::start().await;
    let r = dns_resolver(dns.addr);
    let catch_all = TestSmtp::start(Script::catch_all()).await;
    let v = validator(&r, catch_all.port(), Depth::Smtp);
    let res = v.validate(&d("whoever", "smtp")).await;
    assert_eq!(res.status, VerificationStatus::Risky);
    assert_eq!(res.reasons[0], Reason::CatchAll);
    assert_eq!(res.catch_all, Some(true));

    let grey = TestSmtp::start(Script::greylist()).await;
    let v = validator(&r, grey.port(), Depth::Smtp);
    let res = v.validate(&d("good", "smtp")).await;
    assert_eq!(res.status, VerificationStatus::Unknown);
    assert_eq!(res.reasons[0], Reason::SmtpTemporaryFailure);
    assert_eq!(res.retry_after_secs, Some(120));
    dns.stop().await;
}

#[tokio::test]
async fn mx_depth_verdicts() {
    let dns = TestDns::start().await;
    let r = dns_resolver(dns.addr);
    let v = validator(&r, 1, Depth::Mx);

    let ok = v.validate(&d("jana", "mx")).await;
    assert_eq!(ok.status, VerificationStatus::Valid);
    assert_eq!(
        ok.mx_hosts,
        vec![format!("mx0.{ZONE}"), format!("mx1.{ZONE}")]
    );
    assert!(ok.reasons.is_empty(), "{:?}", ok.reasons);

    let implicit = v.validate(&d("jana", "a-only")).await;
    assert_eq!(implicit.status, VerificationStatus::Valid);
    assert_eq!(implicit.reasons, vec![Reason::ImplicitMx]);

    for (label, reason) in [
        ("nullmx", Reason::NullMx),
        ("nothing", Reason::NoMailHost),
        ("does-not-exist", Reason::NxDomain),
    ] {
        let res = v.validate(&d("jana", label)).await;
        assert_eq!(res.status, VerificationStatus::Invalid, "{label}");
        assert_eq!(res.reasons, vec![reason], "{label}");
    }

    let servfail = v.validate(&d("jana", "servfail")).await;
    assert_eq!(servfail.status, VerificationStatus::Unknown);
    assert_eq!(servfail.reasons, vec![Reason::Dns(DnsFailure::ServFail)]);

    let started = Instant::now();
    let timeout = v.validate(&d("jana", "timeout")).await;
    assert_eq!(timeout.status, VerificationStatus::Unknown);
    assert_eq!(timeout.reasons, vec![Reason::Dns(DnsFailure::Timeout)]);
    assert!(started.elapsed() < Duration::from_secs(5));

    // Flags are flags, not syntax errors: a disposable address keeps its MX result.
    let free = v.validate(&d("sales", "mx")).await;
    assert_eq!(free.status, VerificationStatus::Risky);
    assert_eq!(free.reasons, vec![Reason::RoleAccount]);
    dns.stop().await;
}

#[tokio::test]
async fn unreachable_resolver_gives_unknown_within_the_timeout() {
    let closed = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let r = dns_resolver(closed);
    let v = validator(&r, 1, Depth::Smtp);
    let started = Instant::now();
    let res = v.validate("jana@acme-mail.cz").await;
    assert_eq!(res.status, VerificationStatus::Unknown);
    assert!(
        matches!(
            res.reasons[0],
            Reason::Dns(DnsFailure::Timeout | DnsFailure::Unreachable)
        ),
        "{:?}",
        res.reasons
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn bad_input_never_reaches_the_network_and_never_panics() {
    let dns = TestDns::start().await;
    let r = dns_resolver(dns.addr);
    let v = validator(&r, 1, Depth::Smtp);
    let huge = "a".repeat(10 * 1024);
    let inputs = vec![
        huge.clone(),
        format!("{huge}@{huge}.cz"),
        "ja\0na@mx.leadgen-dnstest.net".to_string(),
        "\u{1}\u{2}\u{3}".to_string(),
        String::from_utf8_lossy(b"j\xc3\x28a@mx.leadgen-dnstest.net").into_owned(),
        "@@@".to_string(),
        String::new(),
    ];
    let out = v.validate_many(&inputs).await;
    assert_eq!(out.len(), inputs.len());
    for (res, input) in out.iter().zip(&inputs) {
        assert_eq!(res.status, VerificationStatus::Invalid, "{input:.40?}");
        assert!(matches!(res.reasons[0], Reason::Syntax(_)));
        assert_eq!(&res.address, input);
    }
    assert_eq!(out[0].reasons[0], Reason::Syntax(SyntaxErrorKind::TooLong));
    assert_eq!(
        out[2].reasons[0],
        Reason::Syntax(SyntaxErrorKind::UnsafeUnicode)
    );
    assert_eq!(
        out[4].reasons[0],
        Reason::Syntax(SyntaxErrorKind::UnsafeUnicode)
    );
    assert_eq!(dns.log.total.load(std::sync::atomic::Ordering::SeqCst), 0);
    dns.stop().await;
}

#[tokio::test]
async fn batches_keep_input_order_with_bounded_concurrency() {
    let dns = TestDns::start().await;
    let r = dns_resolver(dns.addr);
    let v = EmailValidator::offline(
        ValidatorOptions::default()
            .with_depth(Depth::Mx)
            .with_concurrency(16),
    )
    .with_dns(Arc::new(r.clone()));
    let inputs: Vec<String> = (0..300)
        .map(|i| match i % 3 {
            0 => format!("user{i}@d{i}.bench.{ZONE}"),
            1 => format!("broken{i}"),
            _ => format!("user{i}@nx{i}.{ZONE}"),
        })
        .collect();
    let out = v.validate_many(&inputs).await;
    assert_eq!(out.len(), 300);
    for (i, (res, input)) in out.iter().zip(&inputs).enumerate() {
        assert_eq!(&res.address, input);
        let want = match i % 3 {
            0 => VerificationStatus::Valid,
            _ => VerificationStatus::Invalid,
        };
        assert_eq!(res.status, want, "{input}");
    }
    dns.stop().await;
}

async fn tenant_store() -> TenantStore {
    let store = SqliteStore::in_memory().await.unwrap();
    TenantStore::new(Arc::new(store), TenantId::new("acme").unwrap())
}

async fn cached_count(store: &TenantStore, keys: &[String]) -> usize {
    store.cache_get(NAMESPACE, keys).await.unwrap().len()
}

#[tokio::test]
async fn fresh_cached_results_are_reused_without_any_lookup() {
    let dns = TestDns::start().await;
    let store = tenant_store().await;
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
    ));
    let cache = VerificationCache::for_store(store.clone());
    let key = format!("jana@mx.{ZONE}");
    let make = || {
        EmailValidator::offline(ValidatorOptions::default().with_depth(Depth::Mx))
            .with_dns(Arc::new(dns_resolver(dns.addr)))
            .with_cache(cache.clone())
            .with_clock(clock.clone())
    };
    let first = make().validate(&d("jana", "mx")).await;
    assert_eq!(first.status, VerificationStatus::Valid);
    assert!(!first.has(Reason::Cached));
    assert_eq!(dns.log.count_for(&format!("mx.{ZONE}")), 1);
    assert_eq!(cached_count(&store, std::slice::from_ref(&key)).await, 1);

    // A new validator (a fresh DNS cache too): the store answers, DNS is not asked.
    let again = make().validate(&format!("Jana@MX.{ZONE}")).await;
    assert_eq!(again.status, VerificationStatus::Valid);
    assert!(again.has(Reason::Cached));
    assert_eq!(again.address, format!("Jana@MX.{ZONE}"));
    assert_eq!(again.mx_hosts, first.mx_hosts);
    assert_eq!(
        dns.log.count_for(&format!("mx.{ZONE}")),
        1,
        "DNS asked again"
    );

    // A deeper check than the cached one is not served from the cache.
    assert!(
        cache
            .get_fresh(&[format!("jana@mx.{ZONE}")], Depth::Smtp, clock.now_utc())
            .await
            .unwrap()
            .is_empty()
    );

    // Past the TTL (90 days by default) it is checked again.
    clock.advance(chrono::Duration::days(91));
    let later = make().validate(&d("jana", "mx")).await;
    assert!(!later.has(Reason::Cached));
    assert_eq!(dns.log.count_for(&format!("mx.{ZONE}")), 2);

    // A shorter TTL is honoured.
    let short = cache.clone().with_ttl(chrono::Duration::hours(1));
    clock.advance(chrono::Duration::hours(2));
    assert!(
        short
            .get_fresh(&[format!("jana@mx.{ZONE}")], Depth::Mx, clock.now_utc())
            .await
            .unwrap()
            .is_empty()
    );

    // Inconclusive results are not kept.
    let unknown = make().validate(&d("jana", "servfail")).await;
    assert_eq!(unknown.status, VerificationStatus::Unknown);
    assert_eq!(
        cached_count(&store, &[format!("jana@servfail.{ZONE}")]).await,
        0
    );
    dns.stop().await;
}

trait NowUtc {
    fn now_utc(&self) -> chrono::DateTime<Utc>;
}
impl NowUtc for FixedClock {
    fn now_utc(&self) -> chrono::DateTime<Utc> {
        leadgen_core::clock::Clock::now(self)
    }
}

#[tokio::test]
async fn the_stage_writes_status_flags_and_provenance() {
    let dns = TestDns::start().await;
    let store = tenant_store().await;
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
    ));
    let validator = Arc::new(
        EmailValidator::offline(ValidatorOptions::default())
            .with_dns(Arc::new(dns_resolver(dns.addr)))
            .with_clock(clock.clone()),
    );
    let stage = EmailValidationStage::new(validator, Depth::Mx);
    assert_eq!(stage.id(), "email_validation");
    assert_eq!(stage.depth(), Depth::Mx);
    let ctx = StageContext {
        store: store.clone(),
        run_id: RunId::new(),
        clock: clock.clone(),
        company: None,
    };

    let mut contact = Contact::new();
    contact.email = Some(format!("info@mx.{ZONE}"));
    let entity = Entity::Contact(contact.clone());
    assert_eq!(stage.gate(&entity), Gate::Admit);
    let StageOutcome::Completed {
        output, updated, ..
    } = stage.run(&ctx, &entity).await.unwrap()
    else {
        panic!("not completed");
    };
    let Some(updated) = updated else {
        panic!("no update")
    };
    let Entity::Contact(updated) = *updated else {
        panic!("not a contact")
    };
    assert_eq!(updated.email_status, EmailStatus::Risky);
    assert_eq!(
        updated.email, contact.email,
        "the address itself is not rewritten"
    );
    assert_eq!(updated.attributes[attributes::ROLE_ACCOUNT], "true");
    assert_eq!(updated.attributes[attributes::DISPOSABLE], "false");
    assert_eq!(updated.attributes[attributes::FREE_PROVIDER], "false");
    assert_eq!(updated.attributes[attributes::REASONS], "role_account");
    assert_eq!(updated.attributes[attributes::DEPTH], "mx");
    let prov = &updated.provenance["email_status"];
    assert_eq!(&*prov.source, "stage:email_validation");
    assert_eq!(output["status"], "risky");
    assert_eq!(output["mx_hosts"][0], format!("mx0.{ZONE}"));
    assert_eq!(
        cached_count(&store, &[format!("info@mx.{ZONE}")]).await,
        1,
        "result kept in the tenant's cache"
    );
    // Tenants do not share results.
    let other = TenantStore::new(store.store().clone(), TenantId::new("globex").unwrap());
    assert_eq!(cached_count(&other, &[format!("info@mx.{ZONE}")]).await, 0);

    // The second run is served by the store's cache.
    let StageOutcome::Completed { output, .. } = stage.run(&ctx, &entity).await.unwrap() else {
        panic!("not completed");
    };
    assert!(
        output["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "cached")
    );
    assert_eq!(dns.log.count_for(&format!("mx.{ZONE}")), 1);

    // No email: gated out.
    let empty = Entity::Contact(Contact::new());
    assert!(matches!(stage.gate(&empty), Gate::Skip(_)));
    dns.stop().await;
}

#[tokio::test]
async fn syntax_depth_is_offline() {
    let v = EmailValidator::offline(ValidatorOptions::default().with_depth(Depth::Smtp));
    assert_eq!(v.effective_depth(Depth::Smtp), Depth::Syntax);
    let res = v.validate("throwaway@mailinator.com").await;
    assert_eq!(res.status, VerificationStatus::Risky);
    assert_eq!(res.reasons, vec![Reason::Disposable]);
    assert!(res.flags.disposable);
    let res = v.validate("jana.novakova+crm@Gmail.com").await;
    assert_eq!(res.status, VerificationStatus::Valid);
    assert_eq!(res.reasons, vec![Reason::FreeProvider]);
    assert_eq!(res.canonical.as_deref(), Some("jananovakova@gmail.com"));
    assert_eq!(
        res.normalized.as_deref(),
        Some("jana.novakova+crm@gmail.com")
    );

    // The disposable list can be extended at runtime from a file.
    let dir = std::env::temp_dir().join(format!("leadgen-email-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("extra.txt");
    std::fs::write(&file, "# mine\nburner-mail.cz\n").unwrap();
    assert!(!v.validate("x@burner-mail.cz").await.flags.disposable);
    v.flag_rules().disposable.extend_from_file(&file).unwrap();
    assert!(v.validate("x@eu.burner-mail.cz").await.flags.disposable);
    assert!(
        v.flag_rules()
            .disposable
            .extend_from_file(&dir.join("missing.txt"))
            .is_err()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
