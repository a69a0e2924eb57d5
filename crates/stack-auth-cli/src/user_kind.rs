//! The kinds of user `serve` seeds and `mint` mints for, and the `--user` syntax of `serve`.

use std::str::FromStr;

use clap::ValueEnum;
use stack_auth_core::RestrictedReason;
use stack_auth_testkit::{is_uuid, uuid_for_name, UserSpec};

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
    /// The user `user` of this kind. Stack Auth's user ids are UUIDs: a UUID is the id, any
    /// other text is a name, whose id is [`user_id`] of it and which becomes the display
    /// name. Users that are not anonymous get `email`, by default `<user>@example.com`, so a
    /// token minted by `mint` and the profile seeded by `serve` agree.
    pub(crate) fn spec(self, user: &str, email: Option<&str>) -> UserSpec {
        let spec = match self {
            UserKind::Normal => UserSpec::normal(),
            UserKind::Restricted => UserSpec::restricted(RestrictedReason::EmailNotVerified),
            UserKind::RestrictedByAdmin => {
                UserSpec::restricted(RestrictedReason::RestrictedByAdministrator)
            }
            UserKind::Anonymous => return UserSpec::anonymous().id(user_id(user)),
        };
        let email = email.map_or_else(|| format!("{user}@example.com"), str::to_owned);
        let spec = spec.id(user_id(user)).email(email);
        if is_uuid(user) {
            spec
        } else {
            spec.display_name(user)
        }
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

/// The id of the user given as `user` on the command line: `user` itself when it is a UUID,
/// else the UUID the testkit derives from the name (the same in `serve` and `mint`).
pub(crate) fn user_id(user: &str) -> String {
    if is_uuid(user) {
        user.to_owned()
    } else {
        uuid_for_name(user)
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
    fn names_become_uuids_and_display_names() {
        let id = "11111111-2222-4333-8444-555555555555";
        assert_eq!(user_id(id), id);
        assert_eq!(user_id("alice"), uuid_for_name("alice"));
        assert!(is_uuid(&user_id("alice")));
    }

    #[test]
    fn labels_are_the_value_names() {
        for kind in UserKind::value_variants() {
            assert_eq!(UserKind::from_str(kind.label(), false), Ok(*kind));
        }
    }
}
