//! The AI data-flow inventory (`privacy-lens report`): where personal data
//! meets AI in a codebase, grouped by AI system — a provider and a kind of
//! AI call, e.g. "OpenAI, LLM inference" — with the categories that reach
//! it, their sources, the declared uses, lawful bases and safeguards from
//! the `@data-use` tags, and the flows no tag declares.
//!
//! This module builds the plain model; [`super::markdown`], [`super::html`]
//! and [`super::fides`] render it, and it serialises as the `--format json`
//! document (versioned like the findings contract).

use std::collections::BTreeMap;

use serde::Serialize;

use super::json::Tool;
use super::{fingerprint, path_string, position, range, recognised_sinks, text_for};
use crate::check::CheckResult;
use crate::finding::{DataUseTag, Severity, SinkKind, Status};
use crate::knowledge::{self, key_has_prefix};

/// Version of the JSON document.
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Inventory {
    pub version: u32,
    pub tool: Tool,
    /// The paths that were analysed, as given.
    pub scope: Vec<String>,
    pub summary: Summary,
    /// Sorted by provider, then kind.
    pub systems: Vec<AiSystem>,
    /// Every category that reaches an AI system, sorted by key.
    pub categories: Vec<CategoryUse>,
    /// Every AI call that receives personal data, by path and position.
    pub flows: Vec<Flow>,
    /// The AI calls recognised that receive no personal data, so the
    /// inventory shows the whole AI surface and what was checked.
    pub other_calls: Vec<OtherCall>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OtherCall {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub provider: String,
    pub kind: SinkKind,
    pub api: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub lines: usize,
    pub systems: usize,
    pub flows: usize,
    pub declared: usize,
    pub partially_declared: usize,
    pub undeclared: usize,
    /// Findings about tags themselves (unknown keys, orphaned tags, …).
    pub tag_problems: usize,
}

/// A provider and a kind of AI call.
#[derive(Debug, Clone, Serialize)]
pub struct AiSystem {
    /// Stable slug, e.g. `openai-llm-inference`.
    pub id: String,
    /// Human name, e.g. `OpenAI · LLM inference`.
    pub name: String,
    pub provider: String,
    pub kind: SinkKind,
    /// Whether the data leaves for a third party (a hosted provider).
    pub third_party: bool,
    pub apis: Vec<String>,
    pub categories: Vec<String>,
    /// Declared data uses (fideslang keys) from the tags.
    pub uses: Vec<String>,
    pub bases: Vec<String>,
    pub safeguards: Vec<String>,
    pub retention: Vec<String>,
    pub references: Vec<String>,
    pub subjects: Vec<String>,
    /// Indices into [`Inventory::flows`].
    pub flows: Vec<usize>,
    pub undeclared_flows: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryUse {
    pub category: String,
    /// The fideslang name, e.g. `Email`.
    pub name: String,
    /// Ids of the AI systems it reaches.
    pub systems: Vec<String>,
    /// Whether every flow carrying it is declared by a tag that covers it.
    pub declared: bool,
}

/// One AI call that receives personal data (all findings on that call merged).
#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// Id of the [`AiSystem`].
    pub system: String,
    pub api: String,
    /// Rule codes reported on this call, e.g. `["PL105", "PL120"]`.
    pub codes: Vec<&'static str>,
    pub severity: Severity,
    pub categories: Vec<String>,
    pub sources: Vec<FlowSource>,
    pub status: Status,
    pub tag: Option<DataUseTag>,
    /// Detected categories the tag does not declare (all of them when
    /// there is no tag).
    pub undeclared_categories: Vec<String>,
    /// The flow identity shared with SARIF and `check --diff`.
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FlowSource {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub category: String,
    pub evidence: String,
}

/// Short human label of a sink kind, for tables and diagrams.
pub fn kind_label(kind: SinkKind) -> &'static str {
    match kind {
        SinkKind::LlmInference => "LLM inference",
        SinkKind::LocalInference => "local inference",
        SinkKind::Embedding => "embedding",
        SinkKind::VectorStore => "vector store",
        SinkKind::Training => "training",
        SinkKind::FineTuning => "fine-tuning",
        SinkKind::DatasetUpload => "dataset upload",
    }
}

/// Whether data sent to `provider` leaves for a third party.
pub fn is_third_party(provider: &str) -> bool {
    match knowledge::base::get().provider(provider) {
        Some(known) => !known.local,
        None => !provider.to_ascii_lowercase().contains("local"),
    }
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Whether a tag's `data` declares `category` (a parent covers its children).
pub fn declares(tag: &DataUseTag, category: &str) -> bool {
    tag.data.iter().any(|d| key_has_prefix(category, d))
}

/// Builds the inventory of a run. `scope` names what was analysed.
pub fn build(result: &CheckResult, scope: &[String]) -> Inventory {
    // Merge the findings on one call: (path, start, end, api) → flow.
    let mut merged: BTreeMap<(String, usize, usize, String), Flow> = BTreeMap::new();
    let mut tag_problems = 0;
    for file in &result.files {
        let prints = fingerprint::occurrences(&file.path, &file.analysis.findings);
        for (finding, (print, occurrence)) in file.analysis.findings.iter().zip(prints) {
            let Some(sink) = &finding.sink else {
                tag_problems += 1;
                continue;
            };
            let path = path_string(&file.path);
            let at = range(file.text.as_deref(), &finding.span).start;
            let key = (
                path.clone(),
                finding.span.start_byte,
                finding.span.end_byte,
                sink.api.clone(),
            );
            let sources = finding.sources.iter().map(|s| {
                let text = text_for(result, file, s.file.as_deref());
                let p = position(text, s.span.start_byte, s.span.start);
                FlowSource {
                    path: path_string(s.file.as_deref().unwrap_or(&file.path)),
                    line: p.line,
                    column: p.column,
                    category: s.category.clone(),
                    evidence: s.evidence.clone(),
                }
            });
            let flow = merged.entry(key).or_insert_with(|| Flow {
                path,
                line: at.line,
                column: at.column,
                system: slug(&format!("{} {}", sink.provider, kind_label(sink.kind))),
                api: sink.api.clone(),
                codes: Vec::new(),
                severity: finding.severity,
                categories: Vec::new(),
                sources: Vec::new(),
                status: finding.status,
                tag: finding.tag.clone(),
                undeclared_categories: Vec::new(),
                fingerprint: format!("{print}:{occurrence}"),
            });
            if !flow.codes.contains(&finding.code) {
                flow.codes.push(finding.code);
            }
            flow.severity = flow.severity.max(finding.severity);
            if flow.tag.is_none() {
                flow.tag = finding.tag.clone();
            }
            flow.categories.extend(finding.categories.iter().cloned());
            flow.sources.extend(sources);
        }
    }

    let mut flows: Vec<Flow> = merged.into_values().collect();
    let mut systems: BTreeMap<String, AiSystem> = BTreeMap::new();
    for flow in &mut flows {
        flow.categories.sort();
        flow.categories.dedup();
        flow.sources.sort();
        flow.sources.dedup();
        flow.undeclared_categories = flow
            .categories
            .iter()
            .filter(|c| !flow.tag.as_ref().is_some_and(|t| declares(t, c)))
            .cloned()
            .collect();
        // The flow's status, as the engine decides it for flow findings (a
        // PL110 on the same call is undeclared whatever the tag says).
        flow.status = match &flow.tag {
            None => Status::Undeclared,
            Some(_) if flow.undeclared_categories.is_empty() => Status::Declared,
            Some(_) => Status::PartiallyDeclared,
        };
    }
    // Systems need the provider and kind, which the flow keeps in its id only.
    for file in &result.files {
        for finding in &file.analysis.findings {
            let Some(sink) = &finding.sink else { continue };
            let id = slug(&format!("{} {}", sink.provider, kind_label(sink.kind)));
            systems.entry(id.clone()).or_insert_with(|| AiSystem {
                name: format!("{} · {}", sink.provider, kind_label(sink.kind)),
                id,
                provider: sink.provider.clone(),
                kind: sink.kind,
                third_party: is_third_party(&sink.provider),
                apis: Vec::new(),
                categories: Vec::new(),
                uses: Vec::new(),
                bases: Vec::new(),
                safeguards: Vec::new(),
                retention: Vec::new(),
                references: Vec::new(),
                subjects: Vec::new(),
                flows: Vec::new(),
                undeclared_flows: 0,
            });
        }
    }
    for (index, flow) in flows.iter().enumerate() {
        let Some(system) = systems.get_mut(&flow.system) else {
            continue;
        };
        system.flows.push(index);
        system.apis.push(flow.api.clone());
        system.categories.extend(flow.categories.iter().cloned());
        if flow.status != Status::Declared {
            system.undeclared_flows += 1;
        }
        if let Some(tag) = &flow.tag {
            system.uses.push(tag.data_use.clone());
            system.bases.extend(tag.basis.iter().cloned());
            system.safeguards.extend(tag.safeguards.iter().cloned());
            system.retention.extend(tag.retention.iter().cloned());
            system.references.extend(tag.reference.iter().cloned());
            system.subjects.extend(tag.subject.iter().cloned());
        }
    }
    let mut systems: Vec<AiSystem> = systems.into_values().collect();
    for system in &mut systems {
        for list in [
            &mut system.apis,
            &mut system.categories,
            &mut system.uses,
            &mut system.bases,
            &mut system.safeguards,
            &mut system.retention,
            &mut system.references,
            &mut system.subjects,
        ] {
            list.sort();
            list.dedup();
        }
    }
    systems.sort_by(|a, b| (&a.provider, a.kind).cmp(&(&b.provider, b.kind)));

    let taxonomy = &knowledge::get().taxonomy;
    let mut categories: BTreeMap<String, CategoryUse> = BTreeMap::new();
    for flow in &flows {
        for category in &flow.categories {
            let entry = categories
                .entry(category.clone())
                .or_insert_with(|| CategoryUse {
                    category: category.clone(),
                    name: taxonomy
                        .category(category)
                        .map(|c| c.name.clone())
                        .unwrap_or_default(),
                    systems: Vec::new(),
                    declared: true,
                });
            if !entry.systems.contains(&flow.system) {
                entry.systems.push(flow.system.clone());
            }
            if flow.undeclared_categories.contains(category) {
                entry.declared = false;
            }
        }
    }
    let categories: Vec<CategoryUse> = categories
        .into_values()
        .map(|mut c| {
            c.systems.sort();
            c
        })
        .collect();

    let other_calls = recognised_sinks(result)
        .filter(|(_, _, personal_data)| !personal_data)
        .map(|(file, rs, _)| {
            let at = position(file.text.as_deref(), rs.span.start_byte, rs.span.start);
            OtherCall {
                path: path_string(&file.path),
                line: at.line,
                column: at.column,
                provider: rs.sink.provider.clone(),
                kind: rs.sink.kind,
                api: rs.sink.api.clone(),
            }
        })
        .collect();

    let count = |status: Status| flows.iter().filter(|f| f.status == status).count();
    let summary = Summary {
        files: result.totals.files,
        lines: result.totals.lines,
        systems: systems.len(),
        flows: flows.len(),
        declared: count(Status::Declared),
        partially_declared: count(Status::PartiallyDeclared),
        undeclared: count(Status::Undeclared),
        tag_problems,
    };
    Inventory {
        version: VERSION,
        tool: Tool::this(),
        scope: scope.to_vec(),
        summary,
        systems,
        categories,
        flows,
        other_calls,
    }
}

impl Inventory {
    pub fn system(&self, id: &str) -> Option<&AiSystem> {
        self.systems.iter().find(|s| s.id == id)
    }

    /// Whether `category` reaches `system` only through flows whose tags declare it.
    pub fn edge_declared(&self, category: &str, system: &str) -> bool {
        self.flows
            .iter()
            .filter(|f| f.system == system && f.categories.iter().any(|c| c == category))
            .all(|f| !f.undeclared_categories.iter().any(|c| c == category))
    }

    /// (category, system id, declared) for every category that reaches a system.
    pub fn edges(&self) -> Vec<(&str, &str, bool)> {
        let mut edges = Vec::new();
        for category in &self.categories {
            for system in &category.systems {
                edges.push((
                    category.category.as_str(),
                    system.as_str(),
                    self.edge_declared(&category.category, system),
                ));
            }
        }
        edges
    }
}

/// Writes the inventory as pretty JSON followed by a newline.
pub fn write_json(out: &mut dyn std::io::Write, inventory: &Inventory) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, inventory)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_stable_ids() {
        assert_eq!(slug("OpenAI LLM inference"), "openai-llm-inference");
        assert_eq!(
            slug("scikit-learn (local) training"),
            "scikit-learn-local-training"
        );
    }

    #[test]
    fn parents_declare_children() {
        let tag = DataUseTag {
            data_use: "essential.service".into(),
            data: vec!["user.contact".into()],
            ..DataUseTag::default()
        };
        assert!(declares(&tag, "user.contact.email"));
        assert!(!declares(&tag, "user.name"));
    }
}
