//! Stack Auth's own published JS server SDK (`@stackframe/js`, pinned in `interop-js/`), driven
//! by `interop-js/run.mjs`: one JSON command in, one JSON answer out (see that file). Installs
//! the pinned packages with `npm ci` the first time when `interop-js/node_modules` is missing;
//! needs `node` (20 or later) and `npm` on the PATH.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;

use serde_json::{json, Value};
use stack_auth_testkit::LocalStackAuth;
use tokio::io::AsyncWriteExt;

/// The harness directory at the repository root.
pub fn harness_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../interop-js")
}

/// Runs `npm ci` once per process when the pinned packages are not installed.
fn ensure_installed() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let dir = harness_dir();
        if dir
            .join("node_modules/@stackframe/js/package.json")
            .exists()
        {
            return;
        }
        let out = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run `npm ci` in {}: {e} (node and npm are needed)",
                    dir.display()
                )
            });
        assert!(
            out.status.success(),
            "`npm ci` failed in {}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

/// The official SDK's answer to a command.
#[derive(Debug)]
pub struct Answer {
    /// One result per step: the step's output, or `{"error": {...}}`.
    pub results: Vec<Value>,
    /// Requests the SDK tried outside the stand-in (refused by the harness).
    pub refused_requests: Vec<String>,
}

/// Runs `steps` in one `node` process (the SDK loads once) and returns their results.
pub async fn run(steps: Vec<Value>) -> Answer {
    ensure_installed();
    let mut child = tokio::process::Command::new("node")
        .arg("run.mjs")
        .current_dir(harness_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("cannot run node (20 or later is needed)");
    let command = json!({ "steps": steps }).to_string();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(command.as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the JS harness failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    Answer {
        results: answer["results"].as_array().unwrap().clone(),
        refused_requests: answer["refusedRequests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap().to_owned())
            .collect(),
    }
}

/// The `app` of a step: a `StackServerApp` of `stack`'s default project.
pub fn app(stack: &LocalStackAuth) -> Value {
    json!({
        "projectId": stack.project_id(),
        "secretServerKey": stack.secret_server_key().expose(),
        "baseUrl": stack.base_url(),
    })
}
