//! [`UserSpec`]: describes a user to create on the stand-in; the stand-in fills in the rest of
//! the server user object (PROTOCOL §3.4) with realistic values.

use stack_auth_core::{OAuthProvider, RawJson, RestrictedReason, ServerTeam, ServerUser, UserType};

use crate::ids::{is_uuid, random_uuid};
use crate::TestkitError;

/// A user to create: normal, restricted (for one of the two reasons) or anonymous, plus any
/// profile fields a test cares about. Everything else gets a realistic default.
///
/// ```
/// use stack_auth_testkit::UserSpec;
/// use stack_auth_core::RestrictedReason;
///
/// let ada = UserSpec::normal().email("ada@example.com").display_name("Ada").team("Analytical");
/// let unverified = UserSpec::restricted(RestrictedReason::EmailNotVerified);
/// let guest = UserSpec::anonymous();
/// # let _ = (ada, unverified, guest);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct UserSpec {
    kind: Kind,
    id: Option<String>,
    email: Option<String>,
    email_verified: Option<bool>,
    display_name: Option<String>,
    team: Option<ServerTeam>,
    profile_image_url: Option<String>,
    client_metadata: Option<RawJson>,
    client_read_only_metadata: Option<RawJson>,
    server_metadata: Option<RawJson>,
    oauth_providers: Vec<OAuthProvider>,
    country_code: Option<String>,
    signed_up_at_millis: Option<i64>,
    has_password: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Normal,
    EmailNotVerified,
    RestrictedByAdmin,
    Anonymous,
}

impl UserSpec {
    fn of(kind: Kind) -> Self {
        let named = kind != Kind::Anonymous;
        let n = &random_uuid()[..8];
        UserSpec {
            kind,
            id: None,
            email: named.then(|| format!("user-{n}@example.com")),
            email_verified: None,
            display_name: named.then(|| "Test User".to_owned()),
            team: None,
            profile_image_url: None,
            client_metadata: None,
            client_read_only_metadata: None,
            server_metadata: None,
            oauth_providers: Vec::new(),
            country_code: named.then(|| "US".to_owned()),
            signed_up_at_millis: None,
            has_password: None,
        }
    }

    /// A regular user with a verified email and a password.
    pub fn normal() -> Self {
        UserSpec::of(Kind::Normal)
    }

    /// A restricted user: with [`RestrictedReason::EmailNotVerified`] the email is unverified
    /// (the project must require verified emails, the default of
    /// [`ProjectSpec`](crate::ProjectSpec)); with [`RestrictedReason::RestrictedByAdministrator`]
    /// the user is restricted by an admin. [`RestrictedReason::Anonymous`] gives
    /// [`UserSpec::anonymous`].
    pub fn restricted(reason: RestrictedReason) -> Self {
        match reason {
            RestrictedReason::EmailNotVerified => UserSpec::of(Kind::EmailNotVerified),
            RestrictedReason::Anonymous => UserSpec::anonymous(),
            _ => UserSpec::of(Kind::RestrictedByAdmin),
        }
    }

    /// An anonymous user: no email, no name, restricted with reason `anonymous`.
    pub fn anonymous() -> Self {
        UserSpec::of(Kind::Anonymous)
    }

    /// A user of `user_type` (restricted users get [`RestrictedReason::EmailNotVerified`]).
    pub fn of_type(user_type: UserType) -> Self {
        match user_type {
            UserType::Normal => UserSpec::normal(),
            UserType::Restricted => UserSpec::restricted(RestrictedReason::EmailNotVerified),
            UserType::Anonymous => UserSpec::anonymous(),
        }
    }

    /// A fixed user id (default: a random UUID). It must be a UUID, as Stack Auth's schemas
    /// require ([`is_uuid`](crate::is_uuid)); [`uuid_for_name`](crate::uuid_for_name) turns a
    /// name into one. Anything else is refused when the user is built.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The primary email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// No primary email.
    pub fn no_email(mut self) -> Self {
        self.email = None;
        self
    }

    /// Whether the primary email is verified (default: verified, except for the
    /// email-not-verified restricted user).
    pub fn email_verified(mut self, verified: bool) -> Self {
        self.email_verified = Some(verified);
        self
    }

    /// The display name (an empty name is stored as none, as Stack Auth does).
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// Selects a new team with this display name.
    pub fn team(mut self, display_name: impl Into<String>) -> Self {
        self.team = Some(ServerTeam::new(random_uuid(), display_name));
        self
    }

    /// Selects this team (its id becomes `selected_team_id`).
    pub fn selected_team(mut self, team: ServerTeam) -> Self {
        self.team = Some(team);
        self
    }

    /// The profile image URL.
    pub fn profile_image_url(mut self, url: impl Into<String>) -> Self {
        self.profile_image_url = Some(url.into());
        self
    }

    /// Client metadata (a `serde_json::Value`, or a [`RawJson`] for JSON of any depth).
    pub fn client_metadata(mut self, value: impl Into<RawJson>) -> Self {
        self.client_metadata = Some(value.into());
        self
    }

    /// Client read-only metadata (a `serde_json::Value`, or a [`RawJson`] for JSON of any depth).
    pub fn client_read_only_metadata(mut self, value: impl Into<RawJson>) -> Self {
        self.client_read_only_metadata = Some(value.into());
        self
    }

    /// Server metadata (a `serde_json::Value`, or a [`RawJson`] for JSON of any depth).
    pub fn server_metadata(mut self, value: impl Into<RawJson>) -> Self {
        self.server_metadata = Some(value.into());
        self
    }

    /// Adds a connected OAuth account (`provider` e.g. `github`).
    pub fn oauth(mut self, provider: impl Into<String>, account_id: impl Into<String>) -> Self {
        let email = self.email.clone();
        self.oauth_providers
            .push(OAuthProvider::new(provider, account_id, email));
        self
    }

    /// The sign-up country (ISO 3166-1 alpha-2).
    pub fn country_code(mut self, code: impl Into<String>) -> Self {
        self.country_code = Some(code.into());
        self
    }

    /// The sign-up time, Unix milliseconds (default: now).
    pub fn signed_up_at_millis(mut self, millis: i64) -> Self {
        self.signed_up_at_millis = Some(millis);
        self
    }

    /// Whether the user has a password (default: yes, except anonymous users).
    pub fn has_password(mut self, has: bool) -> Self {
        self.has_password = Some(has);
        self
    }

    /// Builds the full server user object at time `now_millis` for a project that does or does
    /// not require verified emails.
    pub(crate) fn build(
        self,
        requires_verified_email: bool,
        now_millis: i64,
    ) -> Result<ServerUser, TestkitError> {
        if self.kind == Kind::EmailNotVerified && !requires_verified_email {
            return Err(TestkitError::InvalidUser(
                "an email-not-verified restricted user needs a project that requires verified emails".into(),
            ));
        }
        if let Some(id) = self.id.as_deref().filter(|id| !is_uuid(id)) {
            return Err(TestkitError::InvalidUser(
                format!("user id {id:?} is not a UUID (Stack Auth's user ids are UUIDs)").into(),
            ));
        }
        let anonymous = self.kind == Kind::Anonymous;
        let mut u = ServerUser::new(self.id.unwrap_or_else(random_uuid));
        u.primary_email_verified = self
            .email_verified
            .unwrap_or(self.kind != Kind::EmailNotVerified && self.email.is_some());
        u.primary_email_auth_enabled = self.email.is_some() && !anonymous;
        u.primary_email = self.email;
        u.display_name = self.display_name;
        u.selected_team = self.team;
        u.profile_image_url = self.profile_image_url;
        u.signed_up_at_millis = self.signed_up_at_millis.unwrap_or(now_millis);
        u.last_active_at_millis = now_millis;
        u.has_password = self.has_password.unwrap_or(!anonymous);
        u.client_metadata = self.client_metadata;
        u.client_read_only_metadata = self.client_read_only_metadata;
        u.server_metadata = self.server_metadata;
        u.oauth_providers = self.oauth_providers;
        u.country_code = self.country_code;
        u.is_anonymous = anonymous;
        if self.kind == Kind::RestrictedByAdmin {
            u.restricted_by_admin = true;
            u.restricted_by_admin_reason = Some("Your account is under review.".into());
            u.restricted_by_admin_private_details = Some("Flagged by a test.".into());
        }
        if let Some(team) = &mut u.selected_team {
            if team.created_at_millis == 0 {
                team.created_at_millis = now_millis;
            }
        }
        normalize(&mut u, requires_verified_email);
        if self.kind == Kind::EmailNotVerified && !u.is_restricted {
            return Err(TestkitError::InvalidUser(
                "an email-not-verified user needs an unverified email".into(),
            ));
        }
        Ok(u)
    }
}

/// Recomputes the fields Stack Auth derives from others, after a creation or an update:
/// restriction (`computeRestrictedStatus`), `selected_team_id`, `auth_with_email`, empty names.
pub(crate) fn normalize(u: &mut ServerUser, requires_verified_email: bool) {
    if u.display_name.as_deref() == Some("") {
        u.display_name = None;
    }
    if !u.restricted_by_admin {
        u.restricted_by_admin_reason = None;
        u.restricted_by_admin_private_details = None;
    }
    u.restricted_reason = if u.is_anonymous {
        Some(RestrictedReason::Anonymous)
    } else if requires_verified_email && !u.primary_email_verified {
        Some(RestrictedReason::EmailNotVerified)
    } else if u.restricted_by_admin {
        Some(RestrictedReason::RestrictedByAdministrator)
    } else {
        None
    };
    u.is_restricted = u.restricted_reason.is_some();
    u.selected_team_id = u.selected_team.as_ref().map(|t| t.id.clone());
    u.auth_with_email = u.has_password || u.otp_auth_enabled;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_builds_consistently() {
        let n = UserSpec::normal().team("T").build(true, 5_000).unwrap();
        assert_eq!(n.user_type(), UserType::Normal);
        assert!(n.primary_email_verified && n.auth_with_email);
        assert_eq!(
            n.selected_team_id.as_deref(),
            Some(n.selected_team.as_ref().unwrap().id.as_str())
        );
        assert_eq!(n.signed_up_at_millis, 5_000);

        let r = UserSpec::restricted(RestrictedReason::EmailNotVerified)
            .build(true, 0)
            .unwrap();
        assert_eq!(
            r.restricted_reason,
            Some(RestrictedReason::EmailNotVerified)
        );
        assert!(!r.primary_email_verified && r.is_restricted);

        let a = UserSpec::restricted(RestrictedReason::RestrictedByAdministrator)
            .build(false, 0)
            .unwrap();
        assert_eq!(a.user_type(), UserType::Restricted);
        assert!(a.restricted_by_admin && a.restricted_by_admin_reason.is_some());

        let anon = UserSpec::anonymous().build(true, 0).unwrap();
        assert_eq!(anon.user_type(), UserType::Anonymous);
        assert_eq!(anon.restricted_reason, Some(RestrictedReason::Anonymous));
        assert!(anon.primary_email.is_none() && anon.display_name.is_none());
    }

    #[test]
    fn user_ids_must_be_uuids() {
        let err = UserSpec::normal().id("alice").build(true, 0);
        assert!(matches!(err, Err(TestkitError::InvalidUser(_))), "{err:?}");
        let id = crate::uuid_for_name("alice");
        assert_eq!(UserSpec::normal().id(&id).build(true, 0).unwrap().id, id);
    }

    #[test]
    fn email_not_verified_needs_a_project_that_requires_it() {
        let err = UserSpec::restricted(RestrictedReason::EmailNotVerified).build(false, 0);
        assert!(matches!(err, Err(TestkitError::InvalidUser(_))));
    }

    #[test]
    fn normalize_follows_the_server_rules() {
        let mut u = UserSpec::normal().display_name("").build(true, 0).unwrap();
        assert_eq!(u.display_name, None);
        u.restricted_by_admin = true;
        normalize(&mut u, true);
        assert_eq!(
            u.restricted_reason,
            Some(RestrictedReason::RestrictedByAdministrator)
        );
        u.primary_email_verified = false;
        normalize(&mut u, true);
        assert_eq!(
            u.restricted_reason,
            Some(RestrictedReason::EmailNotVerified)
        );
        u.restricted_by_admin = false;
        u.primary_email_verified = true;
        normalize(&mut u, true);
        assert!(!u.is_restricted && u.restricted_by_admin_reason.is_none());
    }
}
