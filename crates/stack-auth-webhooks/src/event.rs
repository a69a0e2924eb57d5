//! [`WebhookEvent`]: a Stack Auth webhook's `{type, data}`, typed, and the [`Eviction`]s it
//! implies.

mod data;
mod issue;
#[cfg(test)]
mod tests;

use serde::{de::DeserializeOwned, Deserialize};
use serde_json::value::RawValue;
use stack_auth_core::{Eviction, RawJson, ServerTeam, ServerUser};

pub use self::data::{DeletedUser, ProjectPermission, TeamMembership, TeamPermission, TeamRef};
pub use self::issue::{Issue, IssueStatus, IssueSubstatus};
use crate::{error::BodyProblem, WebhookError};

/// A Stack Auth webhook event: every type of PROTOCOL §10.5.3, typed, and any other type kept
/// as it came ([`Unknown`](Self::Unknown)), never refused.
///
/// ```
/// use stack_auth_webhooks::WebhookEvent;
///
/// let body = br#"{"type":"team_membership.deleted","data":{"team_id":"t1","user_id":"u1"}}"#;
/// match WebhookEvent::from_json(body)? {
///     WebhookEvent::TeamMembershipDeleted(m) => assert_eq!((m.team_id.as_str(), m.user_id.as_str()), ("t1", "u1")),
///     other => panic!("{other:?}"),
/// }
/// let later = WebhookEvent::from_json(br#"{"type":"payment.refunded","data":{"id":"x"}}"#)?;
/// assert_eq!(later.event_type(), "payment.refunded");
/// assert!(later.evictions().is_empty());
/// # Ok::<(), stack_auth_webhooks::WebhookError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WebhookEvent {
    /// `user.created`: the new user (sign-up, anonymous sign-up, server creation).
    UserCreated(Box<ServerUser>),
    /// `user.updated`: the user after the change.
    UserUpdated(Box<ServerUser>),
    /// `user.deleted`: the user's id and the teams it was in.
    UserDeleted(DeletedUser),
    /// `team.created`: the new team.
    TeamCreated(Box<ServerTeam>),
    /// `team.updated`: the team after the change.
    TeamUpdated(Box<ServerTeam>),
    /// `team.deleted`: the team's id.
    TeamDeleted(TeamRef),
    /// `team_membership.created`: a user joined a team.
    TeamMembershipCreated(TeamMembership),
    /// `team_membership.deleted`: a user left a team (also sent per team when a user is
    /// deleted).
    TeamMembershipDeleted(TeamMembership),
    /// `team_permission.created`: a team permission granted.
    TeamPermissionCreated(TeamPermission),
    /// `team_permission.deleted`: a team permission revoked (not sent when a member is removed,
    /// a team deleted or a user deleted).
    TeamPermissionDeleted(TeamPermission),
    /// `project_permission.created`: a project permission granted (sent, though Stack Auth's
    /// published event list does not declare it).
    ProjectPermissionCreated(ProjectPermission),
    /// `project_permission.deleted`: a project permission revoked (likewise undeclared).
    ProjectPermissionDeleted(ProjectPermission),
    /// `issue.created`: a new error-tracking issue.
    IssueCreated(Box<Issue>),
    /// `issue.regressed`: a resolved issue seen again.
    IssueRegressed(Box<Issue>),
    /// `issue.resolved`.
    IssueResolved(Box<Issue>),
    /// `issue.ignored`.
    IssueIgnored(Box<Issue>),
    /// `issue.merged`.
    IssueMerged(Box<Issue>),
    /// A type this SDK does not know (a newer Stack Auth), kept as it came.
    Unknown {
        /// The event type.
        event_type: String,
        /// The `data`, verbatim.
        data: RawJson,
    },
}

/// The envelope, with `data` unparsed until the type is known.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    event_type: String,
    #[serde(borrow)]
    data: &'a RawValue,
}

impl WebhookEvent {
    /// Reads an event from a delivery's body, `{"type": "...", "data": ...}`. Call it only on a
    /// body whose signature was verified (a [`WebhookReceiver`](crate::WebhookReceiver) does).
    ///
    /// # Errors
    ///
    /// [`WebhookError::MalformedBody`] when the body is not UTF-8 JSON of that shape, or `data`
    /// does not have the shape of its known type (where, never what, the body says).
    pub fn from_json(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
        let text = std::str::from_utf8(body)
            .map_err(|_| WebhookError::MalformedBody(BodyProblem::NotUtf8))?;
        let envelope: Envelope<'_> = serde_json::from_str(text).map_err(|e| {
            WebhookError::MalformedBody(BodyProblem::Envelope {
                line: e.line(),
                column: e.column(),
            })
        })?;
        let data = envelope.data.get();
        let event = match envelope.event_type.as_str() {
            "user.created" => WebhookEvent::UserCreated(parse("user.created", data)?),
            "user.updated" => WebhookEvent::UserUpdated(parse("user.updated", data)?),
            "user.deleted" => WebhookEvent::UserDeleted(parse("user.deleted", data)?),
            "team.created" => WebhookEvent::TeamCreated(parse("team.created", data)?),
            "team.updated" => WebhookEvent::TeamUpdated(parse("team.updated", data)?),
            "team.deleted" => WebhookEvent::TeamDeleted(parse("team.deleted", data)?),
            "team_membership.created" => {
                WebhookEvent::TeamMembershipCreated(parse("team_membership.created", data)?)
            }
            "team_membership.deleted" => {
                WebhookEvent::TeamMembershipDeleted(parse("team_membership.deleted", data)?)
            }
            "team_permission.created" => {
                WebhookEvent::TeamPermissionCreated(parse("team_permission.created", data)?)
            }
            "team_permission.deleted" => {
                WebhookEvent::TeamPermissionDeleted(parse("team_permission.deleted", data)?)
            }
            "project_permission.created" => {
                WebhookEvent::ProjectPermissionCreated(parse("project_permission.created", data)?)
            }
            "project_permission.deleted" => {
                WebhookEvent::ProjectPermissionDeleted(parse("project_permission.deleted", data)?)
            }
            "issue.created" => WebhookEvent::IssueCreated(parse("issue.created", data)?),
            "issue.regressed" => WebhookEvent::IssueRegressed(parse("issue.regressed", data)?),
            "issue.resolved" => WebhookEvent::IssueResolved(parse("issue.resolved", data)?),
            "issue.ignored" => WebhookEvent::IssueIgnored(parse("issue.ignored", data)?),
            "issue.merged" => WebhookEvent::IssueMerged(parse("issue.merged", data)?),
            _ => WebhookEvent::Unknown {
                data: RawJson::from_json(data.to_owned()).map_err(|_| {
                    WebhookError::MalformedBody(BodyProblem::Envelope { line: 1, column: 1 })
                })?,
                event_type: envelope.event_type,
            },
        };
        Ok(event)
    }

    /// The event type as sent, e.g. `user.deleted`.
    pub fn event_type(&self) -> &str {
        match self {
            WebhookEvent::UserCreated(_) => "user.created",
            WebhookEvent::UserUpdated(_) => "user.updated",
            WebhookEvent::UserDeleted(_) => "user.deleted",
            WebhookEvent::TeamCreated(_) => "team.created",
            WebhookEvent::TeamUpdated(_) => "team.updated",
            WebhookEvent::TeamDeleted(_) => "team.deleted",
            WebhookEvent::TeamMembershipCreated(_) => "team_membership.created",
            WebhookEvent::TeamMembershipDeleted(_) => "team_membership.deleted",
            WebhookEvent::TeamPermissionCreated(_) => "team_permission.created",
            WebhookEvent::TeamPermissionDeleted(_) => "team_permission.deleted",
            WebhookEvent::ProjectPermissionCreated(_) => "project_permission.created",
            WebhookEvent::ProjectPermissionDeleted(_) => "project_permission.deleted",
            WebhookEvent::IssueCreated(_) => "issue.created",
            WebhookEvent::IssueRegressed(_) => "issue.regressed",
            WebhookEvent::IssueResolved(_) => "issue.resolved",
            WebhookEvent::IssueIgnored(_) => "issue.ignored",
            WebhookEvent::IssueMerged(_) => "issue.merged",
            WebhookEvent::Unknown { event_type, .. } => event_type,
        }
    }

    /// What the event makes stale, as the caches of the SDK understand it:
    ///
    /// | event | evictions |
    /// |---|---|
    /// | `user.created` | none (nothing was cached about a user that did not exist) |
    /// | `user.updated` | [`UserUpdated`](Eviction::UserUpdated) (the profile; verdicts on its tokens stand) |
    /// | `user.deleted` | [`UserDeleted`](Eviction::UserDeleted), then [`TeamMembership`](Eviction::TeamMembership) for each of its teams (the membership and the permissions in it; Stack Auth's own `team_membership.deleted` events may come later or not in order) |
    /// | `team.created` | none |
    /// | `team.updated`, `team.deleted` | [`Team`](Eviction::Team) |
    /// | `team_membership.*` | [`TeamMembership`](Eviction::TeamMembership) |
    /// | `team_permission.*` | [`TeamPermissions`](Eviction::TeamPermissions) |
    /// | `project_permission.*` | [`ProjectPermissions`](Eviction::ProjectPermissions) |
    /// | `issue.*`, unknown types | none |
    ///
    /// No event says that a session ended or an API key was revoked (Stack Auth sends none for
    /// either), so [`SessionEnded`](Eviction::SessionEnded) and
    /// [`ApiKey`](Eviction::ApiKey) never come from a webhook.
    pub fn evictions(&self) -> Vec<Eviction> {
        match self {
            WebhookEvent::UserUpdated(user) => vec![Eviction::UserUpdated {
                user_id: user.id.clone(),
            }],
            WebhookEvent::UserDeleted(deleted) => {
                let mut evictions = vec![Eviction::UserDeleted {
                    user_id: deleted.id.clone(),
                }];
                evictions.extend(deleted.teams.iter().map(|team| Eviction::TeamMembership {
                    team_id: team.id.clone(),
                    user_id: deleted.id.clone(),
                }));
                evictions
            }
            WebhookEvent::TeamUpdated(team) => vec![Eviction::Team {
                team_id: team.id.clone(),
            }],
            WebhookEvent::TeamDeleted(team) => vec![Eviction::Team {
                team_id: team.id.clone(),
            }],
            WebhookEvent::TeamMembershipCreated(m) | WebhookEvent::TeamMembershipDeleted(m) => {
                vec![Eviction::TeamMembership {
                    team_id: m.team_id.clone(),
                    user_id: m.user_id.clone(),
                }]
            }
            WebhookEvent::TeamPermissionCreated(p) | WebhookEvent::TeamPermissionDeleted(p) => {
                vec![Eviction::TeamPermissions {
                    team_id: p.team_id.clone(),
                    user_id: p.user_id.clone(),
                }]
            }
            WebhookEvent::ProjectPermissionCreated(p)
            | WebhookEvent::ProjectPermissionDeleted(p) => vec![Eviction::ProjectPermissions {
                user_id: p.user_id.clone(),
            }],
            WebhookEvent::UserCreated(_)
            | WebhookEvent::TeamCreated(_)
            | WebhookEvent::IssueCreated(_)
            | WebhookEvent::IssueRegressed(_)
            | WebhookEvent::IssueResolved(_)
            | WebhookEvent::IssueIgnored(_)
            | WebhookEvent::IssueMerged(_)
            | WebhookEvent::Unknown { .. } => Vec::new(),
        }
    }
}

/// `data` as the type `event_type` carries.
fn parse<T: DeserializeOwned>(event_type: &'static str, data: &str) -> Result<T, WebhookError> {
    serde_json::from_str(data).map_err(|e| {
        WebhookError::MalformedBody(BodyProblem::Data {
            event_type,
            line: e.line(),
            column: e.column(),
        })
    })
}
