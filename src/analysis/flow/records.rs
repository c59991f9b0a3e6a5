//! What one analysis records so that the next, after an edit inside one
//! function, can re-analyse only that function's unit (see
//! `analysis::incremental`).

use std::sync::Arc;

use super::{
    ClassId, Engine, ExtOrigin, FnId, Label, LabelOrigin, MAX_PATH_STEPS, NO_STEP, Origin, Records,
    SinkRef, Token, UnitRecord, UnitSpan, Value,
};
use crate::finding::Span;

impl Engine<'_, '_> {
    /// The records of the units analysed in the final pass.
    pub(super) fn records(&self) -> Records {
        let unit_span = |f: FnId| {
            let node = self.functions[f].node;
            (node.start_byte(), node.end_byte())
        };
        let outermost: Vec<FnId> = (0..self.functions.len())
            .filter(|f| self.unit_of[*f] == *f)
            .collect();
        let mut units = Vec::new();
        for &unit in outermost
            .iter()
            .filter(|u| self.analysed_in_pass[**u] == self.pass)
        {
            let mut effects = Vec::new();
            for f in (0..self.functions.len()).filter(|f| self.unit_of[*f] == unit) {
                self.function_tokens(f, &mut effects);
            }
            for (_, class, prop, value) in self.field_writes.iter().filter(|w| w.0 == unit) {
                effects.push(Token::At(self.classes[*class].span));
                effects.push(Token::Text(prop.as_str().into()));
                self.value_tokens(value, &mut effects);
            }
            let touches = |write: bool| {
                let mut keys: Vec<(usize, String)> = self
                    .field_touches
                    .iter()
                    .filter(|(u, _, _, w)| *u == Some(unit) && *w == write)
                    .map(|(_, class, prop, _)| (self.class_start(*class), prop.clone()))
                    .collect();
                keys.sort();
                keys
            };
            let (start, end) = unit_span(unit);
            units.push(UnitRecord {
                start,
                end,
                effects,
                reads: touches(false),
                writes: touches(true),
                sticky: self.sticky_units.contains(&unit),
            });
        }
        let mut contributors: Vec<(SinkRef, Vec<Option<UnitSpan>>)> = self
            .contributors
            .iter()
            .map(|(sink, units)| {
                let site = &self.sink_sites[*sink];
                let sink = match &site.ext {
                    Some(ext) => SinkRef::Elsewhere(ext.file.to_path_buf(), ext.span),
                    None => SinkRef::Local(site.span),
                };
                let units = units.iter().map(|u| u.map(unit_span)).collect();
                (sink, units)
            })
            .collect();
        contributors.sort_by(|a, b| format!("{:?}", a.0).cmp(&format!("{:?}", b.0)));
        Records {
            units,
            all_units: outermost.into_iter().map(unit_span).collect(),
            contributors,
        }
    }

    fn class_start(&self, class: ClassId) -> usize {
        self.classes[class].span.start_byte
    }

    /// A function as callers see it: name, parameters, tags and summary.
    fn function_tokens(&self, f: FnId, out: &mut Vec<Token>) {
        let info = &self.functions[f];
        out.push(Token::At(Span::of(&info.node)));
        out.push(Token::Text(info.name.as_str().into()));
        for (name, _, _) in &info.params {
            out.push(Token::Text(name.as_str().into()));
        }
        out.push(Token::Text(
            format!(
                "{:?} {:?}",
                self.ai_sink_kind(f),
                self.sanitizer_categories(f)
            )
            .into(),
        ));
        let summary = &self.summaries[f];
        for label in &summary.returns {
            self.label_tokens(label, out);
        }
        out.push(Token::Num(summary.returns_params));
        self.origin_tokens(&summary.return_origin, out);
        for (param, sink, step) in &summary.param_sinks {
            out.push(Token::Num(u64::from(*param)));
            self.sink_tokens(*sink, out);
            self.chain_tokens(*step, out);
        }
        for (field, sink, step) in &summary.field_sinks {
            out.push(Token::Text(
                self.field_names[*field as usize].as_str().into(),
            ));
            self.sink_tokens(*sink, out);
            self.chain_tokens(*step, out);
        }
        out.push(Token::Text("end".into()));
    }

    fn value_tokens(&self, value: &Value, out: &mut Vec<Token>) {
        for label in value.labels.iter().filter(|l| !l.is_symbolic()) {
            self.label_tokens(label, out);
        }
        self.origin_tokens(&value.origin, out);
    }

    fn label_tokens(&self, label: &Label, out: &mut Vec<Token>) {
        out.push(Token::Text(label.category.into()));
        match label.origin {
            LabelOrigin::Source(s) => {
                let source = &self.sources[s as usize];
                out.push(place(source.file.as_deref(), source.span));
                out.push(Token::Text(source.evidence.as_str().into()));
                out.push(Token::Text(
                    source.column.as_deref().unwrap_or_default().into(),
                ));
            }
            LabelOrigin::Param(p) => out.push(Token::Num(u64::from(p))),
            LabelOrigin::Field(f) => {
                out.push(Token::Text(self.field_names[f as usize].as_str().into()))
            }
        }
        self.chain_tokens(label.step, out);
    }

    fn chain_tokens(&self, mut step: u32, out: &mut Vec<Token>) {
        let mut count = 0;
        while step != NO_STEP && count < MAX_PATH_STEPS {
            let s = &self.steps[step as usize];
            out.push(place(s.file.as_deref(), s.span));
            out.push(Token::Text(s.note.as_ref().into()));
            step = s.prev;
            count += 1;
        }
        out.push(Token::Text("|".into()));
    }

    fn sink_tokens(&self, sink: usize, out: &mut Vec<Token>) {
        let site = &self.sink_sites[sink];
        match &site.ext {
            Some(ext) => out.push(Token::Text(
                format!("{}:{}", ext.file.display(), ext.span.start_byte).into(),
            )),
            None => {
                out.push(Token::At(site.span));
                // The tag over the call is exported with it.
                let tag = self
                    .tags
                    .data_use_at(site.span.start_byte)
                    .and_then(|i| self.tags.tags[i].data_use(self.tags.comments[i]))
                    .map(|t| {
                        (
                            t.data_use,
                            t.data,
                            t.subject,
                            t.basis,
                            t.safeguards,
                            t.retention,
                            t.reference,
                        )
                    });
                out.push(Token::Text(format!("{tag:?}").into()));
            }
        }
        out.push(Token::Text(site.entry.api.as_str().into()));
    }

    fn origin_tokens(&self, origin: &Origin, out: &mut Vec<Token>) {
        match origin {
            Origin::Unknown => out.push(Token::Text("?".into())),
            Origin::Path { path, rooted } => {
                out.push(Token::Text(path.as_ref().into()));
                out.push(Token::Num(u64::from(*rooted)));
            }
            Origin::Function(f) => {
                out.push(Token::Text("fn".into()));
                out.push(Token::At(Span::of(&self.functions[*f].node)));
            }
            Origin::Class(c) => {
                out.push(Token::Text("class".into()));
                out.push(Token::At(self.classes[*c].span));
            }
            Origin::Instance(c) => {
                out.push(Token::Text("instance".into()));
                out.push(Token::At(self.classes[*c].span));
            }
            Origin::Ext(ExtOrigin::Path { path, rooted }) => {
                out.push(Token::Text(format!("ext {path}").into()));
                out.push(Token::Num(u64::from(*rooted)));
            }
            Origin::Ext(ext) => {
                out.push(Token::Text("ext".into()));
                out.push(Token::Num(ext_identity(ext)));
            }
        }
    }
}

/// A place in this file (moves with edits) or in another one (does not).
fn place(file: Option<&std::path::Path>, span: Span) -> Token {
    match file {
        None => Token::At(span),
        Some(file) => Token::Text(format!("{}:{}", file.display(), span.start_byte).into()),
    }
}

/// The identity of something defined in another module (the index shares
/// one summary per module until it changes).
fn ext_identity(origin: &ExtOrigin) -> u64 {
    let address = match origin {
        ExtOrigin::Unknown | ExtOrigin::Path { .. } => 0,
        ExtOrigin::Function(f) => Arc::as_ptr(&f.0) as usize,
        ExtOrigin::Class(c) | ExtOrigin::Instance(c) => Arc::as_ptr(&c.0) as usize,
        ExtOrigin::Module(m, _) => Arc::as_ptr(&m.0) as usize,
    };
    address as u64
}
