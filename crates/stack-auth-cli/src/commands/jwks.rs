//! `stack-auth jwks`: fetches a project's JSON Web Key Set and shows it with its cache headers.

use std::time::Duration;

use clap::{Args, ValueEnum};
use serde_json::{json, Map, Value};
use stack_auth_core::{StackAuthConfig, DEFAULT_BASE_URL};

use crate::humanize;
use crate::outcome::{Exit, Failure};
use crate::output::{print_json, print_text, report_failure, OutputFormat};

/// The largest key set read (real ones are under 2 KiB).
const MAX_BYTES: usize = 1024 * 1024;

/// The response headers shown, in this order.
const SHOWN_HEADERS: [&str; 7] = [
    "cache-control",
    "age",
    "expires",
    "etag",
    "last-modified",
    "date",
    "content-type",
];

/// Arguments of `stack-auth jwks`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 fetched, 2 usage error or unknown project, 3 the \
                        endpoint is unavailable or answered something that is not a key set."
)]
pub(crate) struct JwksArgs {
    /// The project whose keys to fetch.
    #[arg(long, env = "STACK_PROJECT_ID", value_name = "ID")]
    project_id: String,

    /// The Stack Auth API base URL.
    #[arg(long, env = "STACK_API_URL", default_value = DEFAULT_BASE_URL, value_name = "URL")]
    base_url: String,

    /// Which keys: normal users' only, also restricted users', or also anonymous users' (the
    /// full set, which is what the verifiers fetch).
    #[arg(long, value_enum, default_value_t = Include::Anonymous)]
    include: Include,

    /// How to print the answer.
    #[arg(long, value_enum, default_value_t)]
    output: OutputFormat,

    /// How long the fetch may take, e.g. `5s`.
    #[arg(long, default_value = "5s", value_name = "DURATION", value_parser = humantime::parse_duration)]
    timeout: Duration,
}

/// Which user types' keys to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Include {
    /// Normal users' keys only (no query string).
    Normal,
    /// `?include_restricted=true`.
    Restricted,
    /// `?include_anonymous=true` (all three types).
    Anonymous,
}

/// Runs `stack-auth jwks`.
pub(crate) async fn run(args: JwksArgs) -> Exit {
    match fetch(&args).await {
        Ok(fetched) => {
            match args.output {
                OutputFormat::Json => print_json(&fetched),
                OutputFormat::Text => print_text(&to_text(&fetched)),
            }
            Exit::Ok
        }
        Err(failure) => report_failure(args.output, &failure),
    }
}

/// `{"url","status","headers":{..},"jwks":{..}}`.
async fn fetch(args: &JwksArgs) -> Result<Value, Failure> {
    let config = StackAuthConfig::builder(args.project_id.clone())
        .base_url(args.base_url.clone())
        .build()?;
    let url = match args.include {
        Include::Normal => config.jwks_url(),
        Include::Restricted => format!("{}?include_restricted=true", config.jwks_url()),
        Include::Anonymous => format!("{}?include_anonymous=true", config.jwks_url()),
    };
    let client = reqwest::Client::builder()
        .timeout(args.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("stack-auth-cli/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Failure::config(format!("cannot build the HTTP client: {e}")))?;
    let mut response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| Failure::unavailable(format!("GET {url} failed: {}", error_chain(&e))))?;
    let status = response.status().as_u16();
    let mut headers = Map::new();
    for name in SHOWN_HEADERS {
        if let Some(v) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            headers.insert(name.to_owned(), Value::from(v));
        }
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Failure::unavailable(format!("reading {url} failed: {}", error_chain(&e))))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            return Err(Failure::unavailable(format!(
                "{url} answered more than 1 MiB"
            )));
        }
    }
    check_status(&url, status, &body)?;
    let jwks: Value = serde_json::from_slice(&body)
        .ok()
        .filter(|v: &Value| v.get("keys").is_some_and(Value::is_array))
        .ok_or_else(|| Failure::unavailable(format!("{url} did not answer a key set")))?;
    Ok(json!({ "url": url, "status": status, "headers": headers, "jwks": jwks }))
}

fn check_status(url: &str, status: u16, body: &[u8]) -> Result<(), Failure> {
    // Server text reaches a terminal: control characters (escape sequences) are dropped.
    let text: String = String::from_utf8_lossy(body)
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    match status {
        200 => Ok(()),
        404 => Err(Failure::misconfigured(format!(
            "{url} answered 404 ({}): is the project id right?",
            text.trim()
        ))),
        400..=499 => Err(Failure::config(format!(
            "{url} answered {status}: {}",
            text.trim()
        ))),
        _ => Err(Failure::unavailable(format!(
            "{url} answered {status}: {}",
            text.trim()
        ))),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(&format!(": {s}"));
        source = s.source();
    }
    out
}

fn to_text(fetched: &Value) -> String {
    let mut out = format!(
        "GET {}\nstatus         {}\n",
        fetched["url"].as_str().unwrap_or(""),
        fetched["status"]
    );
    if let Some(headers) = fetched["headers"].as_object() {
        for (name, value) in headers {
            let value = value.as_str().unwrap_or_default();
            out.push_str(&format!("{name:<14} {value}"));
            if name == "cache-control" {
                if let Some(max_age) = max_age(value) {
                    out.push_str(&format!(
                        "  (fresh for {})",
                        humanize::amount(u128::from(max_age))
                    ));
                }
            }
            out.push('\n');
        }
    }
    let keys = fetched["jwks"]["keys"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    out.push_str(&format!(
        "{} key{}:\n",
        keys.len(),
        if keys.len() == 1 { "" } else { "s" }
    ));
    for key in keys {
        let field = |name: &str| {
            key.get(name)
                .and_then(Value::as_str)
                .unwrap_or("-")
                .chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect::<String>()
        };
        out.push_str(&format!(
            "  kid {:<16} {} {} {}\n",
            field("kid"),
            field("kty"),
            field("crv"),
            field("alg")
        ));
    }
    out
}

/// The `max-age` of a `Cache-Control` value, in seconds.
fn max_age(cache_control: &str) -> Option<u64> {
    cache_control.split(',').find_map(|directive| {
        let (name, value) = directive.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| value.trim().parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_any_position() {
        assert_eq!(max_age("public, max-age=3600"), Some(3600));
        assert_eq!(max_age("Max-Age=60, public"), Some(60));
        assert_eq!(max_age("no-store"), None);
        assert_eq!(max_age("max-age=soon"), None);
    }

    #[test]
    fn statuses_map_to_exit_codes() {
        assert!(check_status("u", 200, b"").is_ok());
        assert_eq!(
            check_status("u", 404, b"Project not found")
                .unwrap_err()
                .exit(),
            Exit::Config
        );
        assert_eq!(
            check_status("u", 400, b"").unwrap_err().exit(),
            Exit::Config
        );
        assert_eq!(
            check_status("u", 503, b"").unwrap_err().exit(),
            Exit::Unavailable
        );
    }
}
