//! The SMTP probe against a scripted SMTP server on 127.0.0.1.

#![cfg(feature = "email")]

#[path = "support/smtp_server.rs"]
mod smtp_server;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use leadgen_stages::email::EmailError;
use leadgen_stages::email::dns::HostResolver;
use leadgen_stages::email::result::Reason;
use leadgen_stages::email::smtp::{
    MailHost, ProbeVerdict, ProviderVerdict, SmtpOptions, SmtpProber,
};
use smtp_server::{Script, TestSmtp, self_signed};

/// Every host name resolves to 127.0.0.1 (the SMTP tests exercise SMTP, not DNS;
/// DNS plus SMTP together is in the validator tests).
#[derive(Debug)]
struct Loopback;

#[async_trait]
impl HostResolver for Loopback {
    async fn addresses(&self, host: &str) -> Result<Vec<IpAddr>, EmailError> {
        if host.starts_with("nohost") {
            return Ok(Vec::new());
        }
        Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)])
    }
}

fn prober(port: u16) -> SmtpProber {
    SmtpProber::new(
        SmtpOptions::default()
            .with_port(port)
            .with_timeouts(
                Duration::from_secs(2),
                Duration::from_millis(800),
                Duration::from_secs(6),
            )
            .with_identity("probe.leadgen.example", "bounce@leadgen.example"),
        Arc::new(Loopback),
    )
}

fn host() -> Vec<MailHost> {
    vec![MailHost::Name("mx.acme-mail.cz".into())]
}

#[tokio::test]
async fn accepts_a_mailbox_and_checks_catch_all_never_sending_data() {
    let server = TestSmtp::start(Script::normal()).await;
    let out = prober(server.port())
        .probe("good@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::Accepted, "{out:?}");
    assert_eq!(out.reason, Reason::SmtpAccepted);
    assert_eq!(out.catch_all, Some(false));
    assert_eq!(out.host.as_deref(), Some("mx.acme-mail.cz"));
    let cmds = server.commands();
    assert_eq!(cmds[0], "EHLO probe.leadgen.example");
    assert_eq!(cmds[1], "MAIL FROM:<bounce@leadgen.example>");
    assert_eq!(cmds[2], "RCPT TO:<good@acme-mail.cz>");
    assert!(cmds[3].starts_with("RCPT TO:<") && cmds[3].ends_with("@acme-mail.cz>"));
    assert_ne!(
        cmds[3], cmds[2],
        "catch-all probe must use a random local part"
    );
    assert_eq!(cmds.last().map(String::as_str), Some("QUIT"));
    assert!(!cmds.iter().any(|c| c.eq_ignore_ascii_case("DATA")));
}

#[tokio::test]
async fn rejects_one_recipient() {
    let server = TestSmtp::start(Script::normal()).await;
    let out = prober(server.port())
        .probe("nobody@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::Rejected);
    assert_eq!(out.reason, Reason::SmtpRejected);
    assert!(out.detail.unwrap().contains("550"));
}

#[tokio::test]
async fn catch_all_is_detected() {
    let server = TestSmtp::start(Script::catch_all()).await;
    let out = prober(server.port())
        .probe("anyone@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::CatchAll);
    assert_eq!(out.reason, Reason::CatchAll);
    assert_eq!(out.catch_all, Some(true));
}

#[tokio::test]
async fn greylisting_is_unknown_with_retry_hint() {
    let server = TestSmtp::start(Script::greylist()).await;
    let out = prober(server.port())
        .probe("good@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::TemporaryFailure);
    assert_eq!(out.reason, Reason::SmtpTemporaryFailure);
    assert_eq!(out.retry_after_secs, Some(120));
}

#[tokio::test]
async fn dropped_connection_is_inconclusive() {
    let server = TestSmtp::start(Script {
        drop_on: Some("RCPT"),
        ..Script::normal()
    })
    .await;
    let out = prober(server.port())
        .probe("good@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::Inconclusive);
    assert_eq!(out.reason, Reason::SmtpConnectionDropped);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_within_the_limits() {
    let server = TestSmtp::start(Script {
        greeting: None,
        ..Script::normal()
    })
    .await;
    let started = Instant::now();
    let out = prober(server.port())
        .probe("good@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::Inconclusive);
    assert_eq!(out.reason, Reason::SmtpTimeout);
    // The command timeout is 0.8 s; the whole-probe limit 6 s.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn whole_probe_limit_bounds_many_silent_hosts() {
    let server = TestSmtp::start(Script {
        greeting: None,
        ..Script::normal()
    })
    .await;
    let p = SmtpProber::new(
        SmtpOptions::default()
            .with_port(server.port())
            .with_timeouts(
                Duration::from_secs(1),
                Duration::from_secs(10),
                Duration::from_millis(700),
            ),
        Arc::new(Loopback),
    );
    let started = Instant::now();
    let out = p
        .probe("good@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.reason, Reason::SmtpTimeout);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn starttls_with_a_self_signed_certificate() {
    let (cert, config) = self_signed(&["mx.acme-mail.cz"]);
    let server = TestSmtp::start(Script::normal().with_tls(config)).await;
    // Opportunistic: any certificate.
    let out = prober(server.port())
        .probe("good@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::Accepted, "{out:?}");
    let cmds = server.commands();
    let tls_at = cmds
        .iter()
        .position(|c| c == "<tls established>")
        .expect("no TLS");
    assert_eq!(cmds[tls_at - 1], "STARTTLS");
    assert!(
        cmds[tls_at + 1].starts_with("EHLO"),
        "EHLO again after TLS: {cmds:?}"
    );
    let mail_at = cmds
        .iter()
        .position(|c| c.starts_with("MAIL FROM"))
        .unwrap();
    assert!(mail_at > tls_at, "MAIL FROM before TLS: {cmds:?}");

    // Verified against the right root: still fine.
    let mut opts = prober(server.port()).options().clone();
    opts.tls_roots = vec![cert];
    let verified = SmtpProber::new(opts.clone(), Arc::new(Loopback));
    let out = verified
        .probe("good@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::Accepted, "{out:?}");

    // Verified against another root: the handshake fails, reported as such.
    let (other, _) = self_signed(&["elsewhere.example"]);
    opts.tls_roots = vec![other];
    let strict = SmtpProber::new(opts, Arc::new(Loopback));
    let out = strict
        .probe("good@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::Inconclusive);
    assert_eq!(out.reason, Reason::SmtpTlsFailed);
}

#[tokio::test]
async fn walks_mx_hosts_in_order_past_dead_ones() {
    let server = TestSmtp::start(Script::normal()).await;
    let hosts = vec![
        MailHost::Name("nohost.acme-mail.cz".into()),
        MailHost::Name("mx2.acme-mail.cz".into()),
    ];
    let out = prober(server.port())
        .probe("good@acme-mail.cz", "acme-mail.cz", &hosts, false)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::Accepted);
    assert_eq!(out.host.as_deref(), Some("mx2.acme-mail.cz"));

    // A port where nothing listens: connection failed, quickly.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = prober(closed)
        .probe("good@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.reason, Reason::SmtpConnectionFailed);
}

#[tokio::test]
async fn provider_rules_decline_to_guess_without_connecting() {
    let server = TestSmtp::start(Script::catch_all()).await;
    let p = prober(server.port());
    let m365 = vec![MailHost::Name("acme-cz.mail.protection.outlook.com".into())];
    let out = p.probe("x@acme.cz", "acme.cz", &m365, false).await;
    assert_eq!(
        out.verdict,
        ProbeVerdict::Provider(ProviderVerdict::Unknown)
    );
    assert_eq!(out.reason, Reason::ProviderPolicy);
    let yahoo = vec![MailHost::Name("mta5.am0.yahoodns.net".into())];
    let out = p.probe("x@yahoo.com", "yahoo.com", &yahoo, false).await;
    assert_eq!(out.verdict, ProbeVerdict::Provider(ProviderVerdict::Risky));
    assert_eq!(
        server.connections.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[tokio::test]
async fn smtputf8_recipients_need_the_extension() {
    let server = TestSmtp::start(Script::normal()).await;
    let out = prober(server.port())
        .probe("jürgen@acme-mail.cz", "acme-mail.cz", &host(), true)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::Accepted, "{out:?}");
    assert!(
        server
            .commands()
            .iter()
            .any(|c| c.ends_with("SMTPUTF8") && c.starts_with("MAIL FROM"))
    );

    let plain = TestSmtp::start(Script {
        smtputf8: false,
        ..Script::normal()
    })
    .await;
    let out = prober(plain.port())
        .probe("jürgen@acme-mail.cz", "acme-mail.cz", &host(), true)
        .await;
    assert_eq!(out.reason, Reason::SmtpUtf8Unsupported);
}

#[tokio::test]
async fn sender_rejection_and_garbage_replies_are_inconclusive() {
    let server = TestSmtp::start(Script {
        mail_from: "550 5.7.1 your IP is on a blocklist".into(),
        ..Script::normal()
    })
    .await;
    let out = prober(server.port())
        .probe("good@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.verdict, ProbeVerdict::Inconclusive);
    assert_eq!(out.reason, Reason::SmtpSenderRejected);

    let garbage = TestSmtp::start(Script {
        greeting: Some("HTTP/1.1 400 Bad Request".into()),
        ..Script::normal()
    })
    .await;
    let out = prober(garbage.port())
        .probe("good@acme-mail.cz", "acme-mail.cz", &host(), false)
        .await;
    assert_eq!(out.reason, Reason::SmtpProtocolError);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn at_most_two_probes_per_domain_at_once() {
    // A slow server: each RCPT waits, so overlapping sessions are visible.
    let active = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let peak = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (a, pk) = (active.clone(), peak.clone());
    let server = TestSmtp::start(Script {
        rcpt: Arc::new(move |_| {
            let now = a.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            pk.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(60));
            a.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            "250 OK".into()
        }),
        ..Script::normal()
    })
    .await;
    let p = Arc::new(prober(server.port()));
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let p = p.clone();
            tokio::spawn(async move {
                p.probe(
                    &format!("u{i}@acme-mail.cz"),
                    "acme-mail.cz",
                    &host(),
                    false,
                )
                .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let sessions = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("EHLO"))
        .count();
    assert_eq!(sessions, 6);
    // Sessions did overlap (the server is concurrent), but never more than two.
    assert_eq!(peak.load(std::sync::atomic::Ordering::SeqCst), 2);
}
