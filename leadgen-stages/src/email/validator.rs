//! The [`EmailValidator`]: syntax, flags, MX and SMTP checks put together, one address
//! or a batch, with the verification cache.

use std::collections::HashMap;
use std::sync::Arc;

use futures::StreamExt;
use leadgen_core::clock::{Clock, SystemClock};
use leadgen_core::providers::{DnsResolver, MxLookup};

use super::cache::{VerificationCache, cache_key};
use super::error::dns_failure_of;
use super::flags::FlagRules;
use super::result::{Depth, EmailVerification, Reason, VerificationStatus};
use super::smtp::{MailHost, ProbeVerdict, ProviderVerdict, SmtpProber};
use super::syntax::{ParsedAddress, SyntaxOptions, parse_address};

/// What the validator checks and how.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidatorOptions {
    /// Syntax rules.
    pub syntax: SyntaxOptions,
    /// How deep [`EmailValidator::validate`] goes (deeper checks need a resolver and
    /// a prober; without them the check stops at what is available).
    pub depth: Depth,
    /// Addresses validated at once by [`EmailValidator::validate_many`].
    pub concurrency: usize,
    /// A role account (`info@`) makes an otherwise valid address `risky`.
    pub role_is_risky: bool,
}

impl Default for ValidatorOptions {
    fn default() -> Self {
        ValidatorOptions {
            syntax: SyntaxOptions::default(),
            depth: Depth::Syntax,
            concurrency: 64,
            role_is_risky: true,
        }
    }
}

impl ValidatorOptions {
    /// With this depth.
    pub fn with_depth(mut self, depth: Depth) -> Self {
        self.depth = depth;
        self
    }

    /// With these syntax rules.
    pub fn with_syntax(mut self, syntax: SyntaxOptions) -> Self {
        self.syntax = syntax;
        self
    }

    /// With this batch concurrency (at least 1).
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
}

/// Validates addresses. Cheap to share behind an `Arc`.
#[derive(Debug, Clone)]
pub struct EmailValidator {
    options: ValidatorOptions,
    flags: Arc<FlagRules>,
    dns: Option<Arc<dyn DnsResolver>>,
    prober: Option<Arc<SmtpProber>>,
    cache: Option<VerificationCache>,
    clock: Arc<dyn Clock>,
}

/// One address of a batch between the syntax check and the deeper ones.
struct Pending {
    v: EmailVerification,
    parsed: Option<ParsedAddress>,
    hit: Option<EmailVerification>,
}

/// How bad a status is, to combine checks: the worst wins.
fn severity(s: VerificationStatus) -> u8 {
    match s {
        VerificationStatus::Valid => 0,
        VerificationStatus::Unknown => 1,
        VerificationStatus::Risky => 2,
        VerificationStatus::Invalid => 3,
    }
}

fn worst(a: VerificationStatus, b: VerificationStatus) -> VerificationStatus {
    if severity(b) > severity(a) { b } else { a }
}

impl EmailValidator {
    /// A validator with no network: syntax and flags only.
    pub fn offline(options: ValidatorOptions) -> Self {
        EmailValidator {
            options,
            flags: Arc::new(FlagRules::bundled()),
            dns: None,
            prober: None,
            cache: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// With an MX resolver (enables the `mx` depth).
    pub fn with_dns(mut self, dns: Arc<dyn DnsResolver>) -> Self {
        self.dns = Some(dns);
        self
    }

    /// With an SMTP prober (enables the `smtp` depth, with a resolver).
    pub fn with_smtp(mut self, prober: Arc<SmtpProber>) -> Self {
        self.prober = Some(prober);
        self
    }

    /// With a verification cache.
    pub fn with_cache(mut self, cache: VerificationCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// With these flag rules (e.g. shared, updated at runtime).
    pub fn with_flag_rules(mut self, flags: Arc<FlagRules>) -> Self {
        self.flags = flags;
        self
    }

    /// With this clock (check times, cache freshness).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The options in force.
    pub fn options(&self) -> &ValidatorOptions {
        &self.options
    }

    /// The flag rules (to update the lists at runtime).
    pub fn flag_rules(&self) -> &Arc<FlagRules> {
        &self.flags
    }

    /// The deepest depth this validator can reach, at most `wanted`.
    pub fn effective_depth(&self, wanted: Depth) -> Depth {
        match wanted {
            Depth::Smtp if self.dns.is_some() && self.prober.is_some() => Depth::Smtp,
            Depth::Smtp | Depth::Mx if self.dns.is_some() => Depth::Mx,
            _ => Depth::Syntax,
        }
    }

    /// Syntax, normalization and flags: offline, synchronous.
    pub fn check_syntax(&self, address: &str) -> EmailVerification {
        self.syntax_result(address, false).0
    }

    /// The syntax-depth result, and the parsed address when `keep_parsed` (for the
    /// deeper checks; without it the strings are moved, not copied).
    fn syntax_result(
        &self,
        address: &str,
        keep_parsed: bool,
    ) -> (EmailVerification, Option<ParsedAddress>) {
        let now = self.clock.now();
        let mut v = EmailVerification::new(address, VerificationStatus::Valid, Depth::Syntax, now);
        let parsed = match parse_address(address, &self.options.syntax) {
            Ok(p) => p,
            Err(e) => {
                v.status = VerificationStatus::Invalid;
                v.reasons.push(Reason::Syntax(e.kind));
                v.detail = Some(e.detail);
                return (v, None);
            }
        };
        v.flags = self.flags.flags(&parsed.local_part, &parsed.domain_ascii);
        if v.flags.disposable {
            v.status = VerificationStatus::Risky;
            v.reasons.push(Reason::Disposable);
        }
        if v.flags.role_account {
            if self.options.role_is_risky {
                v.status = VerificationStatus::Risky;
            }
            v.reasons.push(Reason::RoleAccount);
        }
        if v.flags.free_provider {
            v.reasons.push(Reason::FreeProvider);
        }
        if parsed.smtputf8 {
            v.reasons.push(Reason::SmtpUtf8);
        }
        v.smtputf8 = parsed.smtputf8;
        if !keep_parsed {
            v.normalized = Some(parsed.normalized);
            v.ascii = parsed.ascii;
            v.canonical = parsed.canonical;
            return (v, None);
        }
        v.normalized = Some(parsed.normalized.clone());
        v.ascii = parsed.ascii.clone();
        v.canonical = parsed.canonical.clone();
        (v, Some(parsed))
    }

    /// Validates one address at the configured depth (using the cache, if any).
    pub async fn validate(&self, address: &str) -> EmailVerification {
        self.validate_at(address, self.options.depth).await
    }

    /// Validates one address at `depth` (using the cache, if any).
    pub async fn validate_at(&self, address: &str, depth: Depth) -> EmailVerification {
        self.validate_with_cache(address, depth, self.cache.as_ref())
            .await
    }

    /// Validates one address at `depth` through `cache` (the stage passes the
    /// tenant's store). A cache failure is logged and ignored: it never fails a check.
    pub async fn validate_with_cache(
        &self,
        address: &str,
        depth: Depth,
        cache: Option<&VerificationCache>,
    ) -> EmailVerification {
        let mut batch = self
            .validate_many_with_cache(std::slice::from_ref(&address), depth, cache)
            .await;
        batch.pop().unwrap_or_else(|| self.check_syntax(address))
    }

    /// Validates a list at the configured depth, at most `concurrency` at once;
    /// results in input order.
    pub async fn validate_many<S: AsRef<str> + Sync>(
        &self,
        addresses: &[S],
    ) -> Vec<EmailVerification> {
        self.validate_many_with_cache(addresses, self.options.depth, self.cache.as_ref())
            .await
    }

    /// Validates a list at `depth` through `cache`; results in input order.
    pub async fn validate_many_with_cache<S: AsRef<str> + Sync>(
        &self,
        addresses: &[S],
        depth: Depth,
        cache: Option<&VerificationCache>,
    ) -> Vec<EmailVerification> {
        let depth = self.effective_depth(depth);
        let syntax: Vec<(EmailVerification, Option<ParsedAddress>)> = addresses
            .iter()
            .map(|a| self.syntax_result(a.as_ref(), depth > Depth::Syntax))
            .collect();
        if depth == Depth::Syntax {
            return syntax.into_iter().map(|(v, _)| v).collect();
        }
        let now = self.clock.now();
        let keys: Vec<Option<String>> = syntax
            .iter()
            .map(|(_, p)| p.as_ref().map(|p| cache_key(&p.normalized)))
            .collect();
        let mut cached: HashMap<String, EmailVerification> = HashMap::new();
        if let Some(cache) = cache {
            let mut wanted: Vec<String> = keys.iter().flatten().cloned().collect();
            wanted.sort();
            wanted.dedup();
            match cache.get_fresh(&wanted, depth, now).await {
                Ok(hits) => cached = hits,
                Err(e) => tracing::warn!(error = %e, "email verification cache unavailable"),
            }
        }
        let work: Vec<Pending> = syntax
            .into_iter()
            .zip(&keys)
            .map(|((v, parsed), key)| Pending {
                hit: key.as_ref().and_then(|k| cached.get(k).cloned()),
                v,
                parsed,
            })
            .collect();
        let results: Vec<EmailVerification> = futures::stream::iter(work)
            .map(|p| self.finish(p, depth))
            .buffered(self.options.concurrency.max(1))
            .collect()
            .await;
        if let Some(cache) = cache {
            let fresh: Vec<(String, &EmailVerification)> = results
                .iter()
                .zip(&keys)
                .filter_map(|(v, k)| Some((k.clone()?, v)))
                .collect();
            if let Err(e) = cache.put(&fresh, now).await {
                tracing::warn!(error = %e, "email verification cache not written");
            }
        }
        results
    }

    async fn finish(&self, pending: Pending, depth: Depth) -> EmailVerification {
        let Pending { v, parsed, hit } = pending;
        match (parsed, hit) {
            (Some(_), Some(mut hit)) => {
                hit.address = v.address;
                if !hit.has(Reason::Cached) {
                    hit.reasons.push(Reason::Cached);
                }
                hit
            }
            (Some(p), None) => self.deepen(v, &p, depth).await,
            (None, _) => v,
        }
    }

    /// MX (and SMTP) checks on a syntactically valid address.
    async fn deepen(
        &self,
        mut v: EmailVerification,
        p: &ParsedAddress,
        depth: Depth,
    ) -> EmailVerification {
        let Some(dns) = &self.dns else { return v };
        v.depth = Depth::Mx;
        let mut decisive: Vec<Reason> = Vec::new();
        let hosts: Vec<MailHost> = if p.domain_literal {
            let inner = p.domain_ascii.trim_start_matches('[').trim_end_matches(']');
            let ip = inner.strip_prefix("IPv6:").unwrap_or(inner);
            ip.parse().map(MailHost::Ip).into_iter().collect()
        } else {
            match dns.mx(&p.domain_ascii).await {
                Ok(MxLookup::Records { records }) => {
                    v.mx_hosts = records.iter().map(|r| r.exchange.clone()).collect();
                    records
                        .into_iter()
                        .map(|r| MailHost::Name(r.exchange))
                        .collect()
                }
                Ok(MxLookup::Implicit { addresses }) => {
                    v.mx_hosts = vec![p.domain_ascii.clone()];
                    decisive.push(Reason::ImplicitMx);
                    addresses.into_iter().map(MailHost::Ip).collect()
                }
                Ok(negative) => {
                    let reason = match negative {
                        MxLookup::NullMx => Reason::NullMx,
                        MxLookup::NxDomain => Reason::NxDomain,
                        _ => Reason::NoMailHost,
                    };
                    v.status = VerificationStatus::Invalid;
                    return prepend(v, vec![reason]);
                }
                Err(e) => {
                    v.status = worst(v.status, VerificationStatus::Unknown);
                    v.detail = Some(e.to_string());
                    return prepend(v, vec![Reason::Dns(dns_failure_of(&e))]);
                }
            }
        };
        if depth < Depth::Smtp {
            return prepend(v, decisive);
        }
        let Some(prober) = &self.prober else {
            return prepend(v, decisive);
        };
        v.depth = Depth::Smtp;
        let recipient = format!("{}@{}", p.local_part, p.domain_ascii);
        let outcome = prober
            .probe(&recipient, &p.domain_ascii, &hosts, p.smtputf8)
            .await;
        let status = match outcome.verdict {
            ProbeVerdict::Accepted => VerificationStatus::Valid,
            ProbeVerdict::Rejected => VerificationStatus::Invalid,
            ProbeVerdict::CatchAll | ProbeVerdict::Provider(ProviderVerdict::Risky) => {
                VerificationStatus::Risky
            }
            ProbeVerdict::TemporaryFailure
            | ProbeVerdict::Inconclusive
            | ProbeVerdict::Provider(ProviderVerdict::Unknown) => VerificationStatus::Unknown,
        };
        v.status = if status == VerificationStatus::Invalid {
            status
        } else {
            worst(v.status, status)
        };
        v.catch_all = outcome.catch_all;
        v.retry_after_secs = outcome.retry_after_secs;
        if outcome.detail.is_some() {
            v.detail = outcome.detail;
        }
        decisive.insert(0, outcome.reason);
        prepend(v, decisive)
    }
}

/// Puts the decisive reasons before the flag reasons.
fn prepend(mut v: EmailVerification, mut decisive: Vec<Reason>) -> EmailVerification {
    decisive.append(&mut v.reasons);
    v.reasons = decisive;
    v
}
