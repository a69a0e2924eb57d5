//! Reading [`ServerUser`] and [`ServerTeam`] in one pass, field by field.
//!
//! Hand-written because `#[serde(flatten)]` (for the unknown fields) buffers the whole object
//! through serde's generic content, which recurses into every level, so one deeply nested
//! `client_metadata` would fail the whole profile; and it cannot hand a [`RawJson`] its text.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
    marker::PhantomData,
};

use serde::{
    de::{Error, MapAccess, Visitor},
    Deserialize, Deserializer,
};

use super::{ServerTeam, ServerUser};
use crate::{RawJson, RestrictedReasonObject};

/// The object being read: its known fields are assigned by name, the rest go to `extra`.
trait Fields: Default {
    /// What the object is, for error messages.
    const EXPECTING: &'static str;

    /// Reads the value of the known field `key` from `map`; `Ok(false)` for an unknown one
    /// (its value not read yet).
    fn read_known<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;

    /// The unknown fields.
    fn extra(&mut self) -> &mut BTreeMap<String, RawJson>;
}

/// Reads an object of `T` from a map, refusing a field given twice (as serde's derive does).
struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Fields> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut object = T::default();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(A::Error::custom(format_args!("duplicate field `{key}`")));
            }
            if !object.read_known(&key, &mut map)? {
                let value: RawJson = map.next_value()?;
                object.extra().insert(key, value);
            }
        }
        Ok(object)
    }
}

/// Assigns the value of `key` to the field of the same name, for each listed field.
macro_rules! read_fields {
    ($object:ident, $key:ident, $map:ident; $($field:ident),* $(,)?) => {
        match $key {
            $(stringify!($field) => $object.$field = $map.next_value()?,)*
            _ => return Ok(false),
        }
    };
}

impl Fields for ServerUser {
    const EXPECTING: &'static str = "a stack auth server user object";

    fn read_known<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        if key == "restricted_reason" {
            let reason: Option<RestrictedReasonObject> = map.next_value()?;
            self.restricted_reason = reason.map(|r| r.kind);
            return Ok(true);
        }
        read_fields!(self, key, map;
            id, primary_email, primary_email_verified, primary_email_auth_enabled, display_name,
            selected_team, selected_team_id, profile_image_url, signed_up_at_millis, has_password,
            otp_auth_enabled, passkey_auth_enabled, client_metadata, client_read_only_metadata,
            server_metadata, last_active_at_millis, is_anonymous, is_restricted,
            restricted_by_admin, restricted_by_admin_reason, restricted_by_admin_private_details,
            country_code, risk_scores, oauth_providers, auth_with_email, requires_totp_mfa,
        );
        Ok(true)
    }

    fn extra(&mut self) -> &mut BTreeMap<String, RawJson> {
        &mut self.extra
    }
}

impl Fields for ServerTeam {
    const EXPECTING: &'static str = "a stack auth server team object";

    fn read_known<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        read_fields!(self, key, map;
            id, display_name, profile_image_url, created_at_millis, client_metadata,
            client_read_only_metadata, server_metadata,
        );
        Ok(true)
    }

    fn extra(&mut self) -> &mut BTreeMap<String, RawJson> {
        &mut self.extra
    }
}

impl<'de> Deserialize<'de> for ServerUser {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}

impl<'de> Deserialize<'de> for ServerTeam {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}
