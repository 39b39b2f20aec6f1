//! Running the real `ibridge` binary against a temporary data directory.

#![allow(dead_code)]

pub mod oidc;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub struct Cli {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
    /// Everything every run printed, for leak scans.
    pub transcript: std::cell::RefCell<String>,
}

impl Default for Cli {
    fn default() -> Self {
        Self::new()
    }
}

impl Cli {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            env: vec![("IBRIDGE_KEYCHAIN".into(), "off".into())],
            transcript: Default::default(),
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "")
    }

    /// `ibridge --data-dir DIR ARGS` with this test's environment only.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ibridge"));
        cmd.arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env_remove("IBRIDGE_MASTER_KEY")
            .env_remove("IBRIDGE_DATA_DIR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        // A run that fails before reading its input (a usage error) closes
        // the pipe early; that is its answer, not a test failure.
        if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
            assert_eq!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe,
                "writing stdin: {e}"
            );
        }
        let output = child.wait_with_output().unwrap();
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        let mut t = self.transcript.borrow_mut();
        t.push_str(&run.stdout);
        t.push_str(&run.stderr);
        run
    }

    /// Starts `ibridge` with stdout and stderr piped, for long-running
    /// commands (`connect`) that the test interacts with.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::null());
        cmd.spawn().unwrap()
    }

    /// Runs and insists on exit 0.
    pub fn ok(&self, args: &[&str], stdin: &str) -> Run {
        let run = self.run_with_stdin(args, stdin);
        assert_eq!(run.code, 0, "ibridge {args:?} failed: {}", run.stderr);
        run
    }

    /// Runs `ibridge --json ARGS`, insists on exit 0, and parses stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut with_json = vec!["--json"];
        with_json.extend_from_slice(args);
        let run = self.ok(&with_json, "");
        serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("ibridge {args:?} printed no JSON ({e}): {}", run.stdout))
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("ibridge.sqlite3")
    }
}

/// Adds a ServiceNow connection with basic auth (user `svc.bridge`).
pub fn add_servicenow_basic(cli: &Cli, name: &str, url: &str) {
    cli.ok(
        &[
            "connections",
            "add",
            "servicenow",
            "--name",
            name,
            "--url",
            url,
            "--auth",
            "basic",
            "--username",
            "svc.bridge",
            "--secret-stdin",
        ],
        "pw\n",
    );
}

/// Adds an Azure DevOps connection with a PAT to project `Ops` of the
/// organisation at `org_url`.
pub fn add_ado_pat(cli: &Cli, name: &str, org_url: &str) {
    cli.ok(
        &[
            "connections",
            "add",
            "azure_devops",
            "--name",
            name,
            "--url",
            org_url,
            "--project",
            "Ops",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        "pat\n",
    );
}
