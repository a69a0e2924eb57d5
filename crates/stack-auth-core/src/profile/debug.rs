//! `Debug` for [`ServerUser`] and [`ServerTeam`]: everything a log reader needs to identify the
//! user, and only the presence of free-form content (metadata, the administrator's private
//! notes, unknown fields), which may hold secrets or whatever the user wrote.

use std::fmt;

use super::{ServerTeam, ServerUser};

/// Shows `set` or `unset` for an optional value, never the value.
struct Presence(bool);

impl fmt::Debug for Presence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "set" } else { "unset" })
    }
}

fn presence<T>(value: Option<&T>) -> Presence {
    Presence(value.is_some())
}

impl fmt::Debug for ServerUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerUser")
            .field("id", &self.id)
            .field("primary_email", &self.primary_email)
            .field("primary_email_verified", &self.primary_email_verified)
            .field("display_name", &self.display_name)
            .field("selected_team", &self.selected_team)
            .field("signed_up_at_millis", &self.signed_up_at_millis)
            .field("is_anonymous", &self.is_anonymous)
            .field("is_restricted", &self.is_restricted)
            .field("restricted_reason", &self.restricted_reason)
            .field("restricted_by_admin", &self.restricted_by_admin)
            .field(
                "restricted_by_admin_reason",
                &self.restricted_by_admin_reason,
            )
            .field(
                "restricted_by_admin_private_details",
                &presence(self.restricted_by_admin_private_details.as_ref()),
            )
            .field("client_metadata", &presence(self.client_metadata.as_ref()))
            .field(
                "client_read_only_metadata",
                &presence(self.client_read_only_metadata.as_ref()),
            )
            .field("server_metadata", &presence(self.server_metadata.as_ref()))
            .field("country_code", &self.country_code)
            .field("risk_scores", &self.risk_scores)
            .field(
                "oauth_providers",
                &self
                    .oauth_providers
                    .iter()
                    .map(|p| &p.id)
                    .collect::<Vec<_>>(),
            )
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ServerTeam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTeam")
            .field("id", &self.id)
            .field("display_name", &self.display_name)
            .field("client_metadata", &presence(self.client_metadata.as_ref()))
            .field(
                "client_read_only_metadata",
                &presence(self.client_read_only_metadata.as_ref()),
            )
            .field("server_metadata", &presence(self.server_metadata.as_ref()))
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}
