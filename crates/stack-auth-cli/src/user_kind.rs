//! The kinds of user `serve` seeds and `mint` mints for, and the `--user` syntax of `serve`.

use std::str::FromStr;

use clap::ValueEnum;
use stack_auth_core::RestrictedReason;
use stack_auth_testkit::UserSpec;

/// A user type, with the restriction reason for restricted users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum UserKind {
    /// A regular user with a verified email.
    #[default]
    Normal,
    /// A restricted user whose email is not verified (`email_not_verified`).
    Restricted,
    /// A user an administrator restricted (`restricted_by_administrator`).
    RestrictedByAdmin,
    /// An anonymous user (no email; restricted with reason `anonymous`).
    Anonymous,
}

impl UserKind {
    /// The user `id` of this kind; named users get `email`, by default `<id>@example.com`, so
    /// a token minted by `mint` and the profile seeded by `serve` agree.
    pub(crate) fn spec(self, id: &str, email: Option<&str>) -> UserSpec {
        let spec = match self {
            UserKind::Normal => UserSpec::normal(),
            UserKind::Restricted => UserSpec::restricted(RestrictedReason::EmailNotVerified),
            UserKind::RestrictedByAdmin => {
                UserSpec::restricted(RestrictedReason::RestrictedByAdministrator)
            }
            UserKind::Anonymous => return UserSpec::anonymous().id(id),
        };
        let email = email.map_or_else(|| format!("{id}@example.com"), str::to_owned);
        spec.id(id).email(email)
    }

    /// The value name used on the command line.
    pub(crate) fn label(self) -> &'static str {
        match self {
            UserKind::Normal => "normal",
            UserKind::Restricted => "restricted",
            UserKind::RestrictedByAdmin => "restricted-by-admin",
            UserKind::Anonymous => "anonymous",
        }
    }
}

/// A user for `serve` to create: `ID[:TYPE[:PROJECT]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SeedUser {
    /// The user id.
    pub(crate) id: String,
    /// The kind of user.
    pub(crate) kind: UserKind,
    /// The project, when not the first one.
    pub(crate) project: Option<String>,
}

impl FromStr for SeedUser {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, ':');
        let id = parts.next().unwrap_or_default();
        if id.is_empty() {
            return Err("the user id is empty (expected ID[:TYPE[:PROJECT]])".to_owned());
        }
        let kind = match parts.next() {
            None | Some("") => UserKind::Normal,
            Some(t) => UserKind::from_str(t, true)?,
        };
        let project = parts.next().filter(|p| !p.is_empty()).map(str::to_owned);
        Ok(SeedUser {
            id: id.to_owned(),
            kind,
            project,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_users_parse_with_defaults() {
        let u: SeedUser = "u1".parse().unwrap();
        assert_eq!(
            (u.id.as_str(), u.kind, u.project),
            ("u1", UserKind::Normal, None)
        );
        let u: SeedUser = "u2:anonymous:p2".parse().unwrap();
        assert_eq!(u.kind, UserKind::Anonymous);
        assert_eq!(u.project.as_deref(), Some("p2"));
        let u: SeedUser = "u3:restricted-by-admin".parse().unwrap();
        assert_eq!(u.kind, UserKind::RestrictedByAdmin);
        assert!("".parse::<SeedUser>().is_err());
        assert!("u4:superuser".parse::<SeedUser>().is_err());
    }

    #[test]
    fn labels_are_the_value_names() {
        for kind in UserKind::value_variants() {
            assert_eq!(UserKind::from_str(kind.label(), false), Ok(*kind));
        }
    }
}
