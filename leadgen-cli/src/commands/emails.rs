//! `leadgen emails check ADDRESS… | --file FILE [--json] [--depth syntax|mx|smtp]
//! [--nameserver IP:PORT]`: validates addresses and prints one result per address,
//! in input order.
//!
//! Exit codes: 0 when every address is `valid`, 1 when any is not (`invalid`,
//! `risky`, `unknown`), 2 on a usage or I/O error.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use leadgen::stages::email::dns::{DnsOptions, HickoryDnsResolver, parse_nameserver};
use leadgen::stages::email::smtp::{SmtpOptions, SmtpProber};
use leadgen::stages::email::{
    Depth, EmailValidator, EmailVerification, ValidatorOptions, VerificationStatus,
};

/// `leadgen emails …`
#[derive(Debug, Args)]
pub struct EmailsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: EmailsCommand,
}

/// The `emails` subcommands.
#[derive(Debug, Subcommand)]
pub enum EmailsCommand {
    /// Validate addresses: syntax and flags (offline), MX, or an SMTP probe.
    Check(CheckArgs),
}

/// How deep `emails check` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DepthArg {
    /// Syntax, normalization, disposable/role/free-mail flags. Offline.
    Syntax,
    /// Plus the domain's mail hosts (DNS).
    Mx,
    /// Plus an SMTP probe of the recipient (never sends mail).
    Smtp,
}

impl From<DepthArg> for Depth {
    fn from(d: DepthArg) -> Self {
        match d {
            DepthArg::Syntax => Depth::Syntax,
            DepthArg::Mx => Depth::Mx,
            DepthArg::Smtp => Depth::Smtp,
        }
    }
}

/// `leadgen emails check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Addresses to check.
    #[arg(value_name = "ADDRESS", required_unless_present = "file")]
    pub addresses: Vec<String>,
    /// A file with one address per line (blank lines skipped).
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// One JSON object per line: address, status, reasons, normalized, flags, ….
    #[arg(long)]
    pub json: bool,
    /// How deep to check.
    #[arg(long, value_enum, default_value = "syntax")]
    pub depth: DepthArg,
    /// DNS server as IP:PORT (repeatable); default: /etc/resolv.conf.
    #[arg(long = "nameserver", value_name = "IP:PORT")]
    pub nameservers: Vec<String>,
    /// Seconds allowed for each DNS attempt and each SMTP reply.
    #[arg(long, default_value_t = 5)]
    pub timeout: u64,
    /// Addresses checked at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// SMTP port of the mail hosts (for tests against a local server).
    #[arg(long, default_value_t = 25)]
    pub smtp_port: u16,
    /// Name sent in EHLO.
    #[arg(long, default_value = "localhost")]
    pub helo: String,
    /// Address sent in MAIL FROM (empty: the null sender).
    #[arg(long, default_value = "")]
    pub mail_from: String,
    /// Extra disposable domains, one per line, added to the bundled list.
    #[arg(long, value_name = "FILE")]
    pub disposable_list: Option<PathBuf>,
}

/// Runs `leadgen emails …`, writing results to `out` and errors to `err`.
pub async fn run(args: EmailsArgs, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    match args.command {
        EmailsCommand::Check(check) => match check_command(check, out).await {
            Ok(code) => code,
            Err(message) => {
                let _ = writeln!(err, "leadgen emails check: {message}");
                ExitCode::from(2)
            }
        },
    }
}

/// [`run`] on a runtime of its own (for a synchronous `main`).
pub fn run_blocking(args: EmailsArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("leadgen emails: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr();
    runtime.block_on(run(args, &mut stdout, &mut stderr))
}

/// The addresses of a file: one per line, invalid UTF-8 kept (as U+FFFD, which the
/// validator rejects with a reason) rather than failing the whole file.
fn read_addresses(path: &PathBuf) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(bytes
        .split(|&b| b == b'\n')
        .map(|line| String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line)).into_owned())
        .filter(|line| !line.trim().is_empty())
        .collect())
}

fn build_validator(check: &CheckArgs) -> Result<EmailValidator, String> {
    let depth: Depth = check.depth.into();
    let mut validator = EmailValidator::offline(
        ValidatorOptions::default()
            .with_depth(depth)
            .with_concurrency(check.concurrency),
    );
    if let Some(path) = &check.disposable_list {
        validator
            .flag_rules()
            .disposable
            .extend_from_file(path)
            .map_err(|e| e.to_string())?;
    }
    if depth == Depth::Syntax {
        return Ok(validator);
    }
    let nameservers = check
        .nameservers
        .iter()
        .map(|n| parse_nameserver(n).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let timeout = Duration::from_secs(check.timeout.max(1));
    let dns = HickoryDnsResolver::new(
        DnsOptions::default()
            .with_nameservers(nameservers)
            .with_timeout(timeout),
    )
    .map_err(|e| e.to_string())?;
    validator = validator.with_dns(Arc::new(dns.clone()));
    if depth == Depth::Smtp {
        let prober = SmtpProber::new(
            SmtpOptions::default()
                .with_port(check.smtp_port)
                .with_timeouts(timeout * 2, timeout, timeout * 6)
                .with_identity(check.helo.clone(), check.mail_from.clone()),
            Arc::new(dns),
        );
        validator = validator.with_smtp(Arc::new(prober));
    }
    Ok(validator)
}

async fn check_command(check: CheckArgs, out: &mut dyn Write) -> Result<ExitCode, String> {
    let mut addresses = check.addresses.clone();
    if let Some(path) = &check.file {
        addresses.extend(read_addresses(path)?);
    }
    let validator = build_validator(&check)?;
    let mut all_valid = true;
    // Chunks keep memory flat for big files while results stay in input order.
    for chunk in addresses.chunks(4096) {
        let results = validator.validate_many(chunk).await;
        for r in &results {
            all_valid &= r.status == VerificationStatus::Valid;
            print_result(out, r, check.json).map_err(|e| format!("writing output: {e}"))?;
        }
    }
    out.flush().map_err(|e| format!("writing output: {e}"))?;
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_result(out: &mut dyn Write, r: &EmailVerification, json: bool) -> std::io::Result<()> {
    if json {
        let line = serde_json::to_string(r).map_err(std::io::Error::other)?;
        return writeln!(out, "{line}");
    }
    let reasons: Vec<String> = r.reasons.iter().map(|x| x.code()).collect();
    let shown = r.normalized.as_deref().unwrap_or(&r.address);
    let printable: String = shown
        .chars()
        .take(120)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    writeln!(
        out,
        "{:<8} {printable}{}{}",
        r.status.as_str(),
        if reasons.is_empty() { "" } else { "  " },
        reasons.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// `leadgen emails …` parsed on its own, as the real parser embeds it.
    #[derive(Debug, clap::Parser)]
    struct StandaloneCli {
        #[command(subcommand)]
        command: StandaloneCommand,
    }

    #[derive(Debug, Subcommand)]
    enum StandaloneCommand {
        Emails(EmailsArgs),
    }

    async fn run_cli(argv: &[&str]) -> (ExitCode, String, String) {
        let cli =
            StandaloneCli::try_parse_from(std::iter::once("leadgen").chain(argv.iter().copied()))
                .expect("parse");
        let StandaloneCommand::Emails(args) = cli.command;
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(args, &mut out, &mut err).await;
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[tokio::test]
    async fn json_lines_in_input_order() {
        let (code, out, _) = run_cli(&[
            "emails",
            "check",
            "--json",
            "Jana@Acme.CZ",
            "bad@@x",
            "info@mailinator.com",
        ])
        .await;
        assert_eq!(code, ExitCode::from(1));
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["address"], "Jana@Acme.CZ");
        assert_eq!(lines[0]["status"], "valid");
        assert_eq!(lines[0]["normalized"], "Jana@acme.cz");
        assert_eq!(lines[0]["disposable"], false);
        assert_eq!(lines[1]["status"], "invalid");
        assert_eq!(lines[1]["reasons"][0], "syntax.local_part_invalid_char");
        assert_eq!(lines[2]["status"], "risky");
        assert_eq!(lines[2]["disposable"], true);
        assert_eq!(lines[2]["role_account"], true);
    }

    #[tokio::test]
    async fn file_input_with_invalid_utf8_and_blank_lines() {
        let dir = std::env::temp_dir().join(format!("leadgen-cli-emails-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("list.txt");
        std::fs::write(
            &file,
            b"jana@acme.cz\r\n\n  \nja\xffna@acme.cz\nnul\x00@acme.cz\n",
        )
        .unwrap();
        let (code, out, _) = run_cli(&["emails", "check", "--file", file.to_str().unwrap()]).await;
        assert_eq!(code, ExitCode::from(1));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[0].starts_with("valid    jana@acme.cz"));
        assert!(lines[1].starts_with("invalid") && lines[1].contains("syntax.unsafe_unicode"));
        assert!(lines[2].contains("syntax.unsafe_unicode"));
        let (code, _, err) = run_cli(&["emails", "check", "--file", "/nonexistent/x.txt"]).await;
        assert_eq!(code, ExitCode::from(2));
        assert!(err.contains("/nonexistent/x.txt"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn bad_nameserver_is_a_usage_error() {
        let (code, _, err) = run_cli(&[
            "emails",
            "check",
            "--depth",
            "mx",
            "--nameserver",
            "not-an-ip",
            "jana@acme.cz",
        ])
        .await;
        assert_eq!(code, ExitCode::from(2));
        assert!(err.contains("not-an-ip"), "{err}");
    }

    #[tokio::test]
    async fn all_valid_exits_zero() {
        let (code, out, _) = run_cli(&["emails", "check", "jana@acme.cz"]).await;
        assert_eq!(code, ExitCode::SUCCESS);
        assert_eq!(out.trim_end(), "valid    jana@acme.cz");
    }
}
