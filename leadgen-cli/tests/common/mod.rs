//! The test harness both CLI test files share: run the built `leadgen` binary on a
//! SQLite file and capture its exit code and output.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// What one run of the binary did.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Stdout parsed as JSON (panics with both streams when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs `leadgen --database-url sqlite://DB ARGS…` with no database or tenant taken
/// from the environment.
pub fn leadgen(db: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_leadgen"))
        .arg("--database-url")
        .arg(format!("sqlite://{}", db.display()))
        .args(args)
        .env_remove("LEADGEN_DATABASE_URL")
        .env_remove("LEADGEN_TENANT")
        .output()
        .expect("run leadgen");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
