//! User types (normal, restricted, anonymous) and the set of types a verifier accepts.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of user an access token belongs to (PROTOCOL §1.4).
///
/// Each type has its own issuer, audience and signing keys. Anonymous users are always also
/// restricted (with [`RestrictedReason::Anonymous`]); `Restricted` here means restricted but not
/// anonymous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserType {
    /// A regular signed-in user.
    Normal,
    /// A restricted user (email not verified, or restricted by an administrator).
    Restricted,
    /// An anonymous user.
    Anonymous,
}

impl UserType {
    /// All user types, in the order Stack Auth publishes their keys.
    pub const ALL: [UserType; 3] = [UserType::Normal, UserType::Restricted, UserType::Anonymous];

    /// The stable lower-case label: `normal`, `restricted` or `anonymous`.
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Normal => "normal",
            UserType::Restricted => "restricted",
            UserType::Anonymous => "anonymous",
        }
    }

    /// The suffix Stack Auth appends to the project id to form the audience (`""`,
    /// `":restricted"`, `":anon"`).
    pub fn audience_suffix(self) -> &'static str {
        match self {
            UserType::Normal => "",
            UserType::Restricted => ":restricted",
            UserType::Anonymous => ":anon",
        }
    }

    /// The suffix of the `projects` path segment in the issuer (`""`, `"-restricted-users"`,
    /// `"-anonymous-users"`).
    pub fn issuer_suffix(self) -> &'static str {
        match self {
            UserType::Normal => "",
            UserType::Restricted => "-restricted-users",
            UserType::Anonymous => "-anonymous-users",
        }
    }

    /// The user type Stack Auth derives from the two flags: anonymous wins, then restricted.
    pub fn from_flags(is_anonymous: bool, is_restricted: bool) -> UserType {
        if is_anonymous {
            UserType::Anonymous
        } else if is_restricted {
            UserType::Restricted
        } else {
            UserType::Normal
        }
    }

    const fn bit(self) -> u8 {
        match self {
            UserType::Normal => 1,
            UserType::Restricted => 2,
            UserType::Anonymous => 4,
        }
    }
}

impl fmt::Display for UserType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a user is restricted (`restricted_reason.type` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RestrictedReason {
    /// The user is anonymous.
    Anonymous,
    /// The project requires a verified email and this user's is not verified.
    EmailNotVerified,
    /// An administrator restricted the user.
    RestrictedByAdministrator,
}

impl RestrictedReason {
    /// The wire label: `anonymous`, `email_not_verified` or `restricted_by_administrator`.
    pub fn as_str(self) -> &'static str {
        match self {
            RestrictedReason::Anonymous => "anonymous",
            RestrictedReason::EmailNotVerified => "email_not_verified",
            RestrictedReason::RestrictedByAdministrator => "restricted_by_administrator",
        }
    }
}

impl fmt::Display for RestrictedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The wire form of a restricted reason: `{"type": "email_not_verified"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestrictedReasonObject {
    /// The reason.
    #[serde(rename = "type")]
    pub kind: RestrictedReason,
}

/// The set of user types a verifier accepts. The default accepts normal users only.
///
/// ```
/// use stack_auth_core::{UserType, UserTypes};
///
/// let accepted = UserTypes::NORMAL_ONLY.with(UserType::Restricted);
/// assert!(accepted.contains(UserType::Restricted));
/// assert!(!accepted.contains(UserType::Anonymous));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserTypes(u8);

impl UserTypes {
    /// Normal users only: the default, and what Stack Auth's users/me accepts without allow headers.
    pub const NORMAL_ONLY: UserTypes = UserTypes(1);
    /// Every user type.
    pub const ALL: UserTypes = UserTypes(7);
    /// No user type (useful only as a starting point for [`UserTypes::with`]).
    pub const NONE: UserTypes = UserTypes(0);

    /// This set with `user_type` added.
    #[must_use]
    pub const fn with(self, user_type: UserType) -> UserTypes {
        UserTypes(self.0 | user_type.bit())
    }

    /// This set with `user_type` removed.
    #[must_use]
    pub const fn without(self, user_type: UserType) -> UserTypes {
        UserTypes(self.0 & !user_type.bit())
    }

    /// Whether `user_type` is in the set.
    pub const fn contains(self, user_type: UserType) -> bool {
        self.0 & user_type.bit() != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members, in [`UserType::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = UserType> {
        UserType::ALL.into_iter().filter(move |t| self.contains(*t))
    }
}

impl Default for UserTypes {
    fn default() -> Self {
        UserTypes::NORMAL_ONLY
    }
}

impl fmt::Debug for UserTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl FromIterator<UserType> for UserTypes {
    fn from_iter<I: IntoIterator<Item = UserType>>(iter: I) -> Self {
        iter.into_iter().fold(UserTypes::NONE, UserTypes::with)
    }
}

impl Serialize for UserTypes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for UserTypes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<UserType>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_map_to_types_like_the_server() {
        assert_eq!(UserType::from_flags(false, false), UserType::Normal);
        assert_eq!(UserType::from_flags(false, true), UserType::Restricted);
        assert_eq!(UserType::from_flags(true, true), UserType::Anonymous);
        assert_eq!(UserType::from_flags(true, false), UserType::Anonymous);
    }

    #[test]
    fn set_operations() {
        let s = UserTypes::NORMAL_ONLY.with(UserType::Anonymous);
        assert!(s.contains(UserType::Normal) && s.contains(UserType::Anonymous));
        assert!(!s.contains(UserType::Restricted));
        assert_eq!(s.without(UserType::Anonymous), UserTypes::NORMAL_ONLY);
        assert!(UserTypes::NONE.is_empty());
        assert_eq!(UserTypes::ALL.iter().count(), 3);
        assert_eq!(format!("{s:?}"), "{Normal, Anonymous}");
    }

    #[test]
    fn serde_round_trip() {
        let s = UserTypes::ALL.without(UserType::Restricted);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"["normal","anonymous"]"#);
        assert_eq!(serde_json::from_str::<UserTypes>(&json).unwrap(), s);
        let r: RestrictedReasonObject =
            serde_json::from_str(r#"{"type":"restricted_by_administrator"}"#).unwrap();
        assert_eq!(r.kind, RestrictedReason::RestrictedByAdministrator);
        assert!(serde_json::from_str::<RestrictedReasonObject>(r#"{"type":"bogus"}"#).is_err());
    }
}
