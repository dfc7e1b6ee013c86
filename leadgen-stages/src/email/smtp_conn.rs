//! One SMTP client connection: replies (multi-line, bounded), commands, STARTTLS.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Longest reply line accepted (RFC 5321 allows 512; servers send more).
const MAX_LINE: usize = 4096;
/// Most lines in one multi-line reply.
const MAX_LINES: usize = 128;

/// What went wrong on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WireError {
    /// The TCP connection could not be made.
    Connect(String),
    /// No reply within the timeout.
    Timeout,
    /// The server closed the connection.
    Dropped,
    /// The reply is not SMTP.
    Protocol(String),
    /// The TLS handshake failed.
    Tls(String),
}

/// One SMTP reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    pub fn is_positive(&self) -> bool {
        (200..400).contains(&self.code)
    }
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }
    pub fn is_permanent(&self) -> bool {
        self.code >= 500
    }
    pub fn text(&self) -> String {
        format!("{} {}", self.code, self.lines.join(" / "))
    }
    /// EHLO keywords, upper-cased (`STARTTLS`, `SMTPUTF8`, …).
    pub fn has_extension(&self, keyword: &str) -> bool {
        self.lines.iter().skip(1).any(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|k| k.eq_ignore_ascii_case(keyword))
        })
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A connection, plain or upgraded to TLS.
pub(crate) struct Connection {
    stream: BufReader<Box<dyn Io>>,
    timeout: Duration,
    pub tls: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("tls", &self.tls)
            .finish()
    }
}

impl Connection {
    pub async fn connect(
        addr: SocketAddr,
        connect_timeout: Duration,
        command_timeout: Duration,
    ) -> Result<Self, WireError> {
        let tcp = tokio::time::timeout(connect_timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| WireError::Timeout)?
            .map_err(|e| WireError::Connect(format!("{addr}: {e}")))?;
        let _ = tcp.set_nodelay(true);
        Ok(Connection {
            stream: BufReader::new(Box::new(tcp)),
            timeout: command_timeout,
            tls: false,
        })
    }

    /// Reads one (possibly multi-line) reply.
    pub async fn read_reply(&mut self) -> Result<Reply, WireError> {
        tokio::time::timeout(self.timeout, self.read_reply_inner())
            .await
            .map_err(|_| WireError::Timeout)?
    }

    async fn read_reply_inner(&mut self) -> Result<Reply, WireError> {
        let mut lines = Vec::new();
        let mut code = None;
        loop {
            let line = self.read_line().await?;
            let bytes = line.as_bytes();
            if bytes.len() < 3 || !bytes[..3].iter().all(u8::is_ascii_digit) {
                return Err(WireError::Protocol(format!(
                    "not an SMTP reply: {line:.80}"
                )));
            }
            let this: u16 = line[..3].parse().unwrap_or(0);
            if !(200..600).contains(&this) || code.is_some_and(|c| c != this) {
                return Err(WireError::Protocol(format!("bad reply code in {line:.80}")));
            }
            code = Some(this);
            let more = bytes.get(3) == Some(&b'-');
            lines.push(line.get(4..).unwrap_or("").to_string());
            if !more {
                return Ok(Reply { code: this, lines });
            }
            if lines.len() >= MAX_LINES {
                return Err(WireError::Protocol("reply has too many lines".into()));
            }
        }
    }

    async fn read_line(&mut self) -> Result<String, WireError> {
        let mut buf = Vec::with_capacity(128);
        loop {
            let available = self
                .stream
                .fill_buf()
                .await
                .map_err(|_| WireError::Dropped)?;
            if available.is_empty() {
                return Err(WireError::Dropped);
            }
            let (take, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            buf.extend_from_slice(&available[..take]);
            self.stream.consume(take);
            if buf.len() > MAX_LINE {
                return Err(WireError::Protocol("reply line too long".into()));
            }
            if done {
                while matches!(buf.last(), Some(b'\n' | b'\r')) {
                    buf.pop();
                }
                return Ok(String::from_utf8_lossy(&buf).into_owned());
            }
        }
    }

    /// Sends one command line and reads the reply.
    pub async fn command(&mut self, line: &str) -> Result<Reply, WireError> {
        self.send(line).await?;
        self.read_reply().await
    }

    pub async fn send(&mut self, line: &str) -> Result<(), WireError> {
        let mut data = Vec::with_capacity(line.len() + 2);
        data.extend_from_slice(line.as_bytes());
        data.extend_from_slice(b"\r\n");
        let stream = self.stream.get_mut();
        tokio::time::timeout(self.timeout, async {
            stream.write_all(&data).await?;
            stream.flush().await
        })
        .await
        .map_err(|_| WireError::Timeout)?
        .map_err(|_| WireError::Dropped)
    }

    /// Upgrades the connection after a `220` to STARTTLS.
    pub async fn start_tls(self, server_name: &str, tls: &TlsConnector) -> Result<Self, WireError> {
        // Bytes buffered before the handshake were sent in the clear after the 220:
        // a STARTTLS command-injection attempt (CVE-2011-0411 class). Refuse.
        if !self.stream.buffer().is_empty() {
            return Err(WireError::Protocol("data after STARTTLS reply".into()));
        }
        let name = ServerName::try_from(server_name.to_string())
            .map_err(|e| WireError::Tls(format!("server name {server_name}: {e}")))?;
        let timeout = self.timeout;
        let inner = self.stream.into_inner();
        let tls_stream = tokio::time::timeout(timeout, tls.connect(name, inner))
            .await
            .map_err(|_| WireError::Timeout)?
            .map_err(|e| WireError::Tls(e.to_string()))?;
        Ok(Connection {
            stream: BufReader::new(Box::new(tls_stream)),
            timeout,
            tls: true,
        })
    }
}

/// The TLS client for STARTTLS, using ring. With no root certificates it accepts any
/// certificate, as MTAs do for opportunistic STARTTLS (the point is privacy on the
/// wire, not authentication); with roots it verifies against them.
pub(crate) fn tls_connector(roots: &[CertificateDer<'static>]) -> Result<TlsConnector, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let config = if roots.is_empty() {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let mut store = rustls::RootCertStore::empty();
        for cert in roots {
            store.add(cert.clone()).map_err(|e| e.to_string())?;
        }
        builder.with_root_certificates(store).with_no_client_auth()
    };
    Ok(TlsConnector::from(Arc::new(config)))
}

#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
