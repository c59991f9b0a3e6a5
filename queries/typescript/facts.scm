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

; Types carry no data and run no code: their subtrees are not walked.
[
  (type_annotation)
  (type_arguments)
  (interface_declaration)
  (type_alias_declaration)
] @inert

; ---------------------------------------------------------------- fallbacks
(this) @self

[
  (identifier)
  (shorthand_property_identifier)
  (shorthand_property_identifier_pattern)
] @name
