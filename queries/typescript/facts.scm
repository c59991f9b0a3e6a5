; inherits: _javascript
; TypeScript → language-neutral facts.

; A parameter's declared type tells what it holds (`store: PineconeStore`).
(required_parameter
  pattern: (_) @param.name
  type: (_) @param.type) @param

(optional_parameter
  pattern: (_) @param.name
  type: (_) @param.type) @param

[
  (required_parameter)
  (optional_parameter)
] @param

; Types carry no data.
[
  (type_annotation)
  (type_arguments)
] @opaque

; ---------------------------------------------------------------- fallbacks
(this) @self

[
  (identifier)
  (shorthand_property_identifier)
  (shorthand_property_identifier_pattern)
] @name
