//! The AI privacy knowledge base: risks, legal hooks, provider terms,
//! mitigations and the tag vocabulary, rendered as short Markdown for hovers
//! and `privacy-lens explain`.
//!
//! The facts live in data files next to this one, embedded at build time and
//! parsed once:
//!
//! - `risks.toml`: the sink kinds and the AI-specific risks, each with its key
//!   figure and sources;
//! - `mitigations.toml`: what to do, per sink kind, and the `safeguards=`
//!   value that records it in a tag;
//! - `legal.toml`: laws, legal hooks per group of data categories, and notes
//!   per data use;
//! - `providers.toml`: what hosted AI APIs do with data, each fact with the
//!   month it was checked;
//! - `tags.toml`: the data-use tag fields and the GDPR Art. 6 bases.
//!
//! `tests/knowledge_base.rs` checks the data: sources, figures, dates and
//! that every category and id referenced exists.

use std::fmt::Write as _;
use std::sync::LazyLock;

use serde::Deserialize;

use super::key_has_prefix;
use crate::finding::SinkKind;

/// What a sink kind does with the data it receives.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindInfo {
    pub id: SinkKind,
    pub name: String,
    /// One sentence: the consequence of sending personal data to this kind of call.
    pub headline: String,
}

/// An AI-specific privacy risk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    pub id: String,
    pub name: String,
    /// Sink kinds the risk applies to.
    #[serde(default)]
    pub kinds: Vec<SinkKind>,
    /// Categories (prefix match) that make the risk apply to any kind and
    /// put it first, once `trigger_min` distinct categories match.
    #[serde(default)]
    pub triggers: Vec<String>,
    #[serde(default = "one")]
    pub trigger_min: usize,
    /// One sentence for a hover line, with the key figure.
    pub summary: String,
    /// One paragraph for `explain`.
    pub explanation: String,
    /// The key number or finding from the literature.
    pub figure: String,
    /// Short citation for a hover line.
    pub cite: String,
    /// Full citations.
    pub sources: Vec<String>,
    /// Mitigation ids, most effective first.
    pub mitigations: Vec<String>,
    /// Risks of the CHI 2024 AI privacy taxonomy this maps to.
    #[serde(default)]
    pub taxonomy: Vec<String>,
}

/// A concrete measure against one or more risks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mitigation {
    pub id: String,
    pub name: String,
    pub kinds: Vec<SinkKind>,
    /// The `safeguards=` values that record this measure in a tag.
    #[serde(default)]
    pub safeguards: Vec<String>,
    pub text: String,
    pub source: String,
}

/// A law or provision a flow can touch.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Law {
    pub id: String,
    pub name: String,
    pub text: String,
    pub source: String,
}

/// Legal hooks for a group of data categories.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalGroup {
    pub id: String,
    pub name: String,
    /// A GDPR Art. 9 (or Art. 10) category: escalates every flow it is in.
    #[serde(default)]
    pub special: bool,
    /// Applies to all personal data; not shown as an escalation.
    #[serde(default)]
    pub baseline: bool,
    /// Distinct matching categories a flow needs before the group applies.
    #[serde(default = "one")]
    pub min_categories: usize,
    pub categories: Vec<String>,
    pub laws: Vec<String>,
    /// The line a hover shows first when the group is in a flow.
    pub escalation: String,
    /// Why the group is sensitive for AI specifically.
    pub ai: String,
    /// The risk the escalation stands for: its hover line is not repeated.
    #[serde(default)]
    pub risk: Option<String>,
}

/// Legal notes for a fideslang data use (prefix match).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UseNote {
    pub key: String,
    pub laws: Vec<String>,
    pub note: String,
}

/// What a hosted AI API does with the data it receives.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub id: String,
    pub name: String,
    /// Lowercase substrings of a sink catalogue's provider name.
    pub matches: Vec<String>,
    #[serde(default)]
    pub excludes: Vec<String>,
    /// No third party receives the data.
    #[serde(default)]
    pub local: bool,
    #[serde(rename = "fact")]
    pub facts: Vec<ProviderFact>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderFact {
    pub topic: String,
    pub text: String,
    /// `YYYY-MM`: when the fact was last checked against its source.
    pub checked: String,
    pub source: String,
}

/// A field of the `@data-use` tag.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagField {
    pub key: String,
    pub syntax: String,
    pub text: String,
}

/// A GDPR Art. 6 lawful basis, as written in `basis=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basis {
    pub key: String,
    pub article: String,
    pub text: String,
}

/// The whole knowledge base.
#[derive(Debug)]
pub struct Base {
    pub kinds: Vec<KindInfo>,
    pub risks: Vec<Risk>,
    pub mitigations: Vec<Mitigation>,
    pub laws: Vec<Law>,
    pub groups: Vec<LegalGroup>,
    pub uses: Vec<UseNote>,
    pub providers: Vec<Provider>,
    pub fields: Vec<TagField>,
    pub bases: Vec<Basis>,
}

fn one() -> usize {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RisksFile {
    kind: Vec<KindInfo>,
    risk: Vec<Risk>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MitigationsFile {
    mitigation: Vec<Mitigation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LegalFile {
    law: Vec<Law>,
    group: Vec<LegalGroup>,
    #[serde(rename = "use")]
    uses: Vec<UseNote>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvidersFile {
    provider: Vec<Provider>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TagsFile {
    field: Vec<TagField>,
    basis: Vec<Basis>,
}

static BASE: LazyLock<Base> = LazyLock::new(|| {
    // Compiled into the binary and checked by tests: a parse failure is a
    // build defect, not a user input problem.
    let risks: RisksFile =
        toml::from_str(include_str!("risks.toml")).expect("embedded risks.toml is valid");
    let mitigations: MitigationsFile = toml::from_str(include_str!("mitigations.toml"))
        .expect("embedded mitigations.toml is valid");
    let legal: LegalFile =
        toml::from_str(include_str!("legal.toml")).expect("embedded legal.toml is valid");
    let providers: ProvidersFile =
        toml::from_str(include_str!("providers.toml")).expect("embedded providers.toml is valid");
    let tags: TagsFile =
        toml::from_str(include_str!("tags.toml")).expect("embedded tags.toml is valid");
    Base {
        kinds: risks.kind,
        risks: risks.risk,
        mitigations: mitigations.mitigation,
        laws: legal.law,
        groups: legal.group,
        uses: legal.uses,
        providers: providers.provider,
        fields: tags.field,
        bases: tags.basis,
    }
});

/// The knowledge base, parsed on first use.
pub fn get() -> &'static Base {
    &BASE
}

impl Base {
    pub fn kind(&self, kind: SinkKind) -> Option<&KindInfo> {
        self.kinds.iter().find(|k| k.id == kind)
    }

    pub fn risk(&self, id: &str) -> Option<&Risk> {
        self.risks.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    pub fn mitigation(&self, id: &str) -> Option<&Mitigation> {
        self.mitigations.iter().find(|m| m.id == id)
    }

    pub fn law(&self, id: &str) -> Option<&Law> {
        self.laws.iter().find(|l| l.id == id)
    }

    /// The provider entry for a sink catalogue's provider name, if known.
    pub fn provider(&self, name: &str) -> Option<&Provider> {
        let name = name.to_ascii_lowercase();
        self.providers.iter().find(|p| {
            p.matches.iter().any(|m| name.contains(m.as_str()))
                && !p.excludes.iter().any(|x| name.contains(x.as_str()))
        })
    }

    /// Legal groups that apply to a flow carrying `categories`, with the
    /// categories of each that matched. Baseline groups included.
    pub fn groups_for<'a>(&'a self, categories: &[String]) -> Vec<(&'a LegalGroup, Vec<&'a str>)> {
        self.groups
            .iter()
            .filter_map(|g| {
                let mut matched: Vec<&str> = g
                    .categories
                    .iter()
                    .filter(|gc| categories.iter().any(|c| key_has_prefix(c, gc)))
                    .map(String::as_str)
                    .collect();
                matched.dedup();
                (!matched.is_empty() && matched.len() >= g.min_categories).then_some((g, matched))
            })
            .collect()
    }

    /// The safeguard value's mitigation, if `value` is one.
    pub fn safeguard(&self, value: &str) -> Option<&Mitigation> {
        self.mitigations
            .iter()
            .find(|m| m.safeguards.iter().any(|s| s == value))
    }
}

impl Risk {
    /// Whether the flow's categories meet this risk's trigger.
    pub fn triggered_by(&self, categories: &[String]) -> bool {
        !self.triggers.is_empty()
            && self
                .triggers
                .iter()
                .filter(|t| categories.iter().any(|c| key_has_prefix(c, t)))
                .count()
                >= self.trigger_min
    }
}

impl Provider {
    /// The newest `checked` month among this provider's facts.
    pub fn checked(&self) -> &str {
        self.facts
            .iter()
            .map(|f| f.checked.as_str())
            .max()
            .unwrap_or("")
    }
}

/// Every risk id, in knowledge-base order.
pub fn risk_ids() -> Vec<&'static str> {
    get().risks.iter().map(|r| r.id.as_str()).collect()
}

/// How many categories a hover names before "+N more".
const MAX_LISTED_CATEGORIES: usize = 4;
/// Lines of each section in a flow hover.
const MAX_ESCALATIONS: usize = 3;
const MAX_RISKS: usize = 3;
const MAX_MITIGATIONS: usize = 3;
const MAX_LAWS: usize = 4;
/// Laws listed in a category hover.
const MAX_CATEGORY_LAWS: usize = 6;

/// Where the data goes, as far as the provider name tells.
enum Recipient<'a> {
    Known(&'a Provider),
    Local(Option<&'a Provider>),
    Unknown(&'a str),
}

fn recipient<'a>(base: &'a Base, kind: SinkKind, provider: &'a str) -> Recipient<'a> {
    let known = base.provider(provider);
    let local_entry = || base.providers.iter().find(|p| p.local);
    match known {
        Some(p) if p.local => Recipient::Local(Some(p)),
        _ if kind == SinkKind::LocalInference => Recipient::Local(local_entry()),
        Some(p) => Recipient::Known(p),
        None if provider.trim().is_empty() => match kind {
            SinkKind::Training => Recipient::Local(local_entry()),
            _ => Recipient::Unknown(""),
        },
        None => Recipient::Unknown(provider),
    }
}

/// Short Markdown for a hover on an AI call: most important line first.
///
/// Specific to the sink kind, the categories (special categories,
/// quasi-identifier combinations, children and other sensitive groups
/// escalate) and the provider (`"OpenAI"`, `"Anthropic"`, `"Google Gemini"`,
/// `"local"`, or any sink catalogue provider name).
pub fn flow_explanation(kind: SinkKind, categories: &[String], provider: &str) -> String {
    let base = get();
    let recipient = recipient(base, kind, provider);
    let groups = base.groups_for(categories);
    let mut escalations: Vec<&LegalGroup> = groups
        .iter()
        .map(|(g, _)| *g)
        .filter(|g| !g.baseline)
        .collect();
    // Special categories first, then the rest in file order.
    escalations.sort_by_key(|g| !g.special);
    let special = escalations.iter().any(|g| g.special);

    let mut out = String::new();

    // Headline.
    let what = if special {
        "Special-category data"
    } else {
        "Personal data"
    };
    let listed = list_categories(categories);
    let at = match &recipient {
        Recipient::Known(p) => format!(" at {}", p.name),
        Recipient::Unknown(name) if !name.is_empty() => format!(" at {name}"),
        _ => String::new(),
    };
    let _ = write!(out, "**{what}{listed} reaches {}{at}.**", kind.describe());
    if let Some(info) = base.kind(kind) {
        let _ = write!(out, " {}", info.headline);
    }
    out.push_str("\n\n");

    // Escalations.
    for group in escalations.iter().take(MAX_ESCALATIONS) {
        let _ = writeln!(out, "- ⚠ **{}**: {}", group.name, group.escalation);
    }

    // Risks: triggered ones first, then the kind's in file order.
    let local = matches!(recipient, Recipient::Local(_));
    let mut risks: Vec<&Risk> = base
        .risks
        .iter()
        .filter(|r| r.triggered_by(categories))
        .collect();
    for risk in &base.risks {
        if risk.kinds.contains(&kind)
            && !risks.iter().any(|r| r.id == risk.id)
            && !(local && risk.id == PROVIDER_DISCLOSURE)
        {
            risks.push(risk);
        }
    }
    risks.truncate(MAX_RISKS);
    let shown_escalations = &escalations[..escalations.len().min(MAX_ESCALATIONS)];
    let mut recipient_shown = false;
    for risk in &risks {
        if shown_escalations
            .iter()
            .any(|g| g.risk.as_deref() == Some(risk.id.as_str()))
        {
            continue;
        }
        if risk.id == PROVIDER_DISCLOSURE {
            recipient_shown = write_recipient(&mut out, &recipient, kind);
            if recipient_shown {
                continue;
            }
        }
        let _ = writeln!(out, "- **{}**: {} ({})", risk.name, risk.summary, risk.cite);
    }
    if !recipient_shown {
        write_recipient(&mut out, &recipient, kind);
    }

    // Mitigations, from the risks shown, applicable to this kind.
    let mut mitigations: Vec<&Mitigation> = Vec::new();
    for risk in &risks {
        for id in &risk.mitigations {
            let Some(m) = base.mitigation(id) else {
                continue;
            };
            if !m.kinds.contains(&kind) || mitigations.iter().any(|x| x.id == m.id) {
                continue;
            }
            if local && matches!(m.id.as_str(), "local-model" | "zero-retention") {
                continue;
            }
            mitigations.push(m);
        }
    }
    // Special categories: keeping them in-house comes right after minimisation.
    if special
        && !local
        && let Some(m) = base
            .mitigation("local-model")
            .filter(|m| m.kinds.contains(&kind))
    {
        mitigations.retain(|x| x.id != m.id);
        mitigations.insert(mitigations.len().min(1), m);
    }
    mitigations.truncate(MAX_MITIGATIONS);
    if !mitigations.is_empty() {
        let names: Vec<&str> = mitigations.iter().map(|m| m.name.as_str()).collect();
        let _ = writeln!(out, "\n**Mitigate:** {}.", names.join(" · "));
    }

    // Laws: escalations first, then the baseline.
    let mut law_ids: Vec<&str> = Vec::new();
    for group in &escalations {
        law_ids.extend(group.laws.iter().map(String::as_str));
    }
    if !categories.is_empty() || groups.iter().any(|(g, _)| g.baseline) {
        law_ids.push("gdpr-5-1-c");
    }
    match kind {
        SinkKind::Training | SinkKind::FineTuning => law_ids.push("gdpr-5-1-b"),
        SinkKind::VectorStore | SinkKind::DatasetUpload => law_ids.push("gdpr-5-1-e"),
        _ => {}
    }
    if matches!(recipient, Recipient::Known(_) | Recipient::Unknown(_)) {
        law_ids.push("gdpr-28");
    }
    let mut laws: Vec<&Law> = Vec::new();
    for id in law_ids {
        if let Some(law) = base.law(id)
            && !laws.iter().any(|l| l.id == law.id)
        {
            laws.push(law);
        }
    }
    laws.truncate(MAX_LAWS);
    if !laws.is_empty() {
        let names: Vec<&str> = laws.iter().map(|l| l.name.as_str()).collect();
        let _ = writeln!(out, "**Law:** {}.", names.join(" · "));
    }

    // Where to read more.
    if !risks.is_empty() {
        let ids: Vec<String> = risks
            .iter()
            .map(|r| format!("`privacy-lens explain {}`", r.id))
            .collect();
        let _ = writeln!(out, "\nMore: {}", ids.join(", "));
    }
    out.trim_end().to_string()
}

const PROVIDER_DISCLOSURE: &str = "provider-disclosure";

/// One line on who receives the data and on what terms. Returns whether
/// anything was written.
fn write_recipient(out: &mut String, recipient: &Recipient<'_>, kind: SinkKind) -> bool {
    match recipient {
        Recipient::Known(p) => {
            let facts = provider_facts(p, kind);
            if facts.is_empty() {
                return false;
            }
            let _ = writeln!(
                out,
                "- **Disclosure to {}** (terms checked {}): {}",
                p.name,
                p.checked(),
                facts.join(" ")
            );
        }
        Recipient::Local(p) => {
            let Some(fact) = p.and_then(|p| p.facts.first()) else {
                return false;
            };
            let _ = writeln!(out, "- **Runs on your machines**: {}", fact.text);
        }
        Recipient::Unknown(name) => {
            let who = match name.split_once(" (provider from") {
                _ if name.is_empty() => "the provider".to_string(),
                // "LiteLLM (provider from model string)": a router, not the recipient.
                Some((router, _)) => format!("the provider `{router}` routes to"),
                None => format!("`{name}`"),
            };
            let _ = writeln!(
                out,
                "- **Disclosure to the provider**: check whether {who} logs, stores or trains on what it receives, and sign a processor agreement (GDPR Art. 28) before sending personal data."
            );
        }
    }
    true
}

/// ` (`a`, `b`, +2 more)`, or nothing for no categories.
fn list_categories(categories: &[String]) -> String {
    if categories.is_empty() {
        return String::new();
    }
    let mut shown: Vec<String> = categories
        .iter()
        .take(MAX_LISTED_CATEGORIES)
        .map(|c| format!("`{c}`"))
        .collect();
    if categories.len() > MAX_LISTED_CATEGORIES {
        shown.push(format!(
            "+{} more",
            categories.len() - MAX_LISTED_CATEGORIES
        ));
    }
    format!(" ({})", shown.join(", "))
}

/// The provider facts that matter most for this kind of call, at most two.
fn provider_facts(provider: &Provider, kind: SinkKind) -> Vec<&str> {
    let topics: &[&str] = match kind {
        SinkKind::FineTuning | SinkKind::DatasetUpload | SinkKind::VectorStore => {
            &["files", "training", "retention"]
        }
        _ => &["training", "retention", "zero-retention"],
    };
    let mut facts: Vec<&str> = Vec::new();
    for topic in topics {
        if let Some(fact) = provider.facts.iter().find(|f| f.topic == *topic) {
            facts.push(fact.text.as_str());
        }
        if facts.len() == 2 {
            break;
        }
    }
    if facts.is_empty() {
        facts.extend(provider.facts.iter().take(2).map(|f| f.text.as_str()));
    }
    facts
}

/// Markdown about one fideslang data category: what it is, why it is
/// sensitive for AI, and its legal hooks. `None` if the key is unknown.
pub fn category_explanation(category: &str) -> Option<String> {
    let knowledge = super::get();
    let entry = knowledge.taxonomy.category(category)?;
    let base = get();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**`{}`**: {} (fideslang data category)\n\n{}",
        entry.key, entry.name, entry.description
    );

    if !key_has_prefix(category, "user") {
        out.push_str(
            "\nSystem data, not data about a person: privacy-lens does not report it reaching AI calls.\n",
        );
        return Some(out.trim_end().to_string());
    }

    let query = [category.to_string()];
    // Groups the category lies in; the quasi-identifier group needs a
    // combination, so it is described separately.
    let direct: Vec<&LegalGroup> = base
        .groups
        .iter()
        .filter(|g| g.min_categories <= 1)
        .filter(|g| g.categories.iter().any(|gc| key_has_prefix(category, gc)))
        .collect();
    let specific: Vec<&LegalGroup> = direct.iter().copied().filter(|g| !g.baseline).collect();
    let quasi = knowledge
        .vocabulary
        .quasi_identifiers
        .iter()
        .any(|q| key_has_prefix(category, q));

    out.push('\n');
    for group in &specific {
        let _ = writeln!(out, "- ⚠ **{}**: {}", group.name, group.escalation);
    }
    if quasi && let Some(group) = base.groups.iter().find(|g| g.min_categories > 1) {
        let _ = writeln!(
            out,
            "- **Quasi-identifier**: harmless alone, identifying in combination. {}",
            group.escalation
        );
    }
    // Narrower groups under a broad key (`user.demographic` holds race, religion, …).
    let narrower: Vec<String> = base
        .groups
        .iter()
        .filter(|g| !g.baseline && g.min_categories <= 1)
        .filter(|g| !direct.iter().any(|d| d.id == g.id))
        .filter(|g| g.categories.iter().any(|gc| key_has_prefix(gc, category)))
        .map(|g| {
            let marker = if g.special { " (special category)" } else { "" };
            format!("{}{marker}", g.name)
        })
        .collect();
    if !narrower.is_empty() {
        let _ = writeln!(out, "- **Includes**: {}.", narrower.join(", "));
    }

    // Why it matters for AI.
    let ai: Vec<&str> = if specific.is_empty() {
        direct.iter().map(|g| g.ai.as_str()).collect()
    } else {
        specific.iter().map(|g| g.ai.as_str()).collect()
    };
    if !ai.is_empty() {
        let _ = writeln!(out, "\n**Why it matters for AI:** {}", ai.join(" "));
    }
    let triggered: Vec<&Risk> = base
        .risks
        .iter()
        .filter(|r| r.trigger_min <= 1 && r.triggered_by(&query))
        .collect();
    for risk in triggered {
        let _ = writeln!(out, "\n**{}**: {} ({})", risk.name, risk.summary, risk.cite);
    }

    // Legal hooks.
    let mut law_ids: Vec<&str> = Vec::new();
    // The specific groups' laws; the baseline's only when nothing more specific applies.
    let legal: Vec<&LegalGroup> = if specific.is_empty() {
        direct.clone()
    } else {
        specific.clone()
    };
    for group in legal {
        law_ids.extend(group.laws.iter().map(String::as_str));
    }
    if quasi {
        law_ids.push("gdpr-recital-26");
    }
    let mut names: Vec<&str> = Vec::new();
    for id in law_ids {
        if let Some(law) = base.law(id)
            && !names.contains(&law.name.as_str())
        {
            names.push(law.name.as_str());
        }
    }
    names.truncate(MAX_CATEGORY_LAWS);
    if !names.is_empty() {
        let _ = writeln!(out, "\n**Legal hooks:** {}.", names.join(" · "));
    }
    Some(out.trim_end().to_string())
}

/// Markdown for a tag key in a hover: a data category, data use, data
/// subject, GDPR basis, sink kind, safeguard value, or a tag field name
/// (`use`, `data`, `subject`, `basis`, `safeguards`, `retention`, `ref`).
/// `None` if unknown.
pub fn tag_key_explanation(key: &str) -> Option<String> {
    let key = key.trim();
    let base = get();
    let taxonomy = &super::get().taxonomy;

    if let Some(field) = base.fields.iter().find(|f| f.key == key) {
        return Some(format!(
            "**`{}`**: data-use tag field\n\n`{}`\n\n{}",
            field.key, field.syntax, field.text
        ));
    }
    if let Some(basis) = base.bases.iter().find(|b| b.key == key) {
        return Some(format!(
            "**`basis={}`**: lawful basis, {}\n\n{}",
            basis.key, basis.article, basis.text
        ));
    }
    if let Some(kind) = SinkKind::parse(key) {
        return Some(kind_explanation(kind));
    }
    if let Some(text) = category_explanation(key) {
        return Some(text);
    }
    if let Some(entry) = taxonomy.data_use(key) {
        let mut out = format!(
            "**`{}`**: {} (fideslang data use)\n\n{}",
            entry.key, entry.name, entry.description
        );
        let mut notes: Vec<&UseNote> = base
            .uses
            .iter()
            .filter(|u| key_has_prefix(key, &u.key))
            .collect();
        // Most specific note first.
        notes.sort_by_key(|u| std::cmp::Reverse(u.key.len()));
        let mut laws: Vec<&str> = Vec::new();
        for note in &notes {
            let _ = write!(out, "\n\n{}", note.note);
            for id in &note.laws {
                if let Some(law) = base.law(id)
                    && !laws.contains(&law.name.as_str())
                {
                    laws.push(law.name.as_str());
                }
            }
        }
        if !laws.is_empty() {
            let _ = write!(out, "\n\n**Legal hooks:** {}.", laws.join(" · "));
        }
        return Some(out);
    }
    if let Some(entry) = taxonomy.data_subject(key) {
        return Some(format!(
            "**`{}`**: {} (fideslang data subject)\n\n{}",
            entry.key, entry.name, entry.description
        ));
    }
    if let Some(m) = base.safeguard(key) {
        return Some(format!(
            "**`{key}`**: safeguard ({})\n\n{}\n\nSource: {}",
            m.name, m.text, m.source
        ));
    }
    None
}

/// What a sink kind does, its risks and its rule.
fn kind_explanation(kind: SinkKind) -> String {
    let base = get();
    let mut out = String::new();
    let name = base.kind(kind).map_or(kind.as_str(), |k| k.name.as_str());
    let _ = writeln!(out, "**`{}`**: {name} (sink kind)\n", kind.as_str());
    if let Some(info) = base.kind(kind) {
        let _ = writeln!(out, "{}\n", info.headline);
    }
    for risk in base.risks.iter().filter(|r| r.kinds.contains(&kind)) {
        let _ = writeln!(out, "- **{}** (`{}`): {}", risk.name, risk.id, risk.summary);
    }
    let rule = crate::rules::for_sink_kind(kind);
    let _ = write!(
        out,
        "\nReported as {} {}; mark an in-house wrapper with `@ai-sink {}`.",
        rule.code,
        rule.name,
        kind.as_str()
    );
    out
}

/// Markdown for one AI risk by id (`memorization`, `membership-inference`, …).
/// `None` if unknown.
pub fn risk_explanation(id: &str) -> Option<String> {
    let base = get();
    let risk = base.risk(id.trim())?;
    let mut out = String::new();
    let _ = writeln!(out, "# {} (`{}`)\n", risk.name, risk.id);
    let _ = writeln!(out, "{}\n", risk.explanation.trim());
    let _ = writeln!(out, "**Key figure:** {}\n", risk.figure);

    let mut applies: Vec<&str> = risk.kinds.iter().map(|k| k.as_str()).collect();
    applies.dedup();
    let mut line = String::new();
    if !applies.is_empty() {
        let kinds: Vec<String> = applies.iter().map(|k| format!("`{k}`")).collect();
        let _ = write!(line, "{}", kinds.join(", "));
    }
    if !risk.triggers.is_empty() {
        if !line.is_empty() {
            line.push_str("; ");
        }
        let what = if risk.trigger_min > 1 {
            format!("{} or more of", risk.trigger_min)
        } else {
            "any of".to_string()
        };
        let triggers: Vec<String> = risk.triggers.iter().map(|t| format!("`{t}`")).collect();
        let _ = write!(
            line,
            "any AI call that receives {what} {}",
            triggers.join(", ")
        );
    }
    let _ = writeln!(out, "**Applies to:** {line}\n");

    if !risk.mitigations.is_empty() {
        out.push_str("**Mitigations:**\n\n");
        for m in risk.mitigations.iter().filter_map(|id| base.mitigation(id)) {
            let _ = writeln!(out, "- **{}**: {} ({})", m.name, m.text, m.source);
        }
        out.push('\n');
    }
    out.push_str("**Sources:**\n\n");
    for source in &risk.sources {
        let _ = writeln!(out, "- {source}");
    }
    Some(out.trim_end().to_string())
}
