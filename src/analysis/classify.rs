//! Decides whether a name, key, column or literal is personal data, and
//! which fideslang category it belongs to. Works from the embedded
//! vocabulary (`knowledge/vocabulary.toml`).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::knowledge::{self, Strength, Vocabulary};

/// The vocabulary compiled for fast lookups.
pub struct Classifier {
    /// Patterns indexed by their first (singularised) token.
    by_first_token: HashMap<String, Vec<CompiledPattern>>,
    person_objects: HashSet<String>,
    exclude_tokens: HashSet<String>,
    exclude_names: HashSet<String>,
    literals: Vec<(Regex, &'static str, &'static str)>,
    special: Vec<&'static str>,
    quasi: Vec<&'static str>,
}

struct CompiledPattern {
    tokens: Vec<String>,
    category: &'static str,
    strength: Strength,
    exclude_with: &'static [String],
}

/// A positive classification with the evidence for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    pub category: &'static str,
    pub strength: Strength,
}

/// Local parts of role accounts: an address like `support@…` is not a person's.
const ROLE_MAILBOXES: &[&str] = &[
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "support",
    "info",
    "admin",
    "contact",
    "hello",
    "team",
    "sales",
    "help",
    "security",
    "privacy",
    "billing",
    "webmaster",
    "postmaster",
    "abuse",
    "notifications",
    "feedback",
    "careers",
    "jobs",
    "press",
    "marketing",
    "legal",
    "git",
];

static CLASSIFIER: LazyLock<Classifier> =
    LazyLock::new(|| Classifier::new(&knowledge::get().vocabulary));

pub fn get() -> &'static Classifier {
    &CLASSIFIER
}

/// Splits an identifier, key or column name into lowercase words:
/// `customerEmail_address2` → `customer`, `email`, `address`, `2`.
pub fn tokens(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    if name.is_ascii() {
        let bytes = name.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if !b.is_ascii_alphanumeric() {
                flush(&mut current, &mut out);
                continue;
            }
            if i > 0 {
                let prev = bytes[i - 1];
                let next = bytes.get(i + 1).copied();
                let boundary = (prev.is_ascii_lowercase() && b.is_ascii_uppercase())
                    || (prev.is_ascii_uppercase()
                        && b.is_ascii_uppercase()
                        && next.is_some_and(|n| n.is_ascii_lowercase()))
                    || (prev.is_ascii_digit() != b.is_ascii_digit()
                        && prev.is_ascii_alphanumeric());
                if boundary {
                    flush(&mut current, &mut out);
                }
            }
            current.push(b.to_ascii_lowercase() as char);
        }
        flush(&mut current, &mut out);
        return out;
    }
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            flush(&mut current, &mut out);
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
            let next = chars.get(i + 1).copied();
            let boundary = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_uppercase()
                    && c.is_uppercase()
                    && next.is_some_and(char::is_lowercase))
                || (prev.is_ascii_digit() != c.is_ascii_digit() && prev.is_alphanumeric());
            if boundary {
                flush(&mut current, &mut out);
            }
        }
        current.extend(c.to_lowercase());
    }
    flush(&mut current, &mut out);
    out
}

fn flush(current: &mut String, out: &mut Vec<String>) {
    if !current.is_empty() {
        out.push(std::mem::take(current));
    }
}

/// A crude singular form so that `emails`, `addresses` and `phone_numbers`
/// match the vocabulary's singular patterns.
fn singular(token: &str) -> &str {
    if token.len() <= 3 {
        return token;
    }
    if let Some(stem) = token.strip_suffix("sses") {
        return &token[..stem.len() + 2];
    }
    if token.ends_with("ss") || token.ends_with("us") || token.ends_with("is") {
        return token;
    }
    token.strip_suffix('s').unwrap_or(token)
}

impl Classifier {
    fn new(vocabulary: &'static Vocabulary) -> Classifier {
        let mut by_first_token: HashMap<String, Vec<CompiledPattern>> = HashMap::default();
        for term in &vocabulary.terms {
            for pattern in &term.patterns {
                let toks: Vec<String> = tokens(pattern)
                    .iter()
                    .map(|t| singular(t).to_string())
                    .collect();
                let Some(first) = toks.first().cloned() else {
                    continue;
                };
                by_first_token
                    .entry(first)
                    .or_default()
                    .push(CompiledPattern {
                        tokens: toks,
                        category: term.category.as_str(),
                        strength: term.strength,
                        exclude_with: &term.exclude_with,
                    });
            }
        }
        let literals = vocabulary
            .literals
            .iter()
            .filter_map(|l| {
                Regex::new(&l.regex)
                    .ok()
                    .map(|re| (re, l.category.as_str(), l.name.as_str()))
            })
            .collect();
        Classifier {
            by_first_token,
            person_objects: vocabulary
                .person_objects
                .iter()
                .map(|w| w.to_lowercase())
                .collect(),
            exclude_tokens: vocabulary
                .exclude_tokens
                .iter()
                .map(|w| w.to_lowercase())
                .collect(),
            exclude_names: vocabulary
                .exclude_names
                .iter()
                .map(|w| tokens(w).join("_"))
                .collect(),
            literals,
            special: vocabulary
                .special_categories
                .iter()
                .map(String::as_str)
                .collect(),
            quasi: vocabulary
                .quasi_identifiers
                .iter()
                .map(String::as_str)
                .collect(),
        }
    }

    /// Whether the text names a person-like object (`patient`, `customer`, `request.user`).
    pub fn mentions_person(&self, text: &str) -> bool {
        tokens(text).iter().any(|t| self.is_person_token(t))
    }

    fn is_person_token(&self, token: &str) -> bool {
        self.person_objects.contains(token) || self.person_objects.contains(singular(token))
    }

    /// Classifies a name. `person_context` says whether the name is read off a
    /// person-like object (`patient.name`), which lets contextual terms count.
    pub fn classify_name(&self, name: &str, person_context: bool) -> Option<Classification> {
        if name.len() > 128 {
            return None;
        }
        let toks = tokens(name);
        if toks.is_empty()
            || toks
                .iter()
                .any(|t| self.exclude_tokens.contains(t.as_str()))
        {
            return None;
        }
        if !self.exclude_names.is_empty() && self.exclude_names.contains(&toks.join("_")) {
            return None;
        }
        let singular_toks: Vec<&str> = toks.iter().map(|t| singular(t)).collect();
        let context = person_context || toks.iter().any(|t| self.is_person_token(t));
        let mut best: Option<&CompiledPattern> = None;
        for start in 0..singular_toks.len() {
            let Some(candidates) = self.by_first_token.get(singular_toks[start]) else {
                continue;
            };
            for cand in candidates {
                let end = start + cand.tokens.len();
                if end > singular_toks.len()
                    || !cand
                        .tokens
                        .iter()
                        .zip(&singular_toks[start..end])
                        .all(|(a, b)| a == b)
                {
                    continue;
                }
                if cand.strength == Strength::Contextual && !context {
                    continue;
                }
                if cand
                    .exclude_with
                    .iter()
                    .any(|x| toks.iter().any(|t| t.eq_ignore_ascii_case(x)))
                {
                    continue;
                }
                if best.is_none_or(|b| cand.tokens.len() > b.tokens.len()) {
                    best = Some(cand);
                }
            }
        }
        best.map(|p| Classification {
            category: p.category,
            strength: p.strength,
        })
    }

    /// Personal values written literally in a string: e-mail addresses,
    /// phone numbers, national ids. Returns the category and a description.
    pub fn classify_literal(&self, text: &str) -> Option<(&'static str, &'static str)> {
        if text.len() > 4096 {
            return None;
        }
        let has_at = text.contains('@');
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        if !has_at && digits < 7 {
            return None;
        }
        for (re, category, name) in &self.literals {
            for m in re.find_iter(text) {
                if category.starts_with("user.contact.email") && is_role_mailbox(m.as_str()) {
                    continue;
                }
                return Some((category, name));
            }
        }
        None
    }

    pub fn is_special(&self, category: &str) -> bool {
        self.special
            .iter()
            .any(|s| knowledge::key_has_prefix(category, s))
    }

    /// How many distinct quasi-identifiers (entries of the vocabulary's list)
    /// the categories cover.
    pub fn quasi_identifier_groups(&self, categories: &[String]) -> usize {
        self.quasi
            .iter()
            .filter(|q| categories.iter().any(|c| knowledge::key_has_prefix(c, q)))
            .count()
    }

    pub fn is_quasi_identifier(&self, category: &str) -> bool {
        self.quasi
            .iter()
            .any(|s| knowledge::key_has_prefix(category, s))
    }
}

fn is_role_mailbox(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or("").to_ascii_lowercase();
    ROLE_MAILBOXES.iter().any(|r| local == *r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenises_every_naming_style() {
        assert_eq!(
            tokens("customerEmail_address2"),
            ["customer", "email", "address", "2"]
        );
        assert_eq!(tokens("HTTPServerName"), ["http", "server", "name"]);
        assert_eq!(tokens("date-of-birth"), ["date", "of", "birth"]);
        assert_eq!(tokens("DOB"), ["dob"]);
    }

    #[test]
    fn singularises_plurals() {
        assert_eq!(singular("emails"), "email");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("address"), "address");
        assert_eq!(singular("diagnosis"), "diagnosis");
    }
}
