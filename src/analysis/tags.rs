//! Data-use tags: comments that declare why an AI call receives personal
//! data (`@data-use`), mark what names cannot reveal (`@personal-data`,
//! `@not-personal-data`) and describe in-house functions (`@sanitizer`,
//! `@ai-sink`). The grammar is in DESIGN.md; this module parses comments
//! into tags with the byte ranges of every key (for hovers and edits),
//! validates keys against the fideslang taxonomy and the fixed sets, and
//! finds the statement each tag annotates.

use tree_sitter::{Node, Tree};

use crate::finding::{Fix, FixKind, SinkKind, Span, TextEdit};
use crate::knowledge::{self, key_has_prefix};

/// GDPR Art. 6 lawful bases, the values of `basis=`.
pub const BASES: [&str; 6] = [
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
];

/// The fields a `@data-use` tag may carry after its use.
pub const DATA_USE_FIELDS: [&str; 6] =
    ["data", "subject", "basis", "safeguards", "retention", "ref"];

const TAG_NAMES: [&str; 5] = [
    "@data-use",
    "@personal-data",
    "@not-personal-data",
    "@sanitizer",
    "@ai-sink",
];

/// A word of a tag with its byte range in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagKind {
    DataUse {
        data_use: Option<Word>,
        /// `key=value` fields; list values are split on commas.
        fields: Vec<(Word, Vec<Word>)>,
    },
    PersonalData {
        categories: Vec<Word>,
        subject: Option<Word>,
    },
    NotPersonalData,
    Sanitizer {
        categories: Vec<Word>,
    },
    AiSink {
        kind: Option<Word>,
    },
}

/// One tag in one comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub kind: TagKind,
    /// The tag from its `@name` to the end of the comment.
    pub start: usize,
    pub end: usize,
    /// Row of the statement the tag annotates (0-based); `None` when nothing
    /// follows it (a tag at the end of a file or above a blank line).
    pub target_row: Option<usize>,
}

impl Tag {
    pub fn field(&self, name: &str) -> Option<&[Word]> {
        match &self.kind {
            TagKind::DataUse { fields, .. } => fields
                .iter()
                .find(|(k, _)| k.text == name)
                .map(|(_, v)| v.as_slice()),
            _ => None,
        }
    }

    /// The `@data-use` tag as findings carry it.
    pub fn data_use(&self, span: Span) -> Option<crate::finding::DataUseTag> {
        let TagKind::DataUse { data_use, .. } = &self.kind else {
            return None;
        };
        let list = |name: &str| -> Vec<String> {
            self.field(name)
                .map(|v| v.iter().map(|w| w.text.clone()).collect())
                .unwrap_or_default()
        };
        let one = |name: &str| {
            self.field(name)
                .and_then(|v| v.first())
                .map(|w| w.text.clone())
        };
        Some(crate::finding::DataUseTag {
            data_use: data_use
                .as_ref()
                .map(|w| w.text.clone())
                .unwrap_or_default(),
            data: list("data"),
            subject: one("subject"),
            basis: one("basis"),
            safeguards: list("safeguards"),
            retention: one("retention"),
            reference: one("ref"),
            span: Some(span),
        })
    }
}

/// Whether a text may contain tags at all: a cheap test before any tree walk.
pub fn may_contain_tags(text: &str) -> bool {
    memchr_tag(text)
}

fn memchr_tag(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = bytes[i..].iter().position(|b| *b == b'@') {
        let at = i + pos;
        let rest = &text[at..];
        if TAG_NAMES.iter().any(|t| rest.starts_with(t)) {
            return true;
        }
        i = at + 1;
    }
    false
}

/// Splits a comment's text (starting at byte `offset` of the file) into words
/// with file offsets, dropping comment markers.
fn words(comment: &str, offset: usize) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let is_separator = |c: char| c.is_whitespace() || c == '#';
    for (i, c) in comment.char_indices() {
        if is_separator(c) {
            if let Some(s) = start.take() {
                push_word(&mut out, comment, s, i, offset);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        push_word(&mut out, comment, s, comment.len(), offset);
    }
    out
}

fn push_word(out: &mut Vec<Word>, comment: &str, start: usize, end: usize, offset: usize) {
    let text = &comment[start..end];
    // Comment markers are not words.
    let trimmed_start = text.trim_start_matches(['/', '*']);
    let trimmed = trimmed_start.trim_end_matches(['*', '/']);
    if trimmed.is_empty() {
        return;
    }
    let s = start + (text.len() - trimmed_start.len());
    out.push(Word {
        text: trimmed.to_string(),
        start: offset + s,
        end: offset + s + trimmed.len(),
    });
}

/// Splits `a,b` (file offset `start`) into words.
fn split_list(value: &str, start: usize) -> Vec<Word> {
    let mut out = Vec::new();
    let mut pos = 0;
    for part in value.split(',') {
        if !part.is_empty() {
            out.push(Word {
                text: part.to_string(),
                start: start + pos,
                end: start + pos + part.len(),
            });
        }
        pos += part.len() + 1;
    }
    out
}

/// Parses the tags in one comment whose text starts at file byte `offset`.
pub fn parse_comment(comment: &str, offset: usize) -> Vec<Tag> {
    // A further comment marker after the first tag ends the tags:
    // `# @data-use x data=y  # why` keeps `# why` out of the tag.
    let comment = match TAG_NAMES.iter().filter_map(|t| comment.find(t)).min() {
        Some(first) => {
            let rest = &comment[first..];
            let cut = [" #", "\t#", " //", "\t//"]
                .iter()
                .filter_map(|m| rest.find(m))
                .min()
                .map_or(comment.len(), |p| first + p);
            &comment[..cut]
        }
        None => return Vec::new(),
    };
    let all = words(comment, offset);
    // A tag starts the comment; `@data-use` quoted mid-sentence is prose.
    if all
        .first()
        .is_none_or(|w| !TAG_NAMES.contains(&w.text.as_str()))
    {
        return Vec::new();
    }
    let mut tags = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let name = all[i].text.as_str();
        if !TAG_NAMES.contains(&name) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < all.len() && !TAG_NAMES.contains(&all[j].text.as_str()) {
            j += 1;
        }
        let args = &all[i + 1..j];
        let end = args.last().map_or(all[i].end, |w| w.end);
        let kind = match name {
            "@data-use" => {
                let mut data_use = None;
                let mut fields = Vec::new();
                for (n, word) in args.iter().enumerate() {
                    match word.text.split_once('=') {
                        Some((key, value)) => {
                            let key_word = Word {
                                text: key.to_string(),
                                start: word.start,
                                end: word.start + key.len(),
                            };
                            fields.push((key_word, split_list(value, word.start + key.len() + 1)));
                        }
                        None if n == 0 => data_use = Some(word.clone()),
                        // A bare word after the use: kept as a field without value.
                        None => fields.push((word.clone(), Vec::new())),
                    }
                }
                TagKind::DataUse { data_use, fields }
            }
            "@personal-data" => {
                let mut categories = Vec::new();
                let mut subject = None;
                for word in args {
                    match word.text.split_once('=') {
                        Some(("subject", v)) => {
                            subject = Some(Word {
                                text: v.to_string(),
                                start: word.start + "subject=".len(),
                                end: word.end,
                            })
                        }
                        _ => categories.extend(split_list(&word.text, word.start)),
                    }
                }
                TagKind::PersonalData {
                    categories,
                    subject,
                }
            }
            "@not-personal-data" => TagKind::NotPersonalData,
            "@sanitizer" => TagKind::Sanitizer {
                categories: args
                    .iter()
                    .flat_map(|w| split_list(&w.text, w.start))
                    .collect(),
            },
            _ => TagKind::AiSink {
                kind: args.first().cloned(),
            },
        };
        tags.push(Tag {
            kind,
            start: all[i].start,
            end,
            target_row: None,
        });
        i = j;
    }
    tags
}

/// A problem with a tag itself, reported as its own finding.
#[derive(Debug, Clone)]
pub struct TagProblem {
    pub rule: &'static crate::rules::Rule,
    pub start: usize,
    pub end: usize,
    pub message: String,
    /// Replacement suggestions for the offending word.
    pub suggestions: Vec<String>,
}

/// Taxonomy keys closest to `key`, best first.
pub fn closest<'k>(key: &str, candidates: impl Iterator<Item = &'k str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| {
            let last = c.rsplit('.').next().unwrap_or(c);
            let key_last = key.rsplit('.').next().unwrap_or(key);
            let score =
                strsim::jaro_winkler(key, c).max(strsim::jaro_winkler(key_last, last) * 0.95);
            (score, c)
        })
        .filter(|(s, _)| *s > 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

fn category_keys() -> impl Iterator<Item = &'static str> {
    knowledge::get()
        .taxonomy
        .data_categories
        .iter()
        .map(|c| c.key.as_str())
}

fn problem(
    rule: &'static crate::rules::Rule,
    word: &Word,
    message: String,
    suggestions: Vec<String>,
) -> TagProblem {
    TagProblem {
        rule,
        start: word.start,
        end: word.end,
        message,
        suggestions,
    }
}

fn check_category(word: &Word, problems: &mut Vec<TagProblem>) {
    if knowledge::get().taxonomy.category(&word.text).is_none() {
        let suggestions = closest(&word.text, category_keys());
        problems.push(problem(
            &crate::rules::UNKNOWN_TAG_KEY,
            word,
            format!(
                "`{}` is not a fideslang data category{}",
                word.text,
                suggest_text(&suggestions)
            ),
            suggestions,
        ));
    }
}

fn suggest_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(
            "; did you mean {}?",
            suggestions
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

fn valid_retention(text: &str) -> bool {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && matches!(unit, "d" | "w" | "m" | "mo" | "y")
}

/// Validates one tag's keys.
pub fn validate(tag: &Tag) -> Vec<TagProblem> {
    let taxonomy = &knowledge::get().taxonomy;
    let mut problems = Vec::new();
    let whole = Word {
        text: String::new(),
        start: tag.start,
        end: tag.end,
    };
    match &tag.kind {
        TagKind::DataUse { data_use, fields } => {
            match data_use {
                None => problems.push(problem(
                    &crate::rules::MALFORMED_TAG,
                    &whole,
                    "`@data-use` needs a data use first, e.g. `@data-use train_ai_system data=…`"
                        .into(),
                    Vec::new(),
                )),
                Some(word) if taxonomy.data_use(&word.text).is_none() => {
                    let suggestions = closest(
                        &word.text,
                        taxonomy.data_uses.iter().map(|u| u.key.as_str()),
                    );
                    problems.push(problem(
                        &crate::rules::UNKNOWN_TAG_KEY,
                        word,
                        format!(
                            "`{}` is not a fideslang data use{}",
                            word.text,
                            suggest_text(&suggestions)
                        ),
                        suggestions,
                    ));
                }
                Some(_) => {}
            }
            for (key, values) in fields {
                if !DATA_USE_FIELDS.contains(&key.text.as_str()) {
                    let suggestions = closest(&key.text, DATA_USE_FIELDS.iter().copied());
                    problems.push(problem(
                        &crate::rules::MALFORMED_TAG,
                        key,
                        format!(
                            "`{}` is not a field of `@data-use` (fields: {}){}",
                            key.text,
                            DATA_USE_FIELDS.join(", "),
                            suggest_text(&suggestions)
                        ),
                        suggestions,
                    ));
                    continue;
                }
                if values.is_empty() {
                    problems.push(problem(
                        &crate::rules::MALFORMED_TAG,
                        key,
                        format!("`{}=` has no value", key.text),
                        Vec::new(),
                    ));
                    continue;
                }
                for value in values {
                    match key.text.as_str() {
                        "data" => check_category(value, &mut problems),
                        "subject" if taxonomy.data_subject(&value.text).is_none() => {
                            let suggestions = closest(
                                &value.text,
                                taxonomy.data_subjects.iter().map(|s| s.key.as_str()),
                            );
                            problems.push(problem(
                                &crate::rules::UNKNOWN_TAG_KEY,
                                value,
                                format!(
                                    "`{}` is not a fideslang data subject{}",
                                    value.text,
                                    suggest_text(&suggestions)
                                ),
                                suggestions,
                            ));
                        }
                        "basis" if !BASES.contains(&value.text.as_str()) => {
                            let suggestions = closest(&value.text, BASES.iter().copied());
                            problems.push(problem(
                                &crate::rules::UNKNOWN_TAG_KEY,
                                value,
                                format!(
                                    "`{}` is not a GDPR Art. 6 basis ({}){}",
                                    value.text,
                                    BASES.join(", "),
                                    suggest_text(&suggestions)
                                ),
                                suggestions,
                            ));
                        }
                        "retention" if !valid_retention(&value.text) => problems.push(problem(
                            &crate::rules::MALFORMED_TAG,
                            value,
                            format!(
                                "retention `{}` is not a duration such as `30d`, `6m` or `1y`",
                                value.text
                            ),
                            Vec::new(),
                        )),
                        _ => {}
                    }
                }
            }
            let classifier = super::classify::get();
            let special = tag
                .field("data")
                .unwrap_or_default()
                .iter()
                .any(|w| classifier.is_special(&w.text));
            if special && tag.field("basis").is_none() {
                problems.push(problem(
                    &crate::rules::SPECIAL_CATEGORY_WITHOUT_BASIS,
                    &whole,
                    "the tag declares special-category data (GDPR Art. 9) but no `basis=`".into(),
                    Vec::new(),
                ));
            }
        }
        TagKind::PersonalData {
            categories,
            subject,
        } => {
            if categories.is_empty() {
                problems.push(problem(
                    &crate::rules::MALFORMED_TAG,
                    &whole,
                    "`@personal-data` needs at least one category, e.g. `@personal-data user.name`"
                        .into(),
                    Vec::new(),
                ));
            }
            for c in categories {
                check_category(c, &mut problems);
            }
            if let Some(s) = subject
                && taxonomy.data_subject(&s.text).is_none()
            {
                let suggestions = closest(
                    &s.text,
                    taxonomy.data_subjects.iter().map(|x| x.key.as_str()),
                );
                problems.push(problem(
                    &crate::rules::UNKNOWN_TAG_KEY,
                    s,
                    format!(
                        "`{}` is not a fideslang data subject{}",
                        s.text,
                        suggest_text(&suggestions)
                    ),
                    suggestions,
                ));
            }
        }
        TagKind::NotPersonalData => {}
        TagKind::Sanitizer { categories } => {
            for c in categories {
                check_category(c, &mut problems);
            }
        }
        TagKind::AiSink { kind } => match kind {
            None => problems.push(problem(
                &crate::rules::MALFORMED_TAG,
                &whole,
                "`@ai-sink` needs a kind, e.g. `@ai-sink llm_inference`".into(),
                Vec::new(),
            )),
            Some(word) if SinkKind::parse(&word.text).is_none() => {
                let suggestions = closest(&word.text, SinkKind::ALL.iter().map(|k| k.as_str()));
                problems.push(problem(
                    &crate::rules::UNKNOWN_TAG_KEY,
                    word,
                    format!(
                        "`{}` is not a kind of AI call{}",
                        word.text,
                        suggest_text(&suggestions)
                    ),
                    suggestions,
                ));
            }
            Some(_) => {}
        },
    }
    problems
}

/// The tags of a file, each with the statement it annotates.
#[derive(Debug, Default)]
pub struct FileTags {
    pub tags: Vec<Tag>,
    /// Byte range of the statement each tag annotates (parallel to `tags`).
    pub statements: Vec<Option<(usize, usize)>>,
    /// The comment node span of each tag.
    pub comments: Vec<Span>,
}

impl FileTags {
    /// The `@data-use` tag (and its index) whose statement contains `byte`.
    pub fn data_use_at(&self, byte: usize) -> Option<usize> {
        self.covering(byte, |k| matches!(k, TagKind::DataUse { .. }))
    }

    pub fn covering(&self, byte: usize, wanted: impl Fn(&TagKind) -> bool) -> Option<usize> {
        self.tags
            .iter()
            .zip(&self.statements)
            .enumerate()
            .filter(|(_, (t, s))| wanted(&t.kind) && s.is_some_and(|(a, b)| a <= byte && byte < b))
            // The innermost statement wins.
            .min_by_key(|(_, (_, s))| s.map_or(usize::MAX, |(a, b)| b - a))
            .map(|(i, _)| i)
    }
}

/// Collects and places the tags of a file. `is_comment` says which nodes are comments.
pub fn collect<'t>(tree: &'t Tree, text: &str, is_comment: impl Fn(Node<'t>) -> bool) -> FileTags {
    let mut out = FileTags::default();
    if !may_contain_tags(text) {
        return out;
    }
    let mut comments = Vec::new();
    let mut cursor = tree.walk();
    // Iterative pre-order walk: no recursion on deep trees.
    'walk: loop {
        let node = cursor.node();
        if is_comment(node) {
            comments.push(node);
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    let lines: Vec<&str> = text.split('\n').collect();
    for comment in comments {
        let Some(comment_text) = text.get(comment.start_byte()..comment.end_byte()) else {
            continue;
        };
        if !may_contain_tags(comment_text) {
            continue;
        }
        let row = comment.start_position().row;
        let line = lines.get(row).copied().unwrap_or("");
        let own_line = line[..comment.start_position().column.min(line.len())]
            .trim()
            .is_empty();
        // A tag at the end of a line annotates that line; one on its own line
        // annotates the next line that is not a comment (a blank line ends it).
        let target_row = if own_line {
            let mut r = comment.end_position().row + 1;
            loop {
                match lines.get(r).map(|l| l.trim_start()) {
                    Some(l) if l.starts_with('#') || l.starts_with("//") => r += 1,
                    Some(l) if !l.is_empty() => break Some(r),
                    _ => break None,
                }
            }
        } else {
            Some(row)
        };
        let statement = target_row.and_then(|r| statement_at_row(tree, text, &lines, r));
        for mut tag in parse_comment(comment_text, comment.start_byte()) {
            tag.target_row = target_row;
            out.tags.push(tag);
            out.statements.push(statement);
            out.comments.push(Span::of(&comment));
        }
    }
    out
}

/// The outermost node that starts at the first non-blank byte of `row`.
fn statement_at_row(tree: &Tree, text: &str, lines: &[&str], row: usize) -> Option<(usize, usize)> {
    let line = lines.get(row)?;
    let indent = line.len() - line.trim_start().len();
    let line_start: usize = lines[..row].iter().map(|l| l.len() + 1).sum();
    let start = line_start + indent;
    if start >= text.len() {
        return None;
    }
    let mut node = tree.root_node().descendant_for_byte_range(start, start)?;
    while let Some(parent) = node.parent() {
        if parent.start_byte() != node.start_byte() || parent.parent().is_none() {
            break;
        }
        node = parent;
    }
    (node.start_byte() == start).then(|| (node.start_byte(), node.end_byte()))
}

/// An insertion of a whole comment line above the line holding `byte`.
/// `at` is the tree-sitter point of `byte` (its column is in bytes), which
/// gives the line start without scanning the file.
pub fn insert_line_above(
    text: &str,
    byte: usize,
    at: crate::finding::Point,
    comment_prefix: &str,
    body: &str,
) -> TextEdit {
    let (span, indent) = line_start(text, byte, at);
    TextEdit {
        span,
        new_text: format!("{indent}{comment_prefix} {body}\n"),
    }
}

/// The empty span at the start of the line holding `byte` (at `at`), and
/// that line's indentation: where a line above it is inserted.
pub fn line_start(text: &str, byte: usize, at: crate::finding::Point) -> (Span, String) {
    let start = byte.saturating_sub(at.column).min(text.len());
    let indent: String = text
        .get(start..)
        .unwrap_or("")
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let point = crate::finding::Point {
        row: at.row,
        column: 0,
    };
    let span = Span {
        start_byte: start,
        end_byte: start,
        start: point,
        end: point,
    };
    (span, indent)
}

/// A replacement of `start..end` with `new_text`.
pub fn replace(text: &str, start: usize, end: usize, new_text: String) -> TextEdit {
    TextEdit {
        span: Span {
            start_byte: start,
            end_byte: end,
            start: point_at(text, start),
            end: point_at(text, end),
        },
        new_text,
    }
}

/// Row and byte column of a byte offset.
pub fn point_at(text: &str, byte: usize) -> crate::finding::Point {
    let byte = byte.min(text.len());
    let before = &text.as_bytes()[..byte];
    let row = before.iter().filter(|b| **b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    crate::finding::Point {
        row,
        column: byte - line_start,
    }
}

/// Likely purposes to offer when tagging a call of this kind.
pub fn likely_uses(kind: SinkKind) -> &'static [&'static str] {
    match kind {
        SinkKind::Training | SinkKind::FineTuning => &["train_ai_system"],
        SinkKind::DatasetUpload => &["train_ai_system", "third_party_sharing"],
        SinkKind::LlmInference => &[
            "essential.service",
            "personalize.content",
            "essential.service.operations.support",
        ],
        SinkKind::LocalInference => &[
            "essential.service",
            "personalize.content",
            "essential.fraud_detection",
        ],
        SinkKind::Embedding | SinkKind::VectorStore => {
            &["personalize.content", "essential.service"]
        }
    }
}

/// Fixes that add a `@data-use` tag above the statement at `byte`.
pub fn add_tag_fixes(
    text: &str,
    byte: usize,
    at: crate::finding::Point,
    comment_prefix: &str,
    kind: SinkKind,
    categories: &[String],
) -> Vec<Fix> {
    let (span, indent) = line_start(text, byte, at);
    add_tag_fixes_at(span, &indent, comment_prefix, kind, categories)
}

/// [`add_tag_fixes`] for a call in another file, from the insertion point
/// and indentation its module exported.
pub fn add_tag_fixes_at(
    at: Span,
    indent: &str,
    comment_prefix: &str,
    kind: SinkKind,
    categories: &[String],
) -> Vec<Fix> {
    likely_uses(kind)
        .iter()
        .enumerate()
        .map(|(i, data_use)| Fix {
            title: format!("Add data-use tag ({data_use})"),
            kind: FixKind::AddTag,
            preferred: i == 0,
            edits: vec![TextEdit {
                span: at,
                new_text: format!(
                    "{indent}{comment_prefix} @data-use {data_use} data={}\n",
                    categories.join(",")
                ),
            }],
        })
        .collect()
}

/// The categories of `found` that no key in `declared` covers.
pub fn undeclared(found: &[String], declared: &[String]) -> Vec<String> {
    found
        .iter()
        .filter(|c| !declared.iter().any(|d| key_has_prefix(c, d)))
        .cloned()
        .collect()
}

/// A fix that adds `missing` to the tag's `data=` list (or adds the field).
pub fn declare_missing_fix(text: &str, tag: &Tag, missing: &[String]) -> Option<Fix> {
    let TagKind::DataUse { data_use, fields } = &tag.kind else {
        return None;
    };
    let edit = match fields.iter().find(|(k, _)| k.text == "data") {
        Some((key, values)) => {
            let mut all: Vec<String> = values.iter().map(|w| w.text.clone()).collect();
            all.extend(missing.iter().cloned());
            let end = values.last().map_or(key.end + 1, |w| w.end);
            replace(text, key.end + 1, end, all.join(","))
        }
        None => {
            let after = data_use.as_ref()?.end;
            replace(text, after, after, format!(" data={}", missing.join(",")))
        }
    };
    Some(Fix {
        title: format!("Declare {} in the data-use tag", missing.join(", ")),
        kind: FixKind::DeclareMissing,
        preferred: true,
        edits: vec![edit],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_data_use_tag_with_offsets() {
        let comment = "# @data-use train_ai_system data=user.name,user.contact.email basis=consent retention=30d";
        let tags = parse_comment(comment, 100);
        assert_eq!(tags.len(), 1);
        let tag = &tags[0];
        let TagKind::DataUse { data_use, .. } = &tag.kind else {
            panic!("data use")
        };
        let use_word = data_use.as_ref().expect("use");
        assert_eq!(use_word.text, "train_ai_system");
        assert_eq!(
            &comment[use_word.start - 100..use_word.end - 100],
            "train_ai_system"
        );
        let data = tag.field("data").expect("data");
        assert_eq!(data.len(), 2);
        assert_eq!(
            &comment[data[1].start - 100..data[1].end - 100],
            "user.contact.email"
        );
        assert!(validate(tag).is_empty(), "{:?}", validate(tag));
    }

    #[test]
    fn reports_unknown_keys_with_suggestions() {
        let tag = &parse_comment(
            "// @data-use train_ai_sytem data=user.contact.emial basis=concent",
            0,
        )[0];
        let problems = validate(tag);
        let codes: Vec<_> = problems.iter().map(|p| p.rule.code).collect();
        assert_eq!(codes, ["PL202", "PL202", "PL202"]);
        assert_eq!(
            problems[0].suggestions.first().map(String::as_str),
            Some("train_ai_system")
        );
        assert_eq!(
            problems[1].suggestions.first().map(String::as_str),
            Some("user.contact.email")
        );
        assert_eq!(
            problems[2].suggestions.first().map(String::as_str),
            Some("consent")
        );
    }

    #[test]
    fn special_category_needs_a_basis_and_malformed_tags_are_reported() {
        let tag = &parse_comment(
            "# @data-use essential.service data=user.health_and_medical",
            0,
        )[0];
        assert_eq!(validate(tag)[0].rule.code, "PL204");
        let tag = &parse_comment("# @data-use", 0)[0];
        assert_eq!(validate(tag)[0].rule.code, "PL205");
        let tag = &parse_comment("# @data-use essential.service purpose=x retention=soon", 0)[0];
        let codes: Vec<_> = validate(tag).iter().map(|p| p.rule.code).collect();
        assert_eq!(codes, ["PL205", "PL205"]);
        let tag = &parse_comment("# @ai-sink llm_inferense", 0)[0];
        assert_eq!(validate(tag)[0].suggestions[0], "llm_inference");
    }

    #[test]
    fn only_comments_that_start_with_a_tag_hold_tags() {
        assert!(parse_comment("# see the `@data-use train_ai_system` tag below", 0).is_empty());
        assert_eq!(parse_comment("  #   @not-personal-data", 0).len(), 1);
        assert_eq!(parse_comment("/** @ai-sink llm_inference */", 0).len(), 1);
    }

    #[test]
    fn a_second_comment_marker_ends_the_tag() {
        let tags = parse_comment(
            "# @data-use essential.service data=user.name  # reviewed by legal",
            0,
        );
        assert!(validate(&tags[0]).is_empty());
        let tags = parse_comment(
            "// @data-use essential.service ref=https://wiki/x // note",
            0,
        );
        assert_eq!(
            tags[0].field("ref").map(|v| v[0].text.as_str()),
            Some("https://wiki/x")
        );
    }

    #[test]
    fn stacked_tags_and_other_forms() {
        let tags = parse_comment(
            "# @personal-data user.name subject=customer @not-personal-data",
            0,
        );
        assert_eq!(tags.len(), 2);
        assert!(
            matches!(&tags[0].kind, TagKind::PersonalData { categories, subject: Some(_) } if categories.len() == 1)
        );
        assert_eq!(tags[1].kind, TagKind::NotPersonalData);
        let tags = parse_comment("/* @sanitizer user.contact */", 0);
        assert!(
            matches!(&tags[0].kind, TagKind::Sanitizer { categories } if categories[0].text == "user.contact")
        );
    }

    #[test]
    fn missing_categories_are_added_in_place() {
        let text = "x = 1  # @data-use essential.service data=user.name basis=contract\n";
        let offset = text.find('#').unwrap_or(0);
        let tag = &parse_comment(&text[offset..], offset)[0];
        let fix = declare_missing_fix(text, tag, &["user.contact.email".to_string()]).expect("fix");
        let edit = &fix.edits[0];
        let mut edited = text.to_string();
        edited.replace_range(edit.span.start_byte..edit.span.end_byte, &edit.new_text);
        assert_eq!(
            edited,
            "x = 1  # @data-use essential.service data=user.name,user.contact.email basis=contract\n"
        );
    }
}
