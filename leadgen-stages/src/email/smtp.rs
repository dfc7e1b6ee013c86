//! The opt-in SMTP probe: EHLO, STARTTLS when offered, MAIL FROM, RCPT TO, QUIT —
//! never DATA. Walks the mail hosts in preference order, tests a random recipient to
//! detect catch-all servers, and declines to guess for providers whose answers mean
//! nothing (by MX suffix).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leadgen_core::clock::{Randomness, SystemRandomness};
use rustls::pki_types::CertificateDer;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio_rustls::TlsConnector;

use super::dns::HostResolver;
pub use super::providers::{ProviderRule, ProviderVerdict, default_provider_rules};
use super::result::Reason;
use super::smtp_conn::{Connection, Reply, WireError, tls_connector};

/// Retry hint after a temporary failure when the server gives none (greylisting
/// windows are typically 1–15 minutes).
const DEFAULT_RETRY_AFTER_SECS: u64 = 300;

/// Probe settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SmtpOptions {
    /// The name sent in EHLO/HELO (should resolve to the probing host).
    pub helo_name: String,
    /// The reverse path of `MAIL FROM`; empty for the null sender `<>`.
    pub mail_from: String,
    /// The port of the mail hosts (25; tests point it at a local server).
    pub port: u16,
    /// Time allowed to connect to one host.
    pub connect_timeout: Duration,
    /// Time allowed for each reply.
    pub command_timeout: Duration,
    /// Time allowed for the whole probe of one address.
    pub total_timeout: Duration,
    /// Upgrade with STARTTLS when the server offers it.
    pub starttls: bool,
    /// Roots to verify STARTTLS certificates against; empty: accept any certificate
    /// (opportunistic TLS, as MTAs do).
    pub tls_roots: Vec<CertificateDer<'static>>,
    /// Probes of one domain in flight at once (clamped to 1–2).
    pub per_domain_concurrency: usize,
    /// Mail hosts tried per address, in preference order.
    pub max_hosts: usize,
    /// Test a random recipient when the real one is accepted.
    pub detect_catch_all: bool,
    /// Providers not to probe, by MX suffix.
    pub provider_rules: Vec<ProviderRule>,
}

impl Default for SmtpOptions {
    fn default() -> Self {
        SmtpOptions {
            helo_name: "localhost".into(),
            mail_from: String::new(),
            port: 25,
            connect_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(90),
            starttls: true,
            tls_roots: Vec::new(),
            per_domain_concurrency: 2,
            max_hosts: 3,
            detect_catch_all: true,
            provider_rules: default_provider_rules(),
        }
    }
}

impl SmtpOptions {
    /// With this port.
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// With these timeouts (connect, per reply, whole probe).
    pub fn with_timeouts(mut self, connect: Duration, command: Duration, total: Duration) -> Self {
        self.connect_timeout = connect;
        self.command_timeout = command;
        self.total_timeout = total;
        self
    }

    /// With this EHLO name and `MAIL FROM` address.
    pub fn with_identity(
        mut self,
        helo_name: impl Into<String>,
        mail_from: impl Into<String>,
    ) -> Self {
        self.helo_name = helo_name.into();
        self.mail_from = mail_from.into();
        self
    }
}

/// What a probe concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeVerdict {
    /// The recipient was accepted and a random one was not.
    Accepted,
    /// The recipient was rejected with a 5xx.
    Rejected,
    /// The server accepts any recipient.
    CatchAll,
    /// A 4xx: try again later.
    TemporaryFailure,
    /// A provider rule applies: not probed.
    Provider(ProviderVerdict),
    /// No conclusion (timeouts, dropped connections, sender refused, TLS failure).
    Inconclusive,
}

/// The outcome of probing one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOutcome {
    /// The verdict.
    pub verdict: ProbeVerdict,
    /// The machine-readable reason.
    pub reason: Reason,
    /// The server's reply or the failure, for people.
    pub detail: Option<String>,
    /// Whether a random recipient was accepted, when tested.
    pub catch_all: Option<bool>,
    /// Seconds to wait before trying again, after a 4xx.
    pub retry_after_secs: Option<u64>,
    /// The host that gave the answer.
    pub host: Option<String>,
}

impl ProbeOutcome {
    fn new(verdict: ProbeVerdict, reason: Reason, detail: Option<String>) -> Self {
        ProbeOutcome {
            verdict,
            reason,
            detail,
            catch_all: None,
            retry_after_secs: None,
            host: None,
        }
    }
}

/// Keeps at most N probes per domain in flight.
#[derive(Debug, Default)]
struct DomainLimiter {
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl DomainLimiter {
    fn slot(&self, domain: &str, permits: usize) -> Arc<Semaphore> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(
            slots
                .entry(domain.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(permits))),
        )
    }

    fn release(&self, domain: &str, slot: Arc<Semaphore>) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        // Ours and the map's: nobody else waits, so the entry can go.
        if Arc::strong_count(&slot) == 2 {
            slots.remove(domain);
        }
    }
}

/// The SMTP prober. Cheap to share (`Arc`); the per-domain limit is shared by all
/// callers of one prober.
pub struct SmtpProber {
    options: SmtpOptions,
    hosts: Arc<dyn HostResolver>,
    random: Arc<dyn Randomness>,
    tls: Option<TlsConnector>,
    limiter: DomainLimiter,
}

/// Where to deliver: a mail host name, or an address (implicit MX, tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailHost {
    /// A host name to resolve.
    Name(String),
    /// An address to connect to directly.
    Ip(IpAddr),
}

impl MailHost {
    fn label(&self) -> String {
        match self {
            MailHost::Name(n) => n.clone(),
            MailHost::Ip(ip) => ip.to_string(),
        }
    }
}

impl std::fmt::Debug for SmtpProber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpProber")
            .field("options", &self.options)
            .field("hosts", &self.hosts)
            .field("starttls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl SmtpProber {
    /// A prober resolving mail hosts through `hosts`.
    pub fn new(options: SmtpOptions, hosts: Arc<dyn HostResolver>) -> Self {
        let tls = options
            .starttls
            .then(|| tls_connector(&options.tls_roots).ok())
            .flatten();
        SmtpProber {
            options,
            hosts,
            random: Arc::new(SystemRandomness),
            tls,
            limiter: DomainLimiter::default(),
        }
    }

    /// Uses this source of randomness for catch-all probe addresses.
    pub fn with_randomness(mut self, random: Arc<dyn Randomness>) -> Self {
        self.random = random;
        self
    }

    /// The options in force.
    pub fn options(&self) -> &SmtpOptions {
        &self.options
    }

    /// The provider rule matching the first host, if any.
    pub fn provider_rule(&self, hosts: &[MailHost]) -> Option<&ProviderRule> {
        let MailHost::Name(first) = hosts.first()? else {
            return None;
        };
        self.options
            .provider_rules
            .iter()
            .find(|r| r.matches(first))
    }

    /// Probes `address` (`local@domain`, domain in ASCII) at `hosts`, in order.
    /// `smtputf8`: the local part is non-ASCII.
    pub async fn probe(
        &self,
        address: &str,
        domain: &str,
        hosts: &[MailHost],
        smtputf8: bool,
    ) -> ProbeOutcome {
        if let Some(rule) = self.provider_rule(hosts) {
            let mut out = ProbeOutcome::new(
                ProbeVerdict::Provider(rule.verdict),
                Reason::ProviderPolicy,
                Some(format!("{}: probe answers are unreliable", rule.provider)),
            );
            out.host = hosts.first().map(MailHost::label);
            return out;
        }
        let permits = self.options.per_domain_concurrency.clamp(1, 2);
        let slot = self.limiter.slot(domain, permits);
        let outcome = {
            let _permit = slot.acquire().await;
            let total = self.options.total_timeout;
            match tokio::time::timeout(total, self.walk_hosts(address, domain, hosts, smtputf8))
                .await
            {
                Ok(outcome) => outcome,
                Err(_) => ProbeOutcome::new(
                    ProbeVerdict::Inconclusive,
                    Reason::SmtpTimeout,
                    Some(format!("probe took longer than {total:?}")),
                ),
            }
        };
        self.limiter.release(domain, slot);
        outcome
    }

    async fn walk_hosts(
        &self,
        address: &str,
        domain: &str,
        hosts: &[MailHost],
        smtputf8: bool,
    ) -> ProbeOutcome {
        let mut last = ProbeOutcome::new(
            ProbeVerdict::Inconclusive,
            Reason::SmtpConnectionFailed,
            Some("no mail host to try".into()),
        );
        for host in hosts.iter().take(self.options.max_hosts.max(1)) {
            let ips = match host {
                MailHost::Ip(ip) => vec![*ip],
                MailHost::Name(name) => match name.parse::<IpAddr>() {
                    Ok(ip) => vec![ip],
                    Err(_) => match self.hosts.addresses(name).await {
                        Ok(ips) if !ips.is_empty() => ips,
                        Ok(_) => {
                            last.detail = Some(format!("{name} has no address"));
                            continue;
                        }
                        Err(e) => {
                            last.detail = Some(e.to_string());
                            continue;
                        }
                    },
                },
            };
            // One address per host: a second address of the same host rarely answers
            // differently, and the time budget is better spent on the next MX.
            let Some(ip) = ips.first() else { continue };
            let server_name = host.label();
            let mut outcome = self
                .session(
                    SocketAddr::new(*ip, self.options.port),
                    &server_name,
                    address,
                    domain,
                    smtputf8,
                )
                .await;
            outcome.host = Some(server_name);
            match outcome.verdict {
                ProbeVerdict::Inconclusive => last = outcome,
                _ => return outcome,
            }
        }
        last
    }

    async fn session(
        &self,
        addr: SocketAddr,
        server_name: &str,
        address: &str,
        domain: &str,
        smtputf8: bool,
    ) -> ProbeOutcome {
        let o = &self.options;
        let conn = match Connection::connect(addr, o.connect_timeout, o.command_timeout).await {
            Ok(c) => c,
            Err(e) => return wire_outcome(e),
        };
        let result = self
            .conversation(conn, server_name, address, domain, smtputf8)
            .await;
        match result {
            Ok((outcome, mut conn)) => {
                // Best effort: the verdict is already known.
                let _ = tokio::time::timeout(Duration::from_secs(2), conn.command("QUIT")).await;
                outcome
            }
            Err(e) => wire_outcome(e),
        }
    }

    async fn conversation(
        &self,
        mut conn: Connection,
        server_name: &str,
        address: &str,
        domain: &str,
        smtputf8: bool,
    ) -> Result<(ProbeOutcome, Connection), WireError> {
        let greeting = conn.read_reply().await?;
        if !greeting.is_positive() {
            return Ok((reply_outcome(&greeting, "greeting"), conn));
        }
        let mut ehlo = self.hello(&mut conn).await?;
        if !ehlo.is_positive() {
            return Ok((reply_outcome(&ehlo, "EHLO"), conn));
        }
        if let Some(tls) = &self.tls
            && ehlo.has_extension("STARTTLS")
        {
            let reply = conn.command("STARTTLS").await?;
            if reply.code == 220 {
                conn = conn.start_tls(server_name, tls).await?;
                ehlo = self.hello(&mut conn).await?;
                if !ehlo.is_positive() {
                    return Ok((reply_outcome(&ehlo, "EHLO after STARTTLS"), conn));
                }
            }
        }
        if smtputf8 && !ehlo.has_extension("SMTPUTF8") {
            return Ok((
                ProbeOutcome::new(
                    ProbeVerdict::Inconclusive,
                    Reason::SmtpUtf8Unsupported,
                    Some("server does not offer SMTPUTF8".into()),
                ),
                conn,
            ));
        }
        let utf8 = if smtputf8 { " SMTPUTF8" } else { "" };
        let from = conn
            .command(&format!("MAIL FROM:<{}>{utf8}", self.options.mail_from))
            .await?;
        if !from.is_positive() {
            let mut out = reply_outcome(&from, "MAIL FROM");
            if from.is_permanent() {
                out.verdict = ProbeVerdict::Inconclusive;
                out.reason = Reason::SmtpSenderRejected;
            }
            return Ok((out, conn));
        }
        let rcpt = conn.command(&format!("RCPT TO:<{address}>")).await?;
        if !rcpt.is_positive() {
            return Ok((reply_outcome(&rcpt, "RCPT TO"), conn));
        }
        let mut out = ProbeOutcome::new(
            ProbeVerdict::Accepted,
            Reason::SmtpAccepted,
            Some(rcpt.text()),
        );
        if self.options.detect_catch_all {
            let random = format!("{}@{domain}", self.random_local_part());
            let probe = conn.command(&format!("RCPT TO:<{random}>")).await?;
            if probe.is_positive() {
                out.verdict = ProbeVerdict::CatchAll;
                out.reason = Reason::CatchAll;
                out.catch_all = Some(true);
                out.detail = Some(format!("random recipient accepted: {}", probe.text()));
            } else if probe.is_permanent() {
                out.catch_all = Some(false);
            }
        }
        Ok((out, conn))
    }

    async fn hello(&self, conn: &mut Connection) -> Result<Reply, WireError> {
        let ehlo = conn
            .command(&format!("EHLO {}", self.options.helo_name))
            .await?;
        if ehlo.is_permanent() {
            return conn
                .command(&format!("HELO {}", self.options.helo_name))
                .await;
        }
        Ok(ehlo)
    }

    fn random_local_part(&self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut s = String::with_capacity(16);
        for _ in 0..16 {
            let i = self.random.in_range(0, ALPHABET.len() as u64) as usize;
            s.push(char::from(ALPHABET[i % ALPHABET.len()]));
        }
        s
    }
}

fn wire_outcome(e: WireError) -> ProbeOutcome {
    let (reason, detail) = match e {
        WireError::Connect(d) => (Reason::SmtpConnectionFailed, d),
        WireError::Timeout => (Reason::SmtpTimeout, "no reply within the timeout".into()),
        WireError::Dropped => (Reason::SmtpConnectionDropped, "connection closed".into()),
        WireError::Protocol(d) => (Reason::SmtpProtocolError, d),
        WireError::Tls(d) => (Reason::SmtpTlsFailed, d),
    };
    ProbeOutcome::new(ProbeVerdict::Inconclusive, reason, Some(detail))
}

fn reply_outcome(reply: &Reply, stage: &str) -> ProbeOutcome {
    let detail = Some(format!("{stage}: {}", reply.text()));
    if reply.is_transient() {
        let mut out = ProbeOutcome::new(
            ProbeVerdict::TemporaryFailure,
            Reason::SmtpTemporaryFailure,
            detail,
        );
        out.retry_after_secs = Some(retry_hint(&reply.lines.join(" ")));
        out
    } else if stage == "RCPT TO" {
        ProbeOutcome::new(ProbeVerdict::Rejected, Reason::SmtpRejected, detail)
    } else {
        ProbeOutcome::new(
            ProbeVerdict::Inconclusive,
            Reason::SmtpProtocolError,
            detail,
        )
    }
}

/// A wait read from a 4xx text ("try again in 60 seconds", "5 minutes"), else the
/// default.
pub fn retry_hint(text: &str) -> u64 {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        let Ok(n) = pair[0].parse::<u64>() else {
            continue;
        };
        let unit = pair[1].to_ascii_lowercase();
        let secs = match unit.as_str() {
            "s" | "sec" | "secs" | "second" | "seconds" => n,
            "m" | "min" | "mins" | "minute" | "minutes" => n.saturating_mul(60),
            "h" | "hour" | "hours" => n.saturating_mul(3600),
            _ => continue,
        };
        if (1..=86_400).contains(&secs) {
            return secs;
        }
    }
    DEFAULT_RETRY_AFTER_SECS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_hints() {
        assert_eq!(retry_hint("Greylisted, try again in 60 seconds"), 60);
        assert_eq!(retry_hint("4.7.1 please retry in 5 minutes"), 300);
        assert_eq!(retry_hint("4.2.0 busy"), DEFAULT_RETRY_AFTER_SECS);
    }
}
