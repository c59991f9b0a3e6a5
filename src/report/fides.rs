//! The inventory as a Fides `system` manifest (`report --format fides`):
//! one system for the analysed code, whose `privacy_declarations` come from
//! the `@data-use` tags, so the code's declarations flow into a Fides
//! privacy program (`fides push`, or the Fides UI's import).
//!
//! - One declaration per data use, AI system and lawful basis: its
//!   `data_categories` are the categories the tags declare (`data=`), its
//!   `data_subjects` the tags' `subject=`, `legal_basis_for_processing` the
//!   `basis=` in Fides' wording, `retention_period` the `retention=`, and
//!   `impact_assessment_location` the `ref=`. Hosted providers are recorded as
//!   third parties with the shared categories; special categories set
//!   `processes_special_category_data`.
//! - Flows no tag declares are **not** turned into declarations: a
//!   declaration asserts a purpose, and the tool cannot know it. They are
//!   listed as YAML comments at the end, with the categories and the call,
//!   so the gap is visible in review. Categories a partial tag misses are
//!   commented under its declaration the same way.
//! - Keys that are not in the fideslang taxonomy (PL202 reports them) are
//!   left out, with a comment, so the manifest always loads.
//!
//! The YAML is written by hand: block style, every string double-quoted
//! (JSON string syntax, which YAML accepts), so no value can be misread.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::inventory::Inventory;
use crate::finding::Status;
use crate::knowledge::{self, key_has_prefix};

#[derive(Debug, Clone)]
pub struct FidesOptions {
    /// The system's `fides_key`.
    pub fides_key: String,
    /// The system's `name`.
    pub name: String,
    pub organization: String,
}

/// A Fides key from free text: letters, digits and `_` (Fides allows
/// `[A-Za-z0-9_.<>-]`; underscores keep it readable).
pub fn fides_key(text: &str) -> String {
    let mut key = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_').to_string();
    if key.is_empty() {
        "ai_system".to_string()
    } else {
        key
    }
}

/// Whether `key` is a valid Fides key (`FidesKey`: `[A-Za-z0-9_.<>-]+`).
pub fn is_fides_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.<>-".contains(c))
}

/// Fides' wording of a GDPR Art. 6 basis (`LegalBasisForProcessingEnum`).
pub fn legal_basis(basis: &str) -> Option<&'static str> {
    Some(match basis {
        "consent" => "Consent",
        "contract" => "Contract",
        "legal_obligation" => "Legal obligations",
        "vital_interests" => "Vital interests",
        "public_task" => "Public interest",
        "legitimate_interests" => "Legitimate interests",
        _ => return None,
    })
}

/// `30d` → `30 days`, `1y` → `1 year`; anything else as written.
pub fn retention_text(retention: &str) -> String {
    let (number, unit) = retention.split_at(retention.len().saturating_sub(1));
    let Ok(n) = number.parse::<u64>() else {
        return retention.to_string();
    };
    let word = match unit {
        "d" => "day",
        "w" => "week",
        "m" => "month",
        "y" => "year",
        _ => return retention.to_string(),
    };
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// One privacy declaration being assembled.
#[derive(Default)]
struct Declaration {
    name: String,
    data_use: String,
    categories: Vec<String>,
    subjects: Vec<String>,
    basis: Option<&'static str>,
    retention: Vec<String>,
    references: Vec<String>,
    safeguards: Vec<String>,
    third_party: Option<String>,
    special: bool,
    calls: Vec<String>,
    /// Comments: categories not declared, keys left out.
    notes: Vec<String>,
}

pub fn write(out: &mut dyn Write, inventory: &Inventory, options: &FidesOptions) -> io::Result<()> {
    let taxonomy = &knowledge::get().taxonomy;
    let special = &knowledge::get().vocabulary.special_categories;
    let mut declarations: BTreeMap<(String, String, String), Declaration> = BTreeMap::new();
    let mut undeclared = Vec::new();

    for flow in &inventory.flows {
        let Some(system) = inventory.system(&flow.system) else {
            continue;
        };
        let call = format!("{}:{} {}", flow.path, flow.line, flow.api);
        let Some(tag) = &flow.tag else {
            undeclared.push(format!(
                "{call} ({}): {}",
                system.name,
                flow.categories.join(", ")
            ));
            continue;
        };
        if taxonomy.data_use(&tag.data_use).is_none() {
            undeclared.push(format!(
                "{call} ({}): {} (the tag's use `{}` is not a fideslang data use)",
                system.name,
                flow.categories.join(", "),
                tag.data_use
            ));
            continue;
        }
        let basis_key = tag.basis.clone().unwrap_or_default();
        let decl = declarations
            .entry((tag.data_use.clone(), system.id.clone(), basis_key))
            .or_insert_with(|| Declaration {
                name: format!("{} via {}", tag.data_use, system.name),
                data_use: tag.data_use.clone(),
                basis: tag.basis.as_deref().and_then(legal_basis),
                third_party: system.third_party.then(|| system.provider.clone()),
                ..Declaration::default()
            });
        decl.calls.push(call.clone());
        for category in &tag.data {
            if taxonomy.category(category).is_some() {
                decl.categories.push(category.clone());
                decl.special |= special.iter().any(|s| key_has_prefix(category, s));
            } else {
                decl.notes.push(format!(
                    "left out `{category}` (not a fideslang data category), declared at {call}"
                ));
            }
        }
        if let Some(subject) = &tag.subject {
            if taxonomy.data_subject(subject).is_some() {
                decl.subjects.push(subject.clone());
            } else {
                decl.notes.push(format!(
                    "left out subject `{subject}` (not a fideslang data subject), declared at {call}"
                ));
            }
        }
        if tag.basis.is_some() && decl.basis.is_none() {
            decl.notes.push(format!(
                "left out basis `{}` (not a GDPR Art. 6 basis), declared at {call}",
                tag.basis.as_deref().unwrap_or_default()
            ));
        }
        decl.retention
            .extend(tag.retention.iter().map(|r| retention_text(r)));
        decl.references.extend(tag.reference.iter().cloned());
        decl.safeguards.extend(tag.safeguards.iter().cloned());
        if flow.status != Status::Declared {
            decl.notes.push(format!(
                "not declared by the tag at {call}: {}",
                flow.undeclared_categories.join(", ")
            ));
        }
    }

    writeln!(
        out,
        "# Fides system manifest generated by privacy-lens {} from {}.",
        inventory.tool.version,
        comment(&inventory.scope.join(", "))
    )?;
    writeln!(
        out,
        "# Privacy declarations come from the @data-use tags in the code. Flows no tag"
    )?;
    writeln!(
        out,
        "# declares are listed as comments at the end: declare them in the code."
    )?;
    writeln!(out, "system:")?;
    writeln!(out, "  - fides_key: {}", quote(&options.fides_key))?;
    writeln!(
        out,
        "    organization_fides_key: {}",
        quote(&options.organization)
    )?;
    writeln!(out, "    name: {}", quote(&options.name))?;
    let providers: Vec<&str> = inventory
        .systems
        .iter()
        .map(|s| s.provider.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let description = if providers.is_empty() {
        "No personal data reaches an AI call.".to_string()
    } else {
        format!(
            "Sends personal data to AI systems ({}); {} of {} flows declared in code.",
            providers.join(", "),
            inventory.summary.declared,
            inventory.summary.flows
        )
    };
    writeln!(out, "    description: {}", quote(&description))?;
    writeln!(out, "    system_type: \"Service\"")?;
    writeln!(
        out,
        "    processes_personal_data: {}",
        !inventory.flows.is_empty()
    )?;
    writeln!(out, "    meta:")?;
    writeln!(
        out,
        "      generated_by: {}",
        quote(&format!("privacy-lens {}", inventory.tool.version))
    )?;
    if declarations.is_empty() {
        writeln!(out, "    privacy_declarations: []")?;
    } else {
        writeln!(out, "    privacy_declarations:")?;
    }
    for decl in declarations.values_mut() {
        for list in [
            &mut decl.categories,
            &mut decl.subjects,
            &mut decl.retention,
            &mut decl.references,
            &mut decl.safeguards,
            &mut decl.calls,
        ] {
            list.sort();
            list.dedup();
        }
        // A parent declared alongside its child says nothing more.
        let categories = decl.categories.clone();
        decl.categories
            .retain(|c| !categories.iter().any(|p| p != c && key_has_prefix(c, p)));
        for call in &decl.calls {
            writeln!(out, "      # {}", comment(call))?;
        }
        if !decl.safeguards.is_empty() {
            writeln!(
                out,
                "      # safeguards: {}",
                comment(&decl.safeguards.join(", "))
            )?;
        }
        for note in &decl.notes {
            writeln!(out, "      # {}", comment(note))?;
        }
        writeln!(out, "      - name: {}", quote(&decl.name))?;
        writeln!(out, "        data_use: {}", quote(&decl.data_use))?;
        list(out, "data_categories", &decl.categories)?;
        list(out, "data_subjects", &decl.subjects)?;
        if let Some(basis) = decl.basis {
            writeln!(out, "        legal_basis_for_processing: {}", quote(basis))?;
        }
        if !decl.retention.is_empty() {
            writeln!(
                out,
                "        retention_period: {}",
                quote(&decl.retention.join(", "))
            )?;
        }
        if !decl.references.is_empty() {
            writeln!(
                out,
                "        impact_assessment_location: {}",
                quote(&decl.references.join(", "))
            )?;
        }
        writeln!(
            out,
            "        processes_special_category_data: {}",
            decl.special
        )?;
        match &decl.third_party {
            Some(provider) => {
                writeln!(out, "        data_shared_with_third_parties: true")?;
                writeln!(out, "        third_parties: {}", quote(provider))?;
                list(out, "shared_categories", &decl.categories)?;
            }
            None => writeln!(out, "        data_shared_with_third_parties: false")?,
        }
    }
    if !undeclared.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "# Undeclared flows ({}): personal data reaches these AI calls without a",
            undeclared.len()
        )?;
        writeln!(
            out,
            "# @data-use tag, so they have no declaration above. Categories detected:"
        )?;
        for line in &undeclared {
            writeln!(out, "#   {}", comment(line))?;
        }
    }
    if inventory.flows.is_empty() {
        writeln!(out, "# No AI call receives personal data.")?;
    }
    Ok(())
}

fn list(out: &mut dyn Write, key: &str, items: &[String]) -> io::Result<()> {
    if items.is_empty() {
        return writeln!(out, "        {key}: []");
    }
    writeln!(out, "        {key}:")?;
    for item in items {
        writeln!(out, "          - {}", quote(item))?;
    }
    Ok(())
}

/// A YAML double-quoted scalar (JSON string syntax is a subset of it).
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// Text for a `#` comment: one line.
fn comment(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_bases_and_retention() {
        assert_eq!(fides_key("support-assistant"), "support_assistant");
        assert_eq!(fides_key("../"), "ai_system");
        assert!(is_fides_key(&fides_key("Acme support assistant!")));
        assert!(!is_fides_key("acme support") && !is_fides_key(""));
        assert_eq!(legal_basis("public_task"), Some("Public interest"));
        assert_eq!(legal_basis("whim"), None);
        assert_eq!(retention_text("30d"), "30 days");
        assert_eq!(retention_text("1y"), "1 year");
        assert_eq!(retention_text("forever"), "forever");
        assert_eq!(quote("a \"b\"\n"), "\"a \\\"b\\\"\\n\"");
    }
}
