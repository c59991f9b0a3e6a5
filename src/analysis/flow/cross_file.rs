//! The engine's side of cross-file analysis: turning imported summaries
//! into values, labels and sink sites of this file, applying imported
//! function summaries at call sites, and exporting this file's own summary.

use super::*;

/// Memo tables while exporting, so shared things are exported once.
#[derive(Default)]
struct ExportCx {
    functions: HashMap<FnId, Arc<ExtFunction>>,
    classes: HashMap<ClassId, Arc<ExtClass>>,
    sources: HashMap<u32, Arc<ExtSource>>,
    sinks: HashMap<usize, Arc<ExtSink>>,
    in_progress: HashSet<(bool, usize)>,
}

impl<'a, 't> Engine<'a, 't> {
    // ------------------------------------------------------------ importing

    /// The value an import binds when it names a module of the workspace.
    pub(super) fn import_value(&mut self, import: &ImportFact<'t>) -> Option<Value> {
        let module = self.provider.module(&import.module);
        match (&import.name, module) {
            (Some(name), Some(module)) if name == "*" => {
                // Re-exported wholesale through this file's summary.
                self.provider.observe(&module, None);
                self.star_modules.push(module);
                None
            }
            (Some(name), module) => {
                if let Some(module) = &module {
                    self.provider.observe(module, Some(name));
                }
                if let Some(value) = module.as_ref().and_then(|m| m.export(name).cloned()) {
                    return Some(self.import_ext_value(&value));
                }
                // `from pkg import sub` names a submodule.
                let spec = if import.module.ends_with('.') {
                    format!("{}{name}", import.module)
                } else {
                    format!("{}.{name}", import.module)
                };
                let sub = self.provider.module(&spec)?;
                Some(self.module_value(sub, &spec))
            }
            (None, Some(module)) if import.default => {
                self.provider.observe(&module, Some("default"));
                let value = module.export("default").cloned();
                Some(match value {
                    Some(value) => self.import_ext_value(&value),
                    None => self.module_value(module, &import.module),
                })
            }
            (None, Some(module)) => {
                // `import a.b` binds `a`; only an aliased import binds the module itself.
                if import.alias.is_none() && import.module.contains('.') {
                    let root = import.module.split('.').next().unwrap_or("");
                    let root_module = self.provider.module(root)?;
                    return Some(self.module_value(root_module, root));
                }
                Some(self.module_value(module, &import.module))
            }
            (None, None) => None,
        }
    }

    pub(super) fn module_value(&self, module: Arc<ModuleSummary>, spec: &str) -> Value {
        Value {
            origin: Origin::Ext(ExtOrigin::Module(Shared(module), spec.into())),
            ..Value::default()
        }
    }

    /// A name bound by `from x import *` / `export * from "x"`.
    pub(super) fn star_import(&mut self, name: &str) -> Option<Value> {
        let value = self
            .star_modules
            .iter()
            .find_map(|m| m.export(name).cloned())?;
        Some(self.import_ext_value(&value))
    }

    pub(super) fn import_ext_value(&mut self, value: &ExtValue) -> Value {
        let mut out = Value {
            origin: self.import_origin(&value.origin),
            ..Value::default()
        };
        for label in &value.labels {
            let label = self.import_label(label);
            push_label(&mut out.labels, label);
        }
        out
    }

    fn import_origin(&self, origin: &ExtOrigin) -> Origin {
        match origin {
            ExtOrigin::Unknown => Origin::Unknown,
            ExtOrigin::Path { path, rooted } => Origin::Path {
                path: Rc::from(&**path),
                rooted: *rooted,
            },
            other => Origin::Ext(other.clone()),
        }
    }

    fn import_label(&mut self, label: &ExtLabel) -> Label {
        let key = (Arc::as_ptr(&label.source) as usize, label.category);
        let id = match self.ext_source_ids.get(&key) {
            Some(id) => *id,
            None => {
                self.sources.push(SourceInfo {
                    file: Some(label.source.file.clone()),
                    span: label.source.span,
                    category: label.category,
                    evidence: label.source.evidence.clone(),
                    column: None,
                });
                let id = (self.sources.len() - 1) as u32;
                self.ext_source_ids.insert(key, id);
                id
            }
        };
        let step = self.push_ext_steps(NO_STEP, &label.steps);
        Label {
            category: label.category,
            origin: LabelOrigin::Source(id),
            step,
        }
    }

    /// Appends steps from another file after `prev`.
    fn push_ext_steps(&mut self, prev: u32, steps: &[ExtStep]) -> u32 {
        let mut prev = prev;
        for step in steps {
            let depth = self.depth_of(prev).saturating_add(1);
            if usize::from(depth) > MAX_PATH_STEPS {
                break;
            }
            self.steps.push(Step {
                prev,
                file: Some(step.file.clone()),
                span: step.span,
                note: Rc::from(&*step.note),
                depth,
            });
            prev = (self.steps.len() - 1) as u32;
        }
        prev
    }

    fn ext_sink_site(&mut self, sink: &Arc<ExtSink>) -> usize {
        let key = (sink.file.clone(), sink.span.start_byte);
        if let Some(id) = self.ext_sink_ids.get(&key) {
            return *id;
        }
        self.sink_sites.push(SinkSite {
            span: sink.span,
            entry: Cow::Owned(sink.entry.clone()),
            ext: Some(sink.clone()),
        });
        let id = self.sink_sites.len() - 1;
        self.ext_sink_ids.insert(key, id);
        id
    }

    /// `module.attr`, `instance.field`, `Class.method` on imported things.
    pub(super) fn ext_member(&mut self, origin: &ExtOrigin, prop: &str) -> Option<Value> {
        match origin {
            ExtOrigin::Module(module, spec) => {
                self.provider.observe(&module.0, Some(prop));
                if let Some(value) = module.export(prop).cloned() {
                    return Some(self.import_ext_value(&value));
                }
                let sub_spec = format!("{spec}.{prop}");
                let sub = self.provider.module(&sub_spec)?;
                Some(self.module_value(sub, &sub_spec))
            }
            ExtOrigin::Instance(class) => {
                let key = (Arc::as_ptr(&class.0) as usize, prop.to_string());
                let mut value = match class.fields.get(prop).cloned() {
                    Some(field) => self.import_ext_value(&field),
                    None => match class.methods.get(prop) {
                        Some(method) => Value {
                            origin: Origin::Ext(ExtOrigin::Function(Shared(method.clone()))),
                            ..Value::default()
                        },
                        None => Value::default(),
                    },
                };
                self.mark_sticky();
                if let Some(set_here) = self.ext_fields.get(&key) {
                    value.union(set_here);
                    if value.origin == Origin::Unknown {
                        value.origin = set_here.origin.clone();
                    }
                }
                Some(value)
            }
            ExtOrigin::Class(class) => class.methods.get(prop).map(|method| Value {
                origin: Origin::Ext(ExtOrigin::Function(Shared(method.clone()))),
                ..Value::default()
            }),
            _ => None,
        }
    }

    /// `obj.field = value` on an instance of an imported class.
    pub(super) fn store_ext_field(&mut self, class: &Shared<ExtClass>, prop: &str, value: &Value) {
        self.mark_sticky();
        let key = (Arc::as_ptr(&class.0) as usize, prop.to_string());
        let entry = self.ext_fields.entry(key).or_default();
        entry.union(value);
        if value.origin != Origin::Unknown {
            entry.origin = value.origin.clone();
        }
    }

    /// A call of a function defined in another module.
    pub(super) fn apply_ext_summary(
        &mut self,
        call: Node<'t>,
        function: &Arc<ExtFunction>,
        receiver: Option<&Value>,
        args: &Arguments<'a, 't>,
        frame: &mut Frame<'a>,
    ) -> Value {
        let name = function.name.clone();
        if let Some(cleaned) = &function.sanitizer {
            return sanitized_result(cleaned, args);
        }
        let shift = usize::from(function.takes_self && receiver.is_some());
        let inputs = param_inputs(&function.params, shift, args);
        let mut result = Value {
            origin: self.import_origin(&function.return_origin),
            ..Value::default()
        };
        if !function.returns.is_empty() {
            for label in &function.returns {
                let label = self.import_label(label);
                push_label(&mut result.labels, label);
            }
            result = self.advance(&result, call, || format!("returned by `{name}()`"));
        }
        for (i, input) in inputs.iter().enumerate() {
            if i < 64 && function.returns_params & (1 << i) != 0 {
                let through = self.advance(input, call, || format!("passed through `{name}()`"));
                result.union(&through);
            }
        }
        for param_sink in &function.param_sinks {
            let Some(input) = inputs.get(param_sink.param as usize) else {
                continue;
            };
            self.reach_ext_sink(call, &name, input.clone(), param_sink, frame);
        }
        // Fields set on an imported class's instance, read by its method.
        if let Some(Origin::Ext(ExtOrigin::Instance(class))) = receiver.map(|r| &r.origin) {
            for (field, param_sink) in &function.field_sinks {
                self.mark_sticky();
                let key = (Arc::as_ptr(&class.0) as usize, field.clone());
                if let Some(value) = self.ext_fields.get(&key).cloned() {
                    self.reach_ext_sink(call, &name, value, param_sink, frame);
                }
            }
        }
        result.constant = false;
        result
    }

    fn reach_ext_sink(
        &mut self,
        call: Node<'t>,
        name: &str,
        input: Value,
        param_sink: &ExtParamSink,
        frame: &mut Frame<'a>,
    ) {
        if input.labels.is_empty() {
            return;
        }
        let arrived = self.advance(&input, call, || format!("passed to `{name}()`"));
        let site = self.ext_sink_site(&param_sink.sink);
        let labels: Vec<Label> = arrived
            .labels
            .iter()
            .map(|l| Label {
                step: self.push_ext_steps(l.step, &param_sink.steps),
                ..*l
            })
            .collect();
        self.record(frame, site, FindingKind::Flow, &labels);
    }

    // ------------------------------------------------------------ exporting

    /// What importers of this file can see: its module-level names.
    pub(super) fn export_summary(&self, file: &Arc<Path>) -> ModuleSummary {
        let mut cx = ExportCx::default();
        let mut summary = ModuleSummary::default();
        for (name, value) in &self.module_env {
            let exported = self.export_value(value, file, &mut cx);
            let key = match *name {
                // CommonJS `module.exports = …` is the default export.
                "module.exports" => "default",
                other => other,
            };
            summary.exports.insert(key.to_string(), exported);
        }
        summary.star_exports = self.star_modules.clone();
        summary.seal()
    }

    fn export_value(&self, value: &Value, file: &Arc<Path>, cx: &mut ExportCx) -> ExtValue {
        ExtValue {
            labels: value
                .labels
                .iter()
                .filter_map(|l| self.export_label(l, file, cx))
                .collect(),
            origin: self.export_origin(&value.origin, file, cx),
        }
    }

    fn export_origin(&self, origin: &Origin, file: &Arc<Path>, cx: &mut ExportCx) -> ExtOrigin {
        match origin {
            Origin::Unknown => ExtOrigin::Unknown,
            Origin::Path { path, rooted } => ExtOrigin::Path {
                path: Arc::from(&**path),
                rooted: *rooted,
            },
            Origin::Function(f) => match self.export_function(*f, file, cx) {
                Some(f) => ExtOrigin::Function(Shared(f)),
                None => ExtOrigin::Unknown,
            },
            Origin::Class(c) => match self.export_class(*c, file, cx) {
                Some(c) => ExtOrigin::Class(Shared(c)),
                None => ExtOrigin::Unknown,
            },
            Origin::Instance(c) => match self.export_class(*c, file, cx) {
                Some(c) => ExtOrigin::Instance(Shared(c)),
                None => ExtOrigin::Unknown,
            },
            Origin::Ext(ext) => {
                if let ExtOrigin::Module(module, _) = ext {
                    // This file's summary keeps the module as it is now.
                    self.provider.observe(&module.0, None);
                }
                ext.clone()
            }
        }
    }

    fn export_function(
        &self,
        id: FnId,
        file: &Arc<Path>,
        cx: &mut ExportCx,
    ) -> Option<Arc<ExtFunction>> {
        if let Some(done) = cx.functions.get(&id) {
            return Some(done.clone());
        }
        // A function that returns itself (or a cycle of them) stops here.
        if !cx.in_progress.insert((false, id)) {
            return None;
        }
        let info = &self.functions[id];
        let summary = &self.summaries[id];
        let param_sink =
            |this: &Self, cx: &mut ExportCx, param: u16, site: usize, step: u32| ExtParamSink {
                param,
                sink: this.export_sink(site, file, cx),
                steps: this.export_steps(step, file).into(),
            };
        let param_sinks = summary
            .param_sinks
            .iter()
            .map(|(p, site, step)| param_sink(self, cx, *p, *site, *step))
            .collect();
        let field_sinks = summary
            .field_sinks
            .iter()
            .filter_map(|(f, site, step)| {
                let name = self.field_names.get(usize::from(*f))?.clone();
                Some((name, param_sink(self, cx, 0, *site, *step)))
            })
            .collect();
        let exported = Arc::new(ExtFunction {
            name: info.name.clone(),
            params: info.params.iter().map(|(n, _, _)| n.clone()).collect(),
            takes_self: info.takes_self(),
            returns: summary
                .returns
                .iter()
                .filter_map(|l| self.export_label(l, file, cx))
                .collect(),
            returns_params: summary.returns_params,
            return_origin: self.export_origin(&summary.return_origin, file, cx),
            param_sinks,
            field_sinks,
            sanitizer: self.sanitizer_categories(id),
            ai_sink: self.ai_sink_kind(id),
        });
        cx.in_progress.remove(&(false, id));
        cx.functions.insert(id, exported.clone());
        Some(exported)
    }

    fn export_class(
        &self,
        id: ClassId,
        file: &Arc<Path>,
        cx: &mut ExportCx,
    ) -> Option<Arc<ExtClass>> {
        if let Some(done) = cx.classes.get(&id) {
            return Some(done.clone());
        }
        if !cx.in_progress.insert((true, id)) {
            return None;
        }
        let mut methods: Vec<(&String, &FnId)> = self.classes[id].methods.iter().collect();
        methods.sort();
        let methods = methods
            .into_iter()
            .filter_map(|(name, f)| Some((name.clone(), self.export_function(*f, file, cx)?)))
            .collect();
        let mut fields: Vec<(&String, &Value)> = self.fields[id].iter().collect();
        fields.sort_by(|a, b| a.0.cmp(b.0));
        let fields = fields
            .into_iter()
            .map(|(name, value)| (name.clone(), self.export_value(value, file, cx)))
            .collect();
        let exported = Arc::new(ExtClass {
            name: self.classes[id].name.clone(),
            methods,
            fields,
        });
        cx.in_progress.remove(&(true, id));
        cx.classes.insert(id, exported.clone());
        Some(exported)
    }

    fn export_label(&self, label: &Label, file: &Arc<Path>, cx: &mut ExportCx) -> Option<ExtLabel> {
        let LabelOrigin::Source(id) = label.origin else {
            return None;
        };
        let info = &self.sources[id as usize];
        if info.file.is_none() && self.marked_not_personal(info.span.start_byte) {
            return None;
        }
        let source = cx
            .sources
            .entry(id)
            .or_insert_with(|| {
                Arc::new(ExtSource {
                    file: info.file.clone().unwrap_or_else(|| file.clone()),
                    span: info.span,
                    evidence: info.evidence.clone(),
                })
            })
            .clone();
        Some(ExtLabel {
            category: label.category,
            source,
            steps: self.export_steps(label.step, file).into(),
        })
    }

    /// The step chain ending at `step`, oldest first.
    fn export_steps(&self, step: u32, file: &Arc<Path>) -> Vec<ExtStep> {
        let mut chain = Vec::new();
        let mut s = step;
        while s != NO_STEP && chain.len() < MAX_PATH_STEPS {
            let Some(info) = self.steps.get(s as usize) else {
                break;
            };
            chain.push(ExtStep {
                file: info.file.clone().unwrap_or_else(|| file.clone()),
                span: info.span,
                note: Arc::from(&*info.note),
            });
            s = info.prev;
        }
        chain.reverse();
        chain
    }

    fn export_sink(&self, site: usize, file: &Arc<Path>, cx: &mut ExportCx) -> Arc<ExtSink> {
        if let Some(done) = cx.sinks.get(&site) {
            return done.clone();
        }
        let info = &self.sink_sites[site];
        let exported = match &info.ext {
            Some(ext) => ext.clone(),
            None => {
                let tag = self
                    .tags
                    .data_use_at(info.span.start_byte)
                    .and_then(|i| self.tags.tags[i].data_use(self.tags.comments[i]));
                let insert = tags::line_start(self.src, info.span.start_byte, info.span.start);
                Arc::new(ExtSink {
                    file: file.clone(),
                    span: info.span,
                    entry: (*info.entry).clone(),
                    tag,
                    tag_insert: Some(insert),
                    comment_prefix: self.language.line_comment(),
                })
            }
        };
        cx.sinks.insert(site, exported.clone());
        exported
    }
}
