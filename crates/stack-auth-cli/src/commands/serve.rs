//! `stack-auth serve`: runs the local Stack Auth stand-in until interrupted.

use clap::Args;
use stack_auth_core::SecretServerKey;
use stack_auth_core::ServerUser;
use stack_auth_testkit::{
    random_secret, random_uuid, ApiKeySpec, LocalStackAuth, ProjectSpec, TeamSpec, TestkitError,
};

use super::server_args::secret_server_key;
use crate::outcome::{Exit, Failure};
use crate::output::print_text;
use crate::secret::ServerSecret;
use crate::user_kind::SeedUser;

/// Arguments of `stack-auth serve`.
#[derive(Debug, Args)]
#[command(
    after_help = "Standard output, before anything else: the base URL on the first \
                        line; then `project <ID> secret-server-key <KEY>` for each project \
                        (`(as given)` instead of a key passed with --secret-server-key), \
                        `user <ID> <TYPE> <PROJECT> [NAME]` for each seeded user (a user \
                        given by name gets a UUID id, the same one `mint --user NAME` uses), and \
                        `team <ID> <NAME>` for --team, `api-key <KEY> user|team <OWNER>` for \
                        each key --api-keys created, `webhook-secret <PROJECT> <WHSEC>` with \
                        --webhook-url, and `secret <SECRET>` if the secret was generated; \
                        then `ready`. The stand-in serves the JWKS, users/me and the server \
                        APIs (users, API keys, teams, permissions, sessions) as Stack Auth \
                        does, and sends signed webhooks; mint tokens for it \
                        with `stack-auth mint --secret .. --base-url <URL>`. With a real \
                        deployment's secret, its keys are that deployment's keys."
)]
pub(crate) struct ServeArgs {
    /// The server secret (`HEXCLAVE_SERVER_SECRET` or `STACK_SERVER_SECRET`, base64url) keys
    /// derive from; random (and printed) when omitted.
    #[arg(
        long,
        env = "STACK_SERVER_SECRET",
        hide_env_values = true,
        allow_hyphen_values = true,
        value_name = "SECRET"
    )]
    secret: Option<ServerSecret>,

    /// A project to host (repeat for more; seeded users go to the first unless they name
    /// another). A random UUID when none is given.
    #[arg(long = "project", value_name = "ID")]
    projects: Vec<String>,

    /// The secret server key every project accepts; when omitted, each project gets a
    /// random `ssk_…` key, printed at start.
    #[arg(
        long,
        env = "STACK_SECRET_SERVER_KEY",
        hide_env_values = true,
        allow_hyphen_values = true,
        value_name = "KEY",
        value_parser = secret_server_key
    )]
    secret_server_key: Option<SecretServerKey>,

    /// A user to create (repeat for more): ID is a UUID or a name (which gets a UUID id derived
    /// from it, and is the display name); TYPE is normal (default), restricted,
    /// restricted-by-admin or anonymous; PROJECT defaults to the first. Users that are not
    /// anonymous get the email `<ID>@example.com`, as `stack-auth mint` does.
    #[arg(long = "user", value_name = "ID[:TYPE[:PROJECT]]")]
    users: Vec<SeedUser>,

    /// The port to listen on (127.0.0.1); an OS-assigned one when omitted.
    #[arg(long, value_name = "PORT")]
    port: Option<u16>,

    /// Enables user and team API keys in every project (off by default, as on the real
    /// service) and creates one secret key for each seeded user that is not anonymous, and
    /// one for the --team.
    #[arg(long)]
    api_keys: bool,

    /// Creates a team of this name in the first project: its first seeded user is the
    /// creator (`team_admin`), the other users of that project are members (`team_member`).
    #[arg(long, value_name = "NAME")]
    team: Option<String>,

    /// POSTs every project's webhooks (signed, Svix headers) to this URL; each project's
    /// `whsec_` secret is printed.
    #[arg(long, value_name = "URL")]
    webhook_url: Option<String>,
}

/// Runs `stack-auth serve` until Ctrl-C or SIGTERM.
pub(crate) async fn run(args: ServeArgs) -> Exit {
    let signals = StopSignals::register();
    let stack = match start(&args).await {
        Ok(stack) => stack,
        Err(failure) => {
            eprintln!("error: {failure}");
            return failure.exit();
        }
    };
    eprintln!(
        "stack-auth stand-in running at {}; press Ctrl-C to stop",
        stack.base_url()
    );
    let stopped_by = signals.wait().await;
    stack.shutdown().await;
    eprintln!("stand-in stopped ({stopped_by})");
    Exit::Ok
}

async fn start(args: &ServeArgs) -> Result<LocalStackAuth, Failure> {
    let generated_secret = args.secret.is_none().then(random_secret);
    let secret = args
        .secret
        .as_ref()
        .map(|s| s.expose().to_owned())
        .or_else(|| generated_secret.clone());
    let mut projects = args.projects.clone();
    if projects.is_empty() {
        projects.push(random_uuid());
    }
    let mut builder = LocalStackAuth::builder();
    if let Some(secret) = secret {
        builder = builder.secret(secret);
    }
    if let Some(port) = args.port {
        builder = builder.port(port);
    }
    for id in &projects {
        let mut spec = ProjectSpec::new(id.clone())
            .user_api_keys(args.api_keys)
            .team_api_keys(args.api_keys);
        if let Some(key) = &args.secret_server_key {
            spec = spec.secret_server_key(key.clone());
        }
        if let Some(url) = &args.webhook_url {
            spec = spec.webhook_endpoint(url.clone());
        }
        builder = builder.project(spec);
    }
    let stack = builder
        .start()
        .await
        .map_err(|e| Failure::config(e.to_string()))?;
    let mut banner = format!("{}\n", stack.base_url());
    for id in &projects {
        let key = match &args.secret_server_key {
            Some(_) => "(as given)".to_owned(),
            None => stack
                .secret_server_key_of(id)
                .map_err(|e| Failure::config(e.to_string()))?
                .expose()
                .to_owned(),
        };
        banner.push_str(&format!("project {id} secret-server-key {key}\n"));
    }
    let mut seeded = Vec::new();
    for user in &args.users {
        let project = user.project.as_deref().unwrap_or(&projects[0]);
        let created = stack
            .create_user_in(project, user.kind.spec(&user.id, None))
            .map_err(|e| Failure::config(format!("cannot create user {}: {e}", user.id)))?;
        seeded.push((project.to_owned(), created.clone()));
        let name = if created.id == user.id {
            String::new()
        } else {
            format!(" {}", user.id)
        };
        banner.push_str(&format!(
            "user {} {} {project}{name}\n",
            created.id,
            user.kind.label()
        ));
    }
    banner.push_str(&seed_extras(&stack, args, &projects, &seeded)?);
    if let Some(secret) = generated_secret {
        banner.push_str(&format!("secret {secret}\n"));
    }
    banner.push_str("ready\n");
    // If nobody reads standard output any more, the stand-in still serves.
    print_text(&banner);
    Ok(stack)
}

/// The team, API keys and webhook secrets asked for, as banner lines.
fn seed_extras(
    stack: &LocalStackAuth,
    args: &ServeArgs,
    projects: &[String],
    seeded: &[(String, ServerUser)],
) -> Result<String, Failure> {
    let fail = |e: TestkitError| Failure::config(e.to_string());
    let mut lines = String::new();
    let mut team_id = None;
    if let Some(name) = &args.team {
        let mut members = seeded
            .iter()
            .filter(|(p, _)| *p == projects[0])
            .map(|(_, u)| &u.id);
        let mut spec = TeamSpec::new(name.clone());
        if let Some(creator) = members.next() {
            spec = spec.creator(creator.clone());
        }
        for member in members {
            spec = spec.member(member.clone());
        }
        let team = stack.create_team_in(&projects[0], spec).map_err(fail)?;
        lines.push_str(&format!("team {} {name}\n", team.id));
        team_id = Some(team.id);
    }
    if args.api_keys {
        let owners = seeded
            .iter()
            .filter(|(_, u)| !u.is_anonymous)
            .map(|(_, u)| ApiKeySpec::user(u.id.clone()).description("stack-auth serve"))
            .chain(team_id.map(|t| ApiKeySpec::team(t).description("stack-auth serve")));
        for spec in owners {
            let key = stack.create_api_key(spec).map_err(fail)?;
            let owner = key.api_key();
            lines.push_str(&format!(
                "api-key {} {} {}\n",
                key.key(),
                owner.key_type.as_str(),
                owner.owner_id
            ));
        }
    }
    if args.webhook_url.is_some() {
        for id in projects {
            let secret = stack.webhook_secret_of(id).map_err(fail)?;
            lines.push_str(&format!("webhook-secret {id} {}\n", secret.expose()));
        }
    }
    Ok(lines)
}

/// The signals that stop `serve`, registered before the stand-in starts so that one arriving
/// right after the banner is not missed.
#[derive(Debug)]
struct StopSignals {
    #[cfg(unix)]
    unix: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    fn register() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let interrupt = signal(SignalKind::interrupt());
            let terminate = signal(SignalKind::terminate());
            StopSignals {
                unix: interrupt.and_then(|i| terminate.map(|t| (i, t))).ok(),
            }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    /// Waits for Ctrl-C (or SIGTERM on Unix) and says which.
    async fn wait(self) -> &'static str {
        #[cfg(unix)]
        if let Some((mut interrupt, mut terminate)) = self.unix {
            return tokio::select! {
                _ = interrupt.recv() => "interrupted",
                _ = terminate.recv() => "terminated",
            };
        }
        match tokio::signal::ctrl_c().await {
            Ok(()) => "interrupted",
            // Without signal handling, run until killed.
            Err(_) => std::future::pending().await,
        }
    }
}
