//! [`Issue`]: the error-tracking issue of the `issue.*` events (PROTOCOL §10.5.3).

use serde::{Deserialize, Serialize};

/// An issue of Stack Auth's error tracking, as the `issue.created`, `.regressed`, `.resolved`,
/// `.ignored` and `.merged` events carry it (sent only when the project has the webhooks app
/// installed). The 64-bit counters come as decimal strings, kept as sent; read them as numbers
/// with [`short_id_number`](Self::short_id_number) and
/// [`times_seen_number`](Self::times_seen_number).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Issue {
    /// The issue id (a UUID).
    pub id: String,
    /// The short id, a decimal string.
    pub short_id: String,
    /// The error type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The error value (message).
    pub value: String,
    /// Where it happened.
    pub culprit: String,
    /// The level (`error`, `warning`, ...).
    pub level: String,
    /// `unresolved`, `resolved` or `ignored`.
    pub status: IssueStatus,
    /// `new`, `ongoing` or `regressed`.
    pub substatus: IssueSubstatus,
    /// How often it was seen, a decimal string.
    pub times_seen: String,
    /// First seen, Unix milliseconds.
    pub first_seen_at_millis: i64,
    /// Last seen, Unix milliseconds.
    pub last_seen_at_millis: i64,
    /// The service that reported it.
    pub service_name: Option<String>,
    /// The environment.
    pub environment: Option<String>,
    /// The release.
    pub release: Option<String>,
    /// A dashboard link, or `""`.
    pub url: String,
}

impl Issue {
    /// [`short_id`](Self::short_id) as a number (`None` if it is not a decimal `u64`).
    pub fn short_id_number(&self) -> Option<u64> {
        self.short_id.parse().ok()
    }

    /// [`times_seen`](Self::times_seen) as a number (`None` if it is not a decimal `u64`).
    pub fn times_seen_number(&self) -> Option<u64> {
        self.times_seen.parse().ok()
    }
}

/// An issue's status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IssueStatus {
    /// Open.
    #[default]
    Unresolved,
    /// Resolved.
    Resolved,
    /// Ignored.
    Ignored,
    /// A status this SDK does not know.
    #[serde(other)]
    Other,
}

/// An issue's substatus.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IssueSubstatus {
    /// Seen for the first time.
    #[default]
    New,
    /// Seen before.
    Ongoing,
    /// Seen again after it was resolved.
    Regressed,
    /// A substatus this SDK does not know.
    #[serde(other)]
    Other,
}
