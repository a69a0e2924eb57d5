//! Ids as Stack Auth's schemas take them: user and team ids are UUIDs (PROTOCOL §10.0), so a
//! string that is not one names nothing and is answered without a request.

/// Whether `id` is a UUID in the 8-4-4-4-12 hex form (either case).
pub(crate) fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_uuids_pass() {
        assert!(is_uuid("3241a285-8329-4d69-8f3d-316e08cf140c"));
        assert!(is_uuid("3241A285-8329-4D69-8F3D-316E08CF140C"));
        for bad in [
            "",
            "me",
            "3241a2858329-4d69-8f3d-316e08cf140c",
            "3241a285-8329-4d69-8f3d-316e08cf140",
            "3241a285-8329-4d69-8f3d-316e08cf140g",
            "3241a285-8329-4d69-8f3d-316e08cf140c-",
            "../../users/me",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }
}
