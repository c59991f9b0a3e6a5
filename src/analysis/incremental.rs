//! Re-analysis after an edit inside one function.
//!
//! The flow analysis of a file is a module-level pass plus one analysis per
//! function. After a keystroke inside a function body, only that function's
//! *unit* (its outermost enclosing function, nested functions included) has
//! new text. Its unit is analysed again, with the module-level code and
//! every unit whose summary it reads; every other unit's findings are taken
//! from the previous analysis, moved by the edit. That is exact when:
//!
//! - the edited unit looks the same from outside: the same functions,
//!   parameters, tags and summaries, and the same writes to class fields
//!   (compared as [`Token`]s, positions moved by the edit);
//! - every AI call that received data from an analysed unit is re-analysed
//!   with all the units that sent it data (a finding is never half new);
//! - every class field an analysed unit reads is written only by analysed
//!   units;
//! - no kept finding points into the edited unit (its tags may have changed);
//! - no unit left out changes state that all later code reads (imports in a
//!   function body, fields of imported classes), and the edited one neither.
//!
//! Otherwise, and whenever the file's summary is wanted by importers or the
//! last analysis hit a limit, the whole file is analysed again. The tests in
//! `tests/incremental.rs` compare both on random edits.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::AnalysisOptions;
use super::flow::{PartialRun, Records, SinkRef, Token, UnitRecord, UnitSpan};
use super::summary::{
    ExtClass, ExtFunction, ExtLabel, ExtOrigin, ExtParamSink, ExtSink, ExtSource, ExtStep,
    ExtValue, ModuleProvider, ModuleSummary, Shared,
};
use crate::finding::{FileAnalysis, Finding, Point, Span};
use crate::language::Language;
use crate::rules;

/// How many times a re-analysis may widen the set of units it analyses
/// before it analyses the whole file instead.
const MAX_WIDENINGS: usize = 3;

/// What the last analysis of a document leaves for the next one.
#[derive(Debug, Clone)]
pub struct Snapshot {
    text: Arc<str>,
    language: Language,
    /// The analysis as the engine made it (no configuration applied, no
    /// findings from other files).
    analysis: FileAnalysis,
    units: HashMap<UnitSpan, UnitRecord>,
    all_units: Vec<UnitSpan>,
    contributors: Vec<(SinkRef, Vec<Option<UnitSpan>>)>,
    /// What the file exported to importers, when it was asked for.
    summary: Option<Arc<ModuleSummary>>,
}

/// The result of [`analyse`].
pub struct Analysed {
    pub analysis: FileAnalysis,
    /// The file's summary for importers, when the provider wants it.
    pub summary: Option<Arc<ModuleSummary>>,
    pub snapshot: Snapshot,
    /// How many of the file's units were analysed (all of them when the
    /// whole file was).
    pub units_analysed: usize,
    pub units_total: usize,
}

/// Analyses `text`, re-using `previous` (the analysis of an earlier text of
/// the same document) for the units the edit did not touch when that is
/// exact (see the module documentation).
pub fn analyse(
    text: &str,
    tree: &tree_sitter::Tree,
    language: Language,
    options: &AnalysisOptions,
    provider: &dyn ModuleProvider,
    previous: Option<&Snapshot>,
) -> Analysed {
    if let Some(previous) = previous
        && previous.language == language
        && previous.analysis.notes.is_empty()
        && let Some(analysed) = reanalyse(text, tree, language, options, provider, previous)
    {
        return analysed;
    }
    let (mut analysis, summary, records) =
        super::with_engine(text, tree, language, options, provider, |engine| {
            engine.recording().run_recorded(tree.root_node())
        });
    let summary = summary.map(Arc::new);
    canonical_order(&mut analysis);
    let units_total = records.all_units.len();
    let all_units = disjoint(records.all_units);
    let snapshot = Snapshot {
        text: Arc::from(text),
        language,
        analysis: analysis.clone(),
        units: records
            .units
            .into_iter()
            .map(|u| ((u.start, u.end), u))
            .collect(),
        all_units,
        contributors: records.contributors,
        summary: summary.clone(),
    };
    Analysed {
        analysis,
        summary,
        snapshot,
        units_analysed: units_total,
        units_total,
    }
}

/// The order in which every analysis lists its findings, so that findings
/// kept from an earlier analysis and new ones merge exactly as one run.
pub fn canonical_order(analysis: &mut FileAnalysis) {
    let rank = |f: &Finding| {
        (
            f.span.start_byte,
            f.span.end_byte,
            f.code == rules::RAW_IDENTIFIER_AS_USER_ID.code,
            f.code == rules::QUASI_IDENTIFIERS_IN_TRAINING.code,
        )
    };
    analysis.findings.sort_by_key(rank);
    analysis
        .elsewhere
        .sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| rank(x).cmp(&rank(y))));
    analysis
        .recognised_sinks
        .sort_by_key(|s| (s.span.start_byte, s.span.end_byte));
}

fn reanalyse(
    text: &str,
    tree: &tree_sitter::Tree,
    language: Language,
    options: &AnalysisOptions,
    provider: &dyn ModuleProvider,
    previous: &Snapshot,
) -> Option<Analysed> {
    let edit = Edit::between(&previous.text, text);
    let Some(edit) = edit else {
        // The same text: the same analysis.
        return Some(Analysed {
            analysis: previous.analysis.clone(),
            summary: previous.summary.clone(),
            snapshot: previous.clone(),
            units_analysed: 0,
            units_total: previous.all_units.len(),
        });
    };
    // The unit holding the whole edit, strictly inside it.
    let edited = *previous
        .all_units
        .iter()
        .find(|(start, end)| *start < edit.start && edit.old_end < *end)?;
    let edited_record = previous.units.get(&edited)?;
    if edited_record.sticky {
        return None;
    }
    let edited_now = edit.unit(edited)?;
    let this_file = provider.file();
    // Importers need the summary: the previous one, moved, when the edited
    // unit turns out to look the same from outside.
    let wants_summary = this_file.is_some() && provider.wants_summary();
    if wants_summary && previous.summary.is_none() {
        return None;
    }

    let mut active: HashSet<UnitSpan> = previous
        .units
        .values()
        .filter(|u| u.sticky)
        .map(|u| (u.start, u.end))
        .collect();
    active.insert(edited);
    widen_with_previous(previous, &mut active);

    for _ in 0..MAX_WIDENINGS {
        let units_now: Vec<UnitSpan> = active.iter().filter_map(|u| edit.unit(*u)).collect();
        if units_now.len() != active.len() {
            return None;
        }
        let other_sinks: Vec<usize> = previous
            .analysis
            .recognised_sinks
            .iter()
            .filter(|s| {
                unit_of(&previous.all_units, s.span.start_byte)
                    .is_some_and(|u| !active.contains(&u))
            })
            .filter_map(|s| edit.span(s.span).map(|s| s.start_byte))
            .collect();
        let partial = PartialRun {
            units: units_now,
            other_sinks,
        };
        let (fresh, _, records) =
            super::with_engine(text, tree, language, options, provider, |engine| {
                engine
                    .partial(partial)
                    .recording()
                    .run_recorded(tree.root_node())
            });
        if !fresh.notes.is_empty() {
            return None;
        }
        // The same units around the edit.
        let mut expected: Vec<UnitSpan> = previous
            .all_units
            .iter()
            .map(|u| edit.unit(*u))
            .collect::<Option<_>>()?;
        let mut found = records.all_units.clone();
        expected.sort_unstable();
        found.sort_unstable();
        if expected != found {
            return None;
        }
        // The edited unit looks the same from outside.
        let new_record = records
            .units
            .iter()
            .find(|u| (u.start, u.end) == edited_now)?;
        if new_record.sticky
            || edit.tokens(&edited_record.effects)? != new_record.effects
            || edit.keys(&edited_record.writes)? != new_record.writes
        {
            return None;
        }
        // Units analysed now, in the previous text's coordinates.
        let analysed_now: HashMap<UnitSpan, &UnitRecord> = records
            .units
            .iter()
            .map(|u| {
                let old = previous
                    .all_units
                    .iter()
                    .find(|o| edit.unit(**o) == Some((u.start, u.end)))
                    .copied();
                old.map(|o| (o, u))
            })
            .collect::<Option<_>>()?;
        let now_active: HashSet<UnitSpan> = analysed_now.keys().copied().collect();
        let needed = needed_units(previous, &records, &now_active, &analysed_now, &edit)?;
        let kept = kept_findings(
            previous,
            &now_active,
            &edit,
            edited_now,
            this_file.as_deref(),
        )?;
        let (kept, more) = match kept {
            Ok(kept) => (kept, HashSet::new()),
            Err(more) => (Vec::new(), more),
        };
        if needed.is_subset(&now_active) && more.is_empty() {
            // Moving the summary costs about as much as the partial run; a
            // file nothing imports skips it (and falls back to a whole-file
            // analysis once if an importer appears).
            let summary = match (&previous.summary, &this_file) {
                (Some(old), Some(this)) if wants_summary => {
                    summary_moved(old, this, &edit).map(Arc::new)
                }
                _ => None,
            };
            if wants_summary && summary.is_none() {
                return None;
            }
            let mut analysed = merge(previous, fresh, records, kept, &now_active, &edit);
            analysed.snapshot.summary = summary.clone();
            analysed.summary = summary.filter(|_| wants_summary);
            return Some(analysed);
        }
        active = now_active
            .union(&needed)
            .chain(more.iter())
            .copied()
            .collect();
    }
    None
}

/// Units that must be analysed with `active`, from the previous records:
/// every unit that sent data to an AI call an active unit (or module-level
/// code) also sent data to, and every writer of a field an active unit reads.
fn widen_with_previous(previous: &Snapshot, active: &mut HashSet<UnitSpan>) {
    loop {
        let before = active.len();
        for (_, units) in &previous.contributors {
            if units.iter().any(|u| u.is_none_or(|u| active.contains(&u))) {
                active.extend(units.iter().flatten());
            }
        }
        let reads: Vec<(usize, String)> = active
            .iter()
            .filter_map(|u| previous.units.get(u))
            .flat_map(|u| u.reads.iter().cloned())
            .collect();
        for unit in previous.units.values() {
            if unit.writes.iter().any(|w| reads.contains(w)) {
                active.insert((unit.start, unit.end));
            }
        }
        if active.len() == before {
            return;
        }
    }
}

/// The same closure as [`widen_with_previous`], checked after a partial run
/// with what it recorded: the units (old coordinates) that must have been
/// analysed. `None` when a record cannot be moved by the edit.
fn needed_units(
    previous: &Snapshot,
    records: &Records,
    active: &HashSet<UnitSpan>,
    analysed_now: &HashMap<UnitSpan, &UnitRecord>,
    edit: &Edit,
) -> Option<HashSet<UnitSpan>> {
    let mut needed: HashSet<UnitSpan> = HashSet::new();
    let to_old = |u: Option<UnitSpan>| -> Option<Option<UnitSpan>> {
        match u {
            None => Some(None),
            Some(u) => analysed_now
                .iter()
                .find(|(_, r)| (r.start, r.end) == u)
                .map(|(old, _)| Some(*old)),
        }
    };
    // Every contributor of a sink that an active unit contributes to, now or before.
    let mut by_sink: HashMap<SinkRef, HashSet<Option<UnitSpan>>> = HashMap::new();
    for (sink, units) in &previous.contributors {
        let sink = edit.sink(sink)?;
        by_sink
            .entry(sink)
            .or_default()
            .extend(units.iter().copied());
    }
    for (sink, units) in &records.contributors {
        let entry = by_sink.entry(sink.clone()).or_default();
        for unit in units {
            entry.insert(to_old(*unit)?);
        }
    }
    for units in by_sink.values() {
        if units.iter().any(|u| u.is_none_or(|u| active.contains(&u))) {
            needed.extend(units.iter().flatten());
        }
    }
    // Every writer of a field an active unit reads.
    let writers = |key: &(usize, String)| -> Vec<UnitSpan> {
        let mut out: Vec<UnitSpan> = analysed_now
            .iter()
            .filter(|(_, r)| r.writes.contains(key))
            .map(|(old, _)| *old)
            .collect();
        out.extend(
            previous
                .units
                .values()
                .filter(|u| !active.contains(&(u.start, u.end)))
                .filter(|u| edit.keys(&u.writes).is_some_and(|w| w.contains(key)))
                .map(|u| (u.start, u.end)),
        );
        out
    };
    for record in analysed_now.values() {
        for key in &record.reads {
            needed.extend(writers(key));
        }
    }
    // State every later evaluation reads, changed by a unit left out.
    needed.extend(
        previous
            .units
            .values()
            .filter(|u| u.sticky)
            .map(|u| (u.start, u.end)),
    );
    Some(needed)
}

/// The previous findings of AI calls that no analysed unit sent data to,
/// moved by the edit; or the units that must be analysed too because such a
/// finding points into the edited unit. `None` for a finding that no unit is
/// known to have made.
#[allow(clippy::type_complexity)]
fn kept_findings(
    previous: &Snapshot,
    active: &HashSet<UnitSpan>,
    edit: &Edit,
    edited_now: UnitSpan,
    this_file: Option<&Path>,
) -> Option<Result<Vec<(Option<std::path::PathBuf>, Finding)>, HashSet<UnitSpan>>> {
    let contributors: HashMap<&SinkRef, &Vec<Option<UnitSpan>>> =
        previous.contributors.iter().map(|(s, u)| (s, u)).collect();
    let mut kept = Vec::new();
    let mut more = HashSet::new();
    let local = previous
        .analysis
        .findings
        .iter()
        .filter(|f| f.sink.is_some())
        .map(|f| (None, SinkRef::Local(f.span), f));
    let elsewhere = previous
        .analysis
        .elsewhere
        .iter()
        .map(|(p, f)| (Some(p.clone()), SinkRef::Elsewhere(p.clone(), f.span), f));
    for (file, sink, finding) in local.chain(elsewhere) {
        let units = contributors.get(&sink)?;
        if units.iter().any(|u| u.is_none_or(|u| active.contains(&u))) {
            continue;
        }
        let moved = match &file {
            None => edit.finding(finding, None, edited_now),
            Some(_) => edit.finding(finding, this_file, edited_now),
        };
        match moved {
            Some(finding) => kept.push((file, finding)),
            None => more.extend(units.iter().flatten()),
        }
    }
    Some(if more.is_empty() { Ok(kept) } else { Err(more) })
}

fn merge(
    previous: &Snapshot,
    fresh: FileAnalysis,
    records: Records,
    kept: Vec<(Option<std::path::PathBuf>, Finding)>,
    active: &HashSet<UnitSpan>,
    edit: &Edit,
) -> Analysed {
    let mut analysis = fresh;
    for (file, finding) in kept {
        match file {
            None => analysis.findings.push(finding),
            Some(file) => analysis.elsewhere.push((file, finding)),
        }
    }
    for sink in &previous.analysis.recognised_sinks {
        if unit_of(&previous.all_units, sink.span.start_byte).is_some_and(|u| !active.contains(&u))
            && let Some(span) = edit.span(sink.span)
        {
            let mut sink = sink.clone();
            sink.span = span;
            analysis.recognised_sinks.push(sink);
        }
    }
    canonical_order(&mut analysis);

    let units_analysed = records.units.len();
    let units_total = records.all_units.len();
    let all_units = disjoint(records.all_units);
    let mut units: HashMap<UnitSpan, UnitRecord> = records
        .units
        .into_iter()
        .map(|u| ((u.start, u.end), u))
        .collect();
    for (span, record) in &previous.units {
        if active.contains(span) {
            continue;
        }
        let (Some((start, end)), Some(effects), Some(reads), Some(writes)) = (
            edit.unit(*span),
            edit.tokens(&record.effects),
            edit.keys(&record.reads),
            edit.keys(&record.writes),
        ) else {
            continue;
        };
        units.insert(
            (start, end),
            UnitRecord {
                start,
                end,
                effects,
                reads,
                writes,
                sticky: record.sticky,
            },
        );
    }
    let mut contributors = records.contributors;
    for (sink, senders) in &previous.contributors {
        if senders
            .iter()
            .any(|u| u.is_none_or(|u| active.contains(&u)))
        {
            continue;
        }
        let moved: Option<Vec<Option<UnitSpan>>> = senders
            .iter()
            .map(|u| match u {
                None => Some(None),
                Some(u) => edit.unit(*u).map(Some),
            })
            .collect();
        if let (Some(sink), Some(moved)) = (edit.sink(sink), moved) {
            contributors.push((sink, moved));
        }
    }
    let snapshot = Snapshot {
        text: Arc::from(edit.new_text.as_str()),
        language: previous.language,
        analysis: analysis.clone(),
        units,
        all_units,
        contributors,
        summary: None,
    };
    Analysed {
        analysis,
        summary: None,
        snapshot,
        units_analysed,
        units_total,
    }
}

/// Units sorted by position; none when two overlap (a function registered
/// at module level inside another one's text), which leaves the next
/// analysis to the whole file.
fn disjoint(mut units: Vec<UnitSpan>) -> Vec<UnitSpan> {
    units.sort_unstable();
    if units.windows(2).any(|w| w[0].1 > w[1].0) {
        units.clear();
    }
    units
}

/// The unit (outermost function) holding byte `at`; `units` are sorted
/// and do not overlap.
fn unit_of(units: &[UnitSpan], at: usize) -> Option<UnitSpan> {
    let next = units.partition_point(|(start, _)| *start <= at);
    let (start, end) = *units.get(next.checked_sub(1)?)?;
    (start <= at && at < end).then_some((start, end))
}

/// One contiguous replacement that turns the previous text into the new one.
struct Edit {
    start: usize,
    old_end: usize,
    new_end: usize,
    old_end_point: Point,
    new_end_point: Point,
    new_text: String,
}

impl Edit {
    /// The edit between two texts (their common prefix and suffix kept);
    /// `None` when they are the same.
    fn between(old: &str, new: &str) -> Option<Edit> {
        if old == new {
            return None;
        }
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let mut start = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        while !(old.is_char_boundary(start) && new.is_char_boundary(start)) {
            start -= 1;
        }
        let max_suffix = a.len().min(b.len()) - start;
        let mut suffix = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take(max_suffix)
            .take_while(|(x, y)| x == y)
            .count();
        while !(old.is_char_boundary(a.len() - suffix) && new.is_char_boundary(b.len() - suffix)) {
            suffix -= 1;
        }
        let old_end = a.len() - suffix;
        let new_end = b.len() - suffix;
        Some(Edit {
            start,
            old_end,
            new_end,
            old_end_point: point_at(old, old_end),
            new_end_point: point_at(new, new_end),
            new_text: new.to_string(),
        })
    }

    fn moved_point(&self, point: Point) -> Point {
        if point.row == self.old_end_point.row {
            Point {
                row: self.new_end_point.row,
                column: (self.new_end_point.column + point.column)
                    .saturating_sub(self.old_end_point.column),
            }
        } else {
            Point {
                row: (point.row + self.new_end_point.row).saturating_sub(self.old_end_point.row),
                column: point.column,
            }
        }
    }

    /// A span of the previous text in the new one: before the edit it stays,
    /// after it moves, around it it grows or shrinks; one that starts or ends
    /// inside the replaced text has no counterpart.
    fn span(&self, span: Span) -> Option<Span> {
        let (start_byte, end_byte) = self.unit((span.start_byte, span.end_byte))?;
        // Ends after the edit's start move; starts only when the whole span
        // is after the edit.
        let end_moves = span.end_byte > self.start;
        let start_moves = end_moves && span.start_byte >= self.old_end;
        let point = |point, moves| {
            if moves {
                self.moved_point(point)
            } else {
                point
            }
        };
        Some(Span {
            start_byte,
            end_byte,
            start: point(span.start, start_moves),
            end: point(span.end, end_moves),
        })
    }

    /// A byte range of the previous text in the new one, as [`Edit::span`].
    fn unit(&self, (start, end): UnitSpan) -> Option<UnitSpan> {
        let moved = |b: usize| b + self.new_end - self.old_end;
        if end <= self.start {
            Some((start, end))
        } else if start >= self.old_end {
            Some((moved(start), moved(end)))
        } else if start <= self.start && end >= self.old_end {
            Some((start, moved(end)))
        } else {
            None
        }
    }

    fn byte(&self, at: usize) -> Option<usize> {
        if at <= self.start {
            Some(at)
        } else if at >= self.old_end {
            Some(at + self.new_end - self.old_end)
        } else {
            None
        }
    }

    fn tokens(&self, tokens: &[Token]) -> Option<Vec<Token>> {
        tokens
            .iter()
            .map(|t| match t {
                Token::At(span) => self.span(*span).map(Token::At),
                other => Some(other.clone()),
            })
            .collect()
    }

    fn keys(&self, keys: &[(usize, String)]) -> Option<Vec<(usize, String)>> {
        keys.iter()
            .map(|(at, prop)| self.byte(*at).map(|at| (at, prop.clone())))
            .collect()
    }

    fn sink(&self, sink: &SinkRef) -> Option<SinkRef> {
        match sink {
            SinkRef::Local(span) => self.span(*span).map(SinkRef::Local),
            SinkRef::Elsewhere(..) => Some(sink.clone()),
        }
    }

    /// A kept finding in the new text. Its references to this file (`None`
    /// in local findings, `this_file` in findings placed elsewhere) move; it
    /// has none when one of them falls in the edited unit.
    fn finding(
        &self,
        finding: &Finding,
        this_file: Option<&Path>,
        edited: UnitSpan,
    ) -> Option<Finding> {
        let in_edited = |span: &Span| span.start_byte < edited.1 && span.end_byte > edited.0;
        let mut out = finding.clone();
        let local = this_file.is_none();
        let is_here = |file: &Option<std::path::PathBuf>| match this_file {
            None => file.is_none(),
            Some(this) => file.as_deref() == Some(this),
        };
        let moved = |span: &mut Span| -> Option<()> {
            let new = self.span(*span)?;
            if in_edited(&new) {
                return None;
            }
            *span = new;
            Some(())
        };
        if local {
            moved(&mut out.span)?;
            for fix in &mut out.fixes {
                for text_edit in &mut fix.edits {
                    moved(&mut text_edit.span)?;
                }
            }
            if let Some(tag) = &mut out.tag
                && let Some(span) = &mut tag.span
            {
                moved(span)?;
            }
        }
        for source in &mut out.sources {
            if is_here(&source.file) {
                moved(&mut source.span)?;
            }
        }
        for step in &mut out.flow {
            if is_here(&step.file) {
                moved(&mut step.span)?;
            }
        }
        Some(out)
    }
}

/// Row and byte column of byte `at`.
fn point_at(text: &str, at: usize) -> Point {
    let before = &text.as_bytes()[..at];
    let row = before.iter().filter(|b| **b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    Point {
        row,
        column: at - line_start,
    }
}

/// The module summary of the previous text, its references to this file
/// moved by the edit; `None` when one cannot be moved. Exact when the edited
/// unit looks the same from outside (what [`reanalyse`] checks): an export
/// then differs from the previous one only by where things are. Parts that
/// do not mention this file stay shared (their identity matters to
/// importers); those that do are rebuilt once each.
fn summary_moved(old: &ModuleSummary, this: &Path, edit: &Edit) -> Option<ModuleSummary> {
    let mut mover = SummaryMover {
        this,
        edit,
        functions: HashMap::new(),
        classes: HashMap::new(),
    };
    let mut exports = rustc_hash::FxHashMap::default();
    for (name, value) in &old.exports {
        exports.insert(name.clone(), mover.value(value, 0)?);
    }
    Some(
        ModuleSummary {
            exports,
            star_exports: old.star_exports.clone(),
            fingerprint: 0,
        }
        .seal(),
    )
}

struct SummaryMover<'e> {
    this: &'e Path,
    edit: &'e Edit,
    /// Rebuilt functions and classes by their old address (shared parts stay shared).
    functions: HashMap<usize, Arc<ExtFunction>>,
    classes: HashMap<usize, Arc<ExtClass>>,
}

impl SummaryMover<'_> {
    fn span(&self, file: &Path, span: Span) -> Option<Span> {
        if file == self.this {
            self.edit.span(span)
        } else {
            Some(span)
        }
    }

    fn steps(&self, steps: &Arc<[ExtStep]>) -> Option<Arc<[ExtStep]>> {
        if steps.iter().all(|s| &*s.file != self.this) {
            return Some(Arc::clone(steps));
        }
        steps
            .iter()
            .map(|s| {
                Some(ExtStep {
                    span: self.span(&s.file, s.span)?,
                    ..s.clone()
                })
            })
            .collect()
    }

    fn label(&self, label: &ExtLabel) -> Option<ExtLabel> {
        let source = if &*label.source.file == self.this {
            Arc::new(ExtSource {
                span: self.span(&label.source.file, label.source.span)?,
                ..(*label.source).clone()
            })
        } else {
            Arc::clone(&label.source)
        };
        Some(ExtLabel {
            category: label.category,
            source,
            steps: self.steps(&label.steps)?,
        })
    }

    fn value(&mut self, value: &ExtValue, depth: usize) -> Option<ExtValue> {
        Some(ExtValue {
            labels: value
                .labels
                .iter()
                .map(|l| self.label(l))
                .collect::<Option<_>>()?,
            origin: self.origin(&value.origin, depth)?,
        })
    }

    fn origin(&mut self, origin: &ExtOrigin, depth: usize) -> Option<ExtOrigin> {
        Some(match origin {
            ExtOrigin::Function(f) => ExtOrigin::Function(Shared(self.function(&f.0, depth)?)),
            ExtOrigin::Class(c) => ExtOrigin::Class(Shared(self.class(&c.0, depth)?)),
            ExtOrigin::Instance(c) => ExtOrigin::Instance(Shared(self.class(&c.0, depth)?)),
            other => other.clone(),
        })
    }

    fn param_sink(&self, sink: &ExtParamSink) -> Option<ExtParamSink> {
        let target = if &*sink.sink.file == self.this {
            let old = &sink.sink;
            let tag_insert = match &old.tag_insert {
                Some((span, text)) => Some((self.edit.span(*span)?, text.clone())),
                None => None,
            };
            let mut tag = old.tag.clone();
            if let Some(tag) = &mut tag
                && let Some(span) = &mut tag.span
            {
                *span = self.edit.span(*span)?;
            }
            Arc::new(ExtSink {
                file: Arc::clone(&old.file),
                span: self.edit.span(old.span)?,
                entry: old.entry.clone(),
                tag,
                tag_insert,
                comment_prefix: old.comment_prefix,
            })
        } else {
            Arc::clone(&sink.sink)
        };
        Some(ExtParamSink {
            param: sink.param,
            sink: target,
            steps: self.steps(&sink.steps)?,
        })
    }

    fn function(&mut self, f: &Arc<ExtFunction>, depth: usize) -> Option<Arc<ExtFunction>> {
        let key = Arc::as_ptr(f) as usize;
        if let Some(done) = self.functions.get(&key) {
            return Some(Arc::clone(done));
        }
        if depth > 8 {
            return Some(Arc::clone(f));
        }
        let moved = Arc::new(ExtFunction {
            returns: f
                .returns
                .iter()
                .map(|l| self.label(l))
                .collect::<Option<_>>()?,
            return_origin: self.origin(&f.return_origin, depth + 1)?,
            param_sinks: f
                .param_sinks
                .iter()
                .map(|s| self.param_sink(s))
                .collect::<Option<_>>()?,
            field_sinks: f
                .field_sinks
                .iter()
                .map(|(name, s)| Some((name.clone(), self.param_sink(s)?)))
                .collect::<Option<_>>()?,
            ..(**f).clone()
        });
        // Unchanged (nothing of this file in it): keep the original.
        let moved = if *moved == **f { Arc::clone(f) } else { moved };
        self.functions.insert(key, Arc::clone(&moved));
        Some(moved)
    }

    fn class(&mut self, c: &Arc<ExtClass>, depth: usize) -> Option<Arc<ExtClass>> {
        let key = Arc::as_ptr(c) as usize;
        if let Some(done) = self.classes.get(&key) {
            return Some(Arc::clone(done));
        }
        if depth > 8 {
            return Some(Arc::clone(c));
        }
        let mut methods = rustc_hash::FxHashMap::default();
        for (name, method) in &c.methods {
            methods.insert(name.clone(), self.function(method, depth + 1)?);
        }
        let mut fields = rustc_hash::FxHashMap::default();
        for (name, value) in &c.fields {
            fields.insert(name.clone(), self.value(value, depth + 1)?);
        }
        let moved = Arc::new(ExtClass {
            name: c.name.clone(),
            methods,
            fields,
        });
        let moved = if *moved == **c { Arc::clone(c) } else { moved };
        self.classes.insert(key, Arc::clone(&moved));
        Some(moved)
    }
}
