//! MX lookups with `hickory-resolver`: preference order, implicit MX (RFC 5321 §5.1),
//! null MX (RFC 7505), NXDOMAIN vs SERVFAIL vs timeout, a shared TTL-honouring cache
//! and bounded concurrency.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData};
use hickory_resolver::{Resolver, TokioResolver};
use leadgen_core::providers::{DnsResolver, MxLookup, MxRecord};
use tokio::sync::Semaphore;

use super::error::{DnsFailure, EmailError};

/// How negative answers (NXDOMAIN, no records) are kept when the zone gives no SOA TTL.
const DEFAULT_NEGATIVE_TTL: Duration = Duration::from_secs(300);
/// The longest any answer is kept, whatever its TTL.
const MAX_CACHE_TTL: Duration = Duration::from_secs(24 * 3600);

/// Resolver settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DnsOptions {
    /// Nameservers as `address:port`. Empty: the `nameserver` lines of
    /// `/etc/resolv.conf`.
    pub nameservers: Vec<SocketAddr>,
    /// Time allowed for one attempt.
    pub timeout: Duration,
    /// Attempts per nameserver.
    pub attempts: usize,
    /// Lookups in flight at once, across all callers of this resolver.
    pub max_concurrency: usize,
    /// Answers kept in the cache.
    pub cache_capacity: usize,
}

impl Default for DnsOptions {
    fn default() -> Self {
        DnsOptions {
            nameservers: Vec::new(),
            timeout: Duration::from_secs(5),
            attempts: 2,
            max_concurrency: 256,
            cache_capacity: 100_000,
        }
    }
}

impl DnsOptions {
    /// Options using these nameservers.
    pub fn with_nameservers(mut self, nameservers: Vec<SocketAddr>) -> Self {
        self.nameservers = nameservers;
        self
    }

    /// Options with this per-attempt timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Options with this many attempts.
    pub fn with_attempts(mut self, attempts: usize) -> Self {
        self.attempts = attempts;
        self
    }

    /// Options with this many lookups in flight at once.
    pub fn with_max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = n;
        self
    }
}

/// Parses `IP:PORT` (or a bare IP, port 53); `[v6]:port` for IPv6.
pub fn parse_nameserver(text: &str) -> Result<SocketAddr, EmailError> {
    let text = text.trim();
    if let Ok(sa) = text.parse::<SocketAddr>() {
        return Ok(sa);
    }
    text.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| EmailError::Config {
            option: "nameserver",
            reason: format!("{text:?} is not IP:PORT"),
        })
}

fn system_nameservers() -> Vec<SocketAddr> {
    std::fs::read_to_string("/etc/resolv.conf")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("nameserver"))
        .filter_map(|rest| rest.trim().parse::<IpAddr>().ok())
        .map(|ip| SocketAddr::new(ip, 53))
        .collect()
}

#[derive(Debug, Clone)]
struct CachedAnswer {
    answer: MxLookup,
    expires: Instant,
}

#[derive(Debug)]
struct Shared {
    resolver: TokioResolver,
    options: DnsOptions,
    limit: Semaphore,
    cache: Mutex<HashMap<String, CachedAnswer>>,
}

/// A [`DnsResolver`] over `hickory-resolver`. Cheap to clone; clones share the
/// cache and the concurrency limit.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use leadgen_core::providers::{DnsResolver, MxLookup};
/// use leadgen_stages::email::dns::{DnsOptions, HickoryDnsResolver};
/// let dns = HickoryDnsResolver::new(
///     DnsOptions::default().with_nameservers(vec!["127.0.0.1:5353".parse()?]),
/// )?;
/// if let MxLookup::Records { records } = dns.mx("acme.cz").await? {
///     println!("first MX: {}", records[0].exchange);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct HickoryDnsResolver {
    shared: Arc<Shared>,
}

impl HickoryDnsResolver {
    /// A resolver with these options.
    pub fn new(options: DnsOptions) -> Result<Self, EmailError> {
        let nameservers = if options.nameservers.is_empty() {
            system_nameservers()
        } else {
            options.nameservers.clone()
        };
        if nameservers.is_empty() {
            return Err(EmailError::Config {
                option: "nameservers",
                reason: "none given and none in /etc/resolv.conf".into(),
            });
        }
        if options.max_concurrency == 0 || options.attempts == 0 {
            return Err(EmailError::Config {
                option: "max_concurrency/attempts",
                reason: "must be at least 1".into(),
            });
        }
        let servers = nameservers
            .iter()
            .map(|sa| {
                let mut udp = ConnectionConfig::udp();
                udp.port = sa.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = sa.port();
                NameServerConfig::new(sa.ip(), true, vec![udp, tcp])
            })
            .collect::<Vec<_>>();
        let mut config = ResolverConfig::default();
        for s in servers {
            config.add_name_server(s);
        }
        let mut opts = ResolverOpts::default();
        opts.timeout = options.timeout;
        opts.attempts = options.attempts;
        opts.ndots = 0;
        opts.num_concurrent_reqs = 1;
        let resolver = Resolver::builder_with_config(config, TokioRuntimeProvider::default())
            .with_options(opts)
            .build()
            .map_err(|e| EmailError::Config {
                option: "resolver",
                reason: e.to_string(),
            })?;
        Ok(HickoryDnsResolver {
            shared: Arc::new(Shared {
                resolver,
                limit: Semaphore::new(options.max_concurrency),
                cache: Mutex::new(HashMap::new()),
                options,
            }),
        })
    }

    /// The options in force.
    pub fn options(&self) -> &DnsOptions {
        &self.shared.options
    }

    /// Answers currently cached (expired ones included until evicted).
    pub fn cached_len(&self) -> usize {
        self.shared
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Where mail for `domain` goes, with the failure kind kept.
    pub async fn lookup_mx(&self, domain: &str) -> Result<MxLookup, EmailError> {
        let key = domain.trim_end_matches('.').to_ascii_lowercase();
        if let Some(hit) = self.cached(&key) {
            return Ok(hit);
        }
        let _permit = self
            .shared
            .limit
            .acquire()
            .await
            .map_err(|_| EmailError::Dns {
                domain: key.clone(),
                failure: DnsFailure::Other,
                message: "resolver closed".into(),
            })?;
        // Another task may have filled the cache while this one waited.
        if let Some(hit) = self.cached(&key) {
            return Ok(hit);
        }
        // A hard bound over hickory's own per-attempt timeouts: never hang.
        let budget = self.shared.options.timeout * (self.shared.options.attempts as u32 + 1) * 2;
        let (answer, ttl) = tokio::time::timeout(budget, self.resolve_uncached(&key))
            .await
            .map_err(|_| EmailError::Dns {
                domain: key.clone(),
                failure: DnsFailure::Timeout,
                message: format!("no answer within {budget:?}"),
            })??;
        self.store(key, answer.clone(), ttl);
        Ok(answer)
    }

    /// The addresses (A and AAAA) of `host`; empty when it has none.
    pub async fn lookup_addresses(&self, host: &str) -> Result<Vec<IpAddr>, EmailError> {
        let name = fqdn(host)?;
        let _permit = self
            .shared
            .limit
            .acquire()
            .await
            .map_err(|_| EmailError::Dns {
                domain: host.into(),
                failure: DnsFailure::Other,
                message: "resolver closed".into(),
            })?;
        self.addresses(host, &name).await.map(|(ips, _)| ips)
    }

    fn cached(&self, key: &str) -> Option<MxLookup> {
        let cache = self.shared.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(key)
            .filter(|c| c.expires > Instant::now())
            .map(|c| c.answer.clone())
    }

    fn store(&self, key: String, answer: MxLookup, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut cache = self.shared.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= self.shared.options.cache_capacity {
            cache.retain(|_, c| c.expires > now);
            if cache.len() >= self.shared.options.cache_capacity
                && let Some(victim) = cache.keys().next().cloned()
            {
                cache.remove(&victim);
            }
        }
        cache.insert(
            key,
            CachedAnswer {
                answer,
                expires: now + ttl.min(MAX_CACHE_TTL),
            },
        );
    }

    async fn resolve_uncached(&self, domain: &str) -> Result<(MxLookup, Duration), EmailError> {
        let name = fqdn(domain)?;
        match self.shared.resolver.mx_lookup(name.clone()).await {
            Ok(lookup) => {
                let ttl = ttl_of(lookup.answers().iter().map(|r| r.ttl));
                let mut records: Vec<MxRecord> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::MX(mx) => Some(MxRecord {
                            preference: mx.preference,
                            exchange: mx.exchange.to_ascii().trim_end_matches('.').to_string(),
                        }),
                        _ => None,
                    })
                    .collect();
                // RFC 7505: a single MX of preference 0 whose exchange is the root.
                if records.len() == 1 && records[0].exchange.is_empty() {
                    return Ok((MxLookup::NullMx, ttl));
                }
                records.retain(|r| !r.exchange.is_empty());
                if records.is_empty() {
                    return self.implicit_mx(domain, &name).await;
                }
                records.sort_by_key(|r| r.preference);
                Ok((MxLookup::Records { records }, ttl))
            }
            Err(e) => match negative(&e) {
                Some((ResponseCode::NXDomain, neg_ttl)) => Ok((MxLookup::NxDomain, neg_ttl)),
                Some(_) => self.implicit_mx(domain, &name).await,
                None => Err(dns_error(domain, &e)),
            },
        }
    }

    async fn implicit_mx(
        &self,
        domain: &str,
        name: &Name,
    ) -> Result<(MxLookup, Duration), EmailError> {
        match self.addresses(domain, name).await {
            Ok((ips, ttl)) if !ips.is_empty() => Ok((MxLookup::Implicit { addresses: ips }, ttl)),
            Ok((_, ttl)) => Ok((MxLookup::NoMailHost, ttl)),
            Err(e) => Err(e),
        }
    }

    async fn addresses(
        &self,
        host: &str,
        name: &Name,
    ) -> Result<(Vec<IpAddr>, Duration), EmailError> {
        let r = &self.shared.resolver;
        let (v4, v6) = tokio::join!(r.ipv4_lookup(name.clone()), r.ipv6_lookup(name.clone()));
        let mut ips = Vec::new();
        let mut ttls = Vec::new();
        let mut negative_ttl = DEFAULT_NEGATIVE_TTL;
        let mut first_error = None;
        for result in [v4, v6] {
            match result {
                Ok(lookup) => {
                    for record in lookup.answers() {
                        match &record.data {
                            RData::A(a) => ips.push(IpAddr::V4(a.0)),
                            RData::AAAA(a) => ips.push(IpAddr::V6(a.0)),
                            _ => continue,
                        }
                        ttls.push(record.ttl);
                    }
                }
                Err(e) => match negative(&e) {
                    Some((_, ttl)) => negative_ttl = negative_ttl.min(ttl),
                    None => first_error = first_error.or(Some(e)),
                },
            }
        }
        if ips.is_empty()
            && let Some(e) = first_error
        {
            return Err(dns_error(host, &e));
        }
        let ttl = if ttls.is_empty() {
            negative_ttl
        } else {
            ttl_of(ttls.into_iter())
        };
        Ok((ips, ttl))
    }
}

fn fqdn(domain: &str) -> Result<Name, EmailError> {
    let mut name = Name::from_ascii(domain).map_err(|e| EmailError::Dns {
        domain: domain.into(),
        failure: DnsFailure::Other,
        message: format!("not a domain name: {e}"),
    })?;
    name.set_fqdn(true);
    Ok(name)
}

fn ttl_of(ttls: impl Iterator<Item = u32>) -> Duration {
    Duration::from_secs(u64::from(ttls.min().unwrap_or(0)))
}

/// A negative answer (NXDOMAIN, or NOERROR with no records) and how long to keep it.
fn negative(e: &NetError) -> Option<(ResponseCode, Duration)> {
    match e {
        NetError::Dns(DnsError::NoRecordsFound(no)) => Some((
            no.response_code,
            no.negative_ttl
                .map(|t| Duration::from_secs(u64::from(t)))
                .unwrap_or(DEFAULT_NEGATIVE_TTL),
        )),
        _ => None,
    }
}

fn dns_error(domain: &str, e: &NetError) -> EmailError {
    let failure = match e {
        NetError::Timeout => DnsFailure::Timeout,
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => DnsFailure::ServFail,
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => DnsFailure::Refused,
        NetError::NoConnections | NetError::Io(_) => DnsFailure::Unreachable,
        other if other.is_connection_closed() => DnsFailure::Unreachable,
        _ => DnsFailure::Other,
    };
    EmailError::Dns {
        domain: domain.into(),
        failure,
        message: e.to_string(),
    }
}

#[async_trait]
impl DnsResolver for HickoryDnsResolver {
    async fn mx(&self, domain: &str) -> leadgen_core::Result<MxLookup> {
        self.lookup_mx(domain).await.map_err(Into::into)
    }
}

/// Resolves a mail host name to addresses (for the SMTP probe).
#[async_trait]
pub trait HostResolver: Send + Sync + std::fmt::Debug {
    /// The addresses of `host`; empty when it has none.
    async fn addresses(&self, host: &str) -> Result<Vec<IpAddr>, EmailError>;
}

#[async_trait]
impl HostResolver for HickoryDnsResolver {
    async fn addresses(&self, host: &str) -> Result<Vec<IpAddr>, EmailError> {
        self.lookup_addresses(host).await
    }
}
