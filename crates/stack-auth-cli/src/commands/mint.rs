//! `stack-auth mint`: prints a token signed with the keys a server secret derives.

use clap::Args;
use stack_auth_core::DEFAULT_BASE_URL;
use stack_auth_testkit::{random_uuid, TokenMinter, DEFAULT_TOKEN_LIFETIME};

use crate::humanize;
use crate::outcome::{Exit, Failure};
use crate::output::print_text;
use crate::secret::ServerSecret;
use crate::user_kind::UserKind;

/// Arguments of `stack-auth mint`.
#[derive(Debug, Args)]
#[command(
    after_help = "The token is signed with the key Stack Auth signs with today, derived \
                        from the server secret, and carries the issuer and audience Stack Auth \
                        would set for --base-url and --project. To verify it against \
                        `stack-auth serve`, use the secret and base URL of that stand-in; for \
                        `verify --strategy rest`, seed the same user id with `serve --user`."
)]
pub(crate) struct MintArgs {
    /// The server secret (`HEXCLAVE_SERVER_SECRET` or `STACK_SERVER_SECRET`, base64url) the
    /// signing keys derive from.
    #[arg(
        long,
        env = "STACK_SERVER_SECRET",
        hide_env_values = true,
        allow_hyphen_values = true,
        value_name = "SECRET"
    )]
    secret: ServerSecret,

    /// The project the token is for.
    #[arg(
        long,
        visible_alias = "project-id",
        env = "STACK_PROJECT_ID",
        value_name = "ID"
    )]
    project: String,

    /// The base URL of the deployment that issues the token (it sets the issuer: e.g.
    /// `https://api.hexclave.com` for a token the hosted service issued to a client of that
    /// host).
    #[arg(long, env = "STACK_API_URL", default_value = DEFAULT_BASE_URL, value_name = "URL")]
    base_url: String,

    /// The user: a UUID (the `sub`), or a name (its `sub` is the UUID `serve --user NAME`
    /// gives it, and it is the display name); a random UUID when omitted.
    #[arg(long, value_name = "ID")]
    user: Option<String>,

    /// The user's type.
    #[arg(long = "type", value_enum, default_value_t, value_name = "TYPE")]
    kind: UserKind,

    /// The user's email (default `<ID>@example.com`; anonymous users have none).
    #[arg(long, value_name = "EMAIL")]
    email: Option<String>,

    /// Expiry: a Unix time (`4102444800`), or a time relative to now (`+10m`, `-3h`, `90s`;
    /// negative mints an expired token). Default: 10 minutes from now, like Stack Auth.
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true, value_parser = parse_exp)]
    exp: Option<Expiry>,
}

/// When the token expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// At this Unix time.
    At(i64),
    /// This many seconds from now (negative: in the past).
    In(i64),
}

fn parse_exp(s: &str) -> Result<Expiry, String> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map(Expiry::At).map_err(|e| format!("{e}"));
    }
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'-') => (-1, &s[1..]),
        Some(b'+') => (1, &s[1..]),
        _ => (1, s),
    };
    let d = humantime::parse_duration(rest)
        .map_err(|e| format!("expected a Unix time or a duration like +10m or -3h: {e}"))?;
    let secs = i64::try_from(d.as_secs()).map_err(|_| "too far away".to_owned())?;
    Ok(Expiry::In(sign * secs))
}

impl Expiry {
    fn at(self, now: i64) -> i64 {
        match self {
            Expiry::At(t) => t,
            Expiry::In(secs) => now.saturating_add(secs),
        }
    }
}

/// Runs `stack-auth mint`.
pub(crate) fn run(args: &MintArgs) -> Exit {
    match mint(args) {
        Ok(token) => {
            print_text(&format!("{token}\n"));
            Exit::Ok
        }
        Err(failure) => {
            eprintln!("error: {failure}");
            failure.exit()
        }
    }
}

fn mint(args: &MintArgs) -> Result<String, Failure> {
    let minter = TokenMinter::new(
        args.secret.expose(),
        args.base_url.clone(),
        args.project.clone(),
    )
    .map_err(|e| Failure::config(format!("cannot mint: {e}")))?;
    let id = args.user.clone().unwrap_or_else(random_uuid);
    let user = minter
        .user(args.kind.spec(&id, args.email.as_deref()))
        .map_err(|e| Failure::config(format!("cannot mint: {e}")))?;
    let mut token = minter.token(&user);
    if let Some(exp) = args.exp {
        let now = humanize::now();
        let exp = exp.at(now);
        // An already expired token was issued one lifetime before it expired, like a real one.
        let lifetime = i64::try_from(DEFAULT_TOKEN_LIFETIME.as_secs()).unwrap_or(600);
        let iat = if exp > now {
            now
        } else {
            exp.saturating_sub(lifetime)
        };
        token = token.expires_at(exp).issued_at(iat);
    }
    Ok(token.mint())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiries_parse_as_unix_times_or_offsets() {
        assert_eq!(parse_exp("4102444800"), Ok(Expiry::At(4_102_444_800)));
        assert_eq!(parse_exp("+10m"), Ok(Expiry::In(600)));
        assert_eq!(parse_exp("-3h"), Ok(Expiry::In(-10_800)));
        assert_eq!(parse_exp("90s"), Ok(Expiry::In(90)));
        assert!(parse_exp("soon").is_err());
        assert!(parse_exp("").is_err());
        assert_eq!(Expiry::In(-60).at(1_000), 940);
        assert_eq!(Expiry::At(5).at(1_000), 5);
    }
}
