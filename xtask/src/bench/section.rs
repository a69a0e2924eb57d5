//! The sections of `BENCHMARKS.md` that a bench run of their own writes ("HTTP", "Redis"):
//! found by their `## ` heading, replaced in place, or put before the method section.

/// The section under `heading` of an existing report, if it has one (up to the next `## `).
pub(crate) fn section_of<'a>(report: &'a str, heading: &str) -> Option<&'a str> {
    let start = find_heading(report, heading)?;
    let rest = &report[start..];
    let end = rest[heading.len()..]
        .find("\n## ")
        .map_or(rest.len(), |i| heading.len() + i + 1);
    Some(&rest[..end])
}

/// `report` with its `heading` section replaced by `section`, or with `section` put before the
/// method section (at the end when there is none).
pub(crate) fn splice(report: &str, heading: &str, section: &str) -> String {
    if let Some(old) = section_of(report, heading) {
        return report.replacen(old, section, 1);
    }
    match find_heading(report, "## How each number is measured") {
        Some(at) => format!("{}{section}{}", &report[..at], &report[at..]),
        None if report.is_empty() => format!("# Benchmarks\n\n{section}"),
        None => format!("{}\n\n{section}", report.trim_end()),
    }
}

/// Where the line `heading` starts.
fn find_heading(report: &str, heading: &str) -> Option<usize> {
    if report.starts_with(&format!("{heading}\n")) {
        return Some(0);
    }
    report.find(&format!("\n{heading}\n")).map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_found_by_their_own_heading() {
        let report =
            "# B\n\n## HTTP\n\nh\n\n## Redis\n\nold\n\n## How each number is measured\n\nm\n";
        assert_eq!(section_of(report, "## Redis"), Some("## Redis\n\nold\n\n"));
        assert_eq!(
            splice(report, "## Redis", "## Redis\n\nnew\n\n"),
            "# B\n\n## HTTP\n\nh\n\n## Redis\n\nnew\n\n## How each number is measured\n\nm\n"
        );
        assert_eq!(section_of(report, "## Redi"), None);
    }
}
