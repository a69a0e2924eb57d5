//! What `verify` verifies: the token given, or the one a whole request's headers carry
//! (`--headers`), extracted as the SDK's server-side helpers extract it.

use std::io::Read;
use std::path::Path;

use serde_json::json;
use stack_auth_core::{extract_token, ExtractError, TokenSource};

use crate::outcome::{Exit, Failure};
use crate::output::{print_json, print_text, OutputFormat};
use crate::request_headers;
use crate::token_input::read_token;

/// The token to verify and, with `--headers`, where in the request it was found.
#[derive(Debug)]
pub(crate) struct Input {
    /// The token.
    pub(crate) token: String,
    /// The source it came from (`None`: given directly).
    pub(crate) source: Option<TokenSource>,
}

/// Why there is nothing to verify.
#[derive(Debug)]
pub(crate) enum NoInput {
    /// The input cannot be read (exit 2).
    Failure(Failure),
    /// The headers carry no token, or one that cannot be read: a refusal (exit 1), as the
    /// server would refuse the request.
    Refused {
        /// The refusal label (`missing_token`, `invalid_request`).
        reason: &'static str,
        /// What is wrong, for a person.
        message: String,
        /// The source that could not be read.
        source: Option<TokenSource>,
    },
}

impl From<Failure> for NoInput {
    fn from(f: Failure) -> Self {
        NoInput::Failure(f)
    }
}

/// The token of `token` (an argument, or standard input), or of the request headers in the
/// file `headers` (`-`: standard input).
pub(crate) fn read(token: Option<&str>, headers: Option<&Path>) -> Result<Input, NoInput> {
    let Some(path) = headers else {
        let token = read_token(token)?;
        return Ok(Input {
            token,
            source: None,
        });
    };
    let raw = read_file(path)?;
    let map = request_headers::parse(&raw)
        .map_err(|e| Failure::config(format!("cannot read the request headers: {e}")))?;
    match extract_token(&map) {
        Ok(Some(found)) => Ok(Input {
            source: Some(found.source()),
            token: found.into_string(),
        }),
        Ok(None) => Err(NoInput::Refused {
            reason: "missing_token",
            message: "the request carries no access token (looked at x-hexclave-access-token, \
                      x-stack-access-token, authorization, x-stack-auth and the hexclave-access \
                      and stack-access cookies)"
                .to_owned(),
            source: None,
        }),
        Err(e) => Err(NoInput::Refused {
            reason: "invalid_request",
            message: unreadable(&e),
            source: Some(e.source_kind()),
        }),
    }
}

/// What a server answers an unreadable token source with (400 `invalid_request`), and why.
fn unreadable(e: &ExtractError) -> String {
    format!("{e}; a server answers 400 invalid_request")
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    let limit = request_headers::MAX_HEADERS_LEN as u64 + 1;
    let mut raw = Vec::new();
    let result = if path == Path::new("-") {
        std::io::stdin().lock().take(limit).read_to_end(&mut raw)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut raw))
    };
    result.map_err(|e| {
        Failure::config(format!(
            "cannot read the request headers from {}: {e}",
            path.display()
        ))
    })?;
    Ok(raw)
}

/// Prints why there is nothing to verify and returns the exit code.
pub(crate) fn report(format: OutputFormat, no_input: &NoInput) -> Exit {
    match no_input {
        NoInput::Failure(f) => crate::output::report_failure(format, f),
        NoInput::Refused {
            reason,
            message,
            source,
        } => {
            match format {
                OutputFormat::Json => print_json(&json!({
                    "ok": false,
                    "reason": reason,
                    "message": message,
                    "source": source.map(TokenSource::label),
                })),
                OutputFormat::Text => print_text(&format!("✘ refused: {reason} ({message})\n")),
            }
            Exit::Refused
        }
    }
}

/// A person's name for `source`: the header or cookie, and the format for `Authorization`.
pub(crate) fn describe(source: TokenSource) -> String {
    match source {
        TokenSource::AuthorizationBearerAuthJson => {
            "authorization (Bearer stackauth_/hexclave_ auth JSON, from getAuthorizationHeader())"
                .to_owned()
        }
        TokenSource::AuthorizationBearer => "authorization (Bearer token)".to_owned(),
        other => other.name().to_owned(),
    }
}
