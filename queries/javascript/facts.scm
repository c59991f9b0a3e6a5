; inherits: _javascript
; JavaScript and JSX → language-neutral facts.

; ---------------------------------------------------------------- fallbacks
(this) @self

[
  (identifier)
  (shorthand_property_identifier)
  (shorthand_property_identifier_pattern)
] @name
