//! A real DNS server on 127.0.0.1 (hickory-server, UDP and TCP) serving test zones
//! under `leadgen-dnstest.net`:
//!
//! | name | answer |
//! | --- | --- |
//! | `mx.` | MX 10 `mx1.`, MX 5 `mx0.` (TTL 60) |
//! | `mx0.`, `mx1.`, `smtp.` | A 127.0.0.1 |
//! | `a-only.` | no MX; A 127.0.0.2, AAAA ::1 |
//! | `nullmx.` | MX 0 `.` (RFC 7505) |
//! | `nothing.` | exists, no MX, no A/AAAA |
//! | `servfail.` | SERVFAIL |
//! | `timeout.` | never answers |
//! | `shortttl.` | MX 10 `mx1.` with TTL 1 |
//! | `smtp.` | MX 10 `smtp.` (for the SMTP end-to-end test) |
//! | `*.bench.` | MX 10 `mx1.` (any name: distinct domains for benchmarks) |
//! | anything else | NXDOMAIN with an SOA |

#![allow(dead_code)]

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hickory_server::Server;
use hickory_server::net::runtime::Time;
use hickory_server::proto::op::{Header, HeaderCounts, Metadata, ResponseCode};
use hickory_server::proto::rr::rdata::{A, AAAA, MX, SOA};
use hickory_server::proto::rr::{Name, RData, Record, RecordType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use tokio::net::{TcpListener, UdpSocket};

pub const ZONE: &str = "leadgen-dnstest.net";

/// Counts queries per name, so tests can see what the cache saved.
#[derive(Debug, Default)]
pub struct QueryLog {
    pub total: AtomicUsize,
    pub names: std::sync::Mutex<Vec<(String, RecordType)>>,
}

impl QueryLog {
    pub fn count_for(&self, name: &str) -> usize {
        let n = name.trim_end_matches('.').to_ascii_lowercase();
        self.names
            .lock()
            .unwrap()
            .iter()
            .filter(|(q, _)| *q == n)
            .count()
    }
}

#[derive(Debug)]
struct Zones {
    log: Arc<QueryLog>,
}

fn name(s: &str) -> Name {
    let mut n = Name::from_ascii(s).unwrap();
    n.set_fqdn(true);
    n
}

fn soa() -> Record {
    Record::from_rdata(
        name(ZONE),
        60,
        RData::SOA(SOA::new(
            name(&format!("ns.{ZONE}")),
            name(&format!("hostmaster.{ZONE}")),
            1,
            3600,
            600,
            86400,
            30,
        )),
    )
}

enum Answer {
    Records(Vec<Record>),
    Empty,
    Code(ResponseCode),
    Silence,
}

impl Zones {
    fn answer(&self, qname: &str, qtype: RecordType) -> Answer {
        let q = qname.trim_end_matches('.').to_ascii_lowercase();
        let Some(label) = q.strip_suffix(&format!(".{ZONE}")) else {
            return Answer::Code(ResponseCode::Refused);
        };
        let mx = |pref: u16, host: &str, ttl: u32| {
            Record::from_rdata(
                name(&q),
                ttl,
                RData::MX(MX::new(pref, name(&format!("{host}.{ZONE}")))),
            )
        };
        let a = |ip: Ipv4Addr| Record::from_rdata(name(&q), 60, RData::A(A(ip)));
        match (label, qtype) {
            ("mx", RecordType::MX) => Answer::Records(vec![mx(10, "mx1", 60), mx(5, "mx0", 60)]),
            ("mx0" | "mx1" | "smtp", RecordType::A) => {
                Answer::Records(vec![a(Ipv4Addr::LOCALHOST)])
            }
            ("smtp", RecordType::MX) => Answer::Records(vec![mx(10, "smtp", 60)]),
            ("a-only", RecordType::A) => Answer::Records(vec![a(Ipv4Addr::new(127, 0, 0, 2))]),
            ("a-only", RecordType::AAAA) => Answer::Records(vec![Record::from_rdata(
                name(&q),
                60,
                RData::AAAA(AAAA(Ipv6Addr::LOCALHOST)),
            )]),
            ("nullmx", RecordType::MX) => Answer::Records(vec![Record::from_rdata(
                name(&q),
                60,
                RData::MX(MX::new(0, Name::root())),
            )]),
            ("servfail", _) => Answer::Code(ResponseCode::ServFail),
            ("timeout", _) => Answer::Silence,
            ("shortttl", RecordType::MX) => Answer::Records(vec![mx(10, "mx1", 1)]),
            (l, RecordType::MX) if l.ends_with(".bench") => {
                Answer::Records(vec![mx(10, "mx1", 300)])
            }
            ("mx" | "mx0" | "mx1" | "smtp" | "a-only" | "nullmx" | "nothing" | "shortttl", _) => {
                Answer::Empty
            }
            (l, _) if l.ends_with(".bench") => Answer::Empty,
            _ => Answer::Code(ResponseCode::NXDomain),
        }
    }
}

#[async_trait::async_trait]
impl RequestHandler for Zones {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let failed = || {
            let mut metadata = Metadata::response_from_request(&request.metadata);
            metadata.response_code = ResponseCode::ServFail;
            ResponseInfo::from(Header {
                metadata,
                counts: HeaderCounts::default(),
            })
        };
        let Some(query) = request.queries.queries().first() else {
            return failed();
        };
        let qname = query.name().to_string();
        let qtype = query.query_type();
        self.log.total.fetch_add(1, Ordering::SeqCst);
        self.log
            .names
            .lock()
            .unwrap()
            .push((qname.trim_end_matches('.').to_ascii_lowercase(), qtype));
        let builder = MessageResponseBuilder::from_message_request(request);
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.authoritative = true;
        let soa = [soa()];
        let result = match self.answer(&qname, qtype) {
            Answer::Silence => {
                tokio::time::sleep(Duration::from_secs(60)).await;
                return failed();
            }
            Answer::Code(code) if code != ResponseCode::NXDomain => {
                response_handle
                    .send_response(builder.error_msg(&request.metadata, code))
                    .await
            }
            Answer::Code(code) => {
                metadata.response_code = code;
                response_handle
                    .send_response(builder.build(metadata, &[], &[], &soa, &[]))
                    .await
            }
            Answer::Empty => {
                response_handle
                    .send_response(builder.build(metadata, &[], &[], &soa, &[]))
                    .await
            }
            Answer::Records(records) => {
                response_handle
                    .send_response(builder.build(metadata, &records, &[], &[], &[]))
                    .await
            }
        };
        result.unwrap_or_else(|_| failed())
    }
}

/// A running test DNS server.
pub struct TestDns {
    pub addr: SocketAddr,
    pub log: Arc<QueryLog>,
    server: Server<Zones>,
}

impl TestDns {
    /// Starts the server on 127.0.0.1 (a free port, UDP and TCP on the same one).
    pub async fn start() -> TestDns {
        let log = Arc::new(QueryLog::default());
        let mut server = Server::new(Zones { log: log.clone() });
        // Find a port free for both UDP and TCP.
        let (udp, tcp) = loop {
            let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let port = udp.local_addr().unwrap().port();
            if let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)).await {
                break (udp, tcp);
            }
        };
        let addr = udp.local_addr().unwrap();
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 64);
        TestDns { addr, log, server }
    }

    /// Stops serving.
    pub async fn stop(mut self) {
        let _ =
            tokio::time::timeout(Duration::from_secs(2), self.server.shutdown_gracefully()).await;
    }
}
