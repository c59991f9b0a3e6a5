//! The identity of a flow across revisions: what makes two findings in two
//! versions of a project "the same flow". SARIF `partialFingerprints` and
//! `check --diff BASE` both use it.
//!
//! The identity is made of what a reviewer would call the flow — the rule,
//! the file, the AI call's API, the categories, the status and the sources
//! (category and evidence, plus the source's file when it is another one) —
//! and never of line or column numbers, so editing code above a flow does
//! not make it new. Findings about tags have no sink; their message (which
//! names the tag's keys, not its position) stands in for it.
//!
//! Two identical flows in one file (the same data sent twice to the same
//! API) share an identity; [`occurrences`] numbers them in file order so
//! each keeps its own fingerprint, as CodeQL does with its line hashes.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::path_string;
use crate::finding::Finding;

/// The fingerprint key in SARIF `partialFingerprints`; the version changes
/// when the identity's definition does.
pub const SARIF_KEY: &str = "privacyLensFlow/v1";

/// The text the identity is made of, one field per line (for debugging and
/// tests; [`fingerprint`] hashes it).
pub fn identity(path: &Path, finding: &Finding) -> String {
    let mut out = String::new();
    out.push_str(finding.code);
    out.push('\n');
    out.push_str(&path_string(path));
    out.push('\n');
    match &finding.sink {
        Some(sink) => out.push_str(&sink.api),
        // Tag findings: the message names the tag and its keys.
        None => out.push_str(&finding.message),
    }
    out.push('\n');
    out.push_str(&finding.categories.join(","));
    out.push('\n');
    out.push_str(finding.status.as_str());
    out.push('\n');
    let sources: BTreeSet<String> = finding
        .sources
        .iter()
        .map(|s| {
            let file = s.file.as_deref().map(path_string).unwrap_or_default();
            format!("{file}|{}|{}", s.category, s.evidence)
        })
        .collect();
    for source in sources {
        out.push_str(&source);
        out.push('\n');
    }
    out
}

/// 16 hex digits identifying the flow (FNV-1a, 64 bits: stable across
/// platforms, releases and runs, unlike `std`'s hasher).
pub fn fingerprint(path: &Path, finding: &Finding) -> String {
    format!("{:016x}", fnv1a(identity(path, finding).as_bytes()))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(PRIME))
}

/// The fingerprint of each finding of one file, in order, with its
/// occurrence number (0 for the first finding with that fingerprint in the
/// file, 1 for the second, …).
pub fn occurrences<'a>(
    path: &Path,
    findings: impl IntoIterator<Item = &'a Finding>,
) -> Vec<(String, usize)> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    findings
        .into_iter()
        .map(|finding| {
            let print = fingerprint(path, finding);
            let count = seen.entry(print.clone()).or_default();
            let occurrence = *count;
            *count += 1;
            (print, occurrence)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
