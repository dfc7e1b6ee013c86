//! A small scripted SMTP server on 127.0.0.1 (tokio), with optional STARTTLS using a
//! self-signed certificate from rcgen. It records every command it receives.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// How the server behaves.
#[derive(Clone)]
pub struct Script {
    /// The greeting; `None`: accept the connection and never say anything.
    pub greeting: Option<String>,
    /// Offer STARTTLS with this certificate.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Offer SMTPUTF8.
    pub smtputf8: bool,
    /// The reply to MAIL FROM.
    pub mail_from: String,
    /// The reply to each RCPT TO, by the recipient address.
    pub rcpt: Arc<dyn Fn(&str) -> String + Send + Sync>,
    /// Close the connection (without a reply) when a command starts with this.
    pub drop_on: Option<&'static str>,
}

impl Script {
    /// Accepts `good@…`, rejects everything else (a normal server).
    pub fn normal() -> Self {
        Script {
            greeting: Some("220 mx.test ESMTP ready".into()),
            tls: None,
            smtputf8: true,
            mail_from: "250 2.1.0 OK".into(),
            rcpt: Arc::new(|addr: &str| {
                if addr.starts_with("good@") || addr.starts_with("jürgen@") {
                    "250 2.1.5 OK".into()
                } else {
                    "550 5.1.1 The email account that you tried to reach does not exist".into()
                }
            }),
            drop_on: None,
        }
    }

    /// Accepts every recipient.
    pub fn catch_all() -> Self {
        Script {
            rcpt: Arc::new(|_| "250 2.1.5 OK".into()),
            ..Script::normal()
        }
    }

    /// Greylists every recipient.
    pub fn greylist() -> Self {
        Script {
            rcpt: Arc::new(|_| "451 4.7.1 Greylisted, please try again in 120 seconds".into()),
            ..Script::normal()
        }
    }

    /// With STARTTLS offered.
    pub fn with_tls(mut self, config: Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }
}

/// A running server.
pub struct TestSmtp {
    pub addr: SocketAddr,
    pub commands: Arc<Mutex<Vec<String>>>,
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl TestSmtp {
    pub async fn start(script: Script) -> TestSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let commands = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (c, n) = (commands.clone(), connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let script = script.clone();
                let c = c.clone();
                tokio::spawn(async move {
                    let _ = session(Box::new(stream), script, c).await;
                });
            }
        });
        TestSmtp {
            addr,
            commands,
            connections,
            task,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn commands(&self) -> Vec<String> {
        self.commands.lock().unwrap().clone()
    }
}

impl Drop for TestSmtp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(
    stream: Box<dyn Io>,
    script: Script,
    log: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let mut io = BufReader::new(stream);
    let Some(greeting) = &script.greeting else {
        // Never answer: hold the connection open.
        tokio::time::sleep(Duration::from_secs(120)).await;
        return Ok(());
    };
    reply(&mut io, greeting).await?;
    let mut tls_active = false;
    loop {
        let mut line = String::new();
        if io.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        log.lock().unwrap().push(cmd.clone());
        let upper = cmd.to_ascii_uppercase();
        if script.drop_on.is_some_and(|p| upper.starts_with(p)) {
            return Ok(());
        }
        if upper.starts_with("EHLO") {
            let mut lines = vec!["250-mx.test".to_string(), "250-PIPELINING".to_string()];
            if script.tls.is_some() && !tls_active {
                lines.push("250-STARTTLS".into());
            }
            if script.smtputf8 {
                lines.push("250-SMTPUTF8".into());
            }
            lines.push("250 8BITMIME".into());
            reply(&mut io, &lines.join("\r\n")).await?;
        } else if upper.starts_with("HELO") {
            reply(&mut io, "250 mx.test").await?;
        } else if upper == "STARTTLS" {
            let Some(config) = script.tls.clone() else {
                reply(&mut io, "502 5.5.1 not offered").await?;
                continue;
            };
            reply(&mut io, "220 2.0.0 Ready to start TLS").await?;
            let inner = io.into_inner();
            let tls = TlsAcceptor::from(config).accept(inner).await?;
            io = BufReader::new(Box::new(tls));
            tls_active = true;
            log.lock().unwrap().push("<tls established>".into());
        } else if upper.starts_with("MAIL FROM:") {
            reply(&mut io, &script.mail_from).await?;
        } else if upper.starts_with("RCPT TO:") {
            let addr = cmd[8..].trim().trim_start_matches('<');
            let addr = addr.split('>').next().unwrap_or_default().to_string();
            reply(&mut io, &(script.rcpt)(&addr)).await?;
        } else if upper == "DATA" {
            reply(&mut io, "554 5.5.1 this test server never takes DATA").await?;
        } else if upper == "RSET" || upper == "NOOP" {
            reply(&mut io, "250 OK").await?;
        } else if upper == "QUIT" {
            reply(&mut io, "221 2.0.0 Bye").await?;
            return Ok(());
        } else {
            reply(&mut io, "502 5.5.2 unknown command").await?;
        }
    }
}

async fn reply(io: &mut BufReader<Box<dyn Io>>, text: &str) -> std::io::Result<()> {
    let s = io.get_mut();
    s.write_all(text.as_bytes()).await?;
    s.write_all(b"\r\n").await?;
    s.flush().await
}

/// A self-signed certificate for `names` and a server config using it (ring).
pub fn self_signed(names: &[&str]) -> (CertificateDer<'static>, Arc<rustls::ServerConfig>) {
    let ck =
        rcgen::generate_simple_self_signed(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
    let cert = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.clone()], key)
    .unwrap();
    (cert, Arc::new(config))
}
