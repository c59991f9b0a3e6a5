; Python → language-neutral facts. Capture names are documented in queries/README.md.
; A capture without a dot names the role of the matched node; `role.part`
; captures name the node's parts. Every other node is evaluated generically:
; the value of an expression is the union of the values of its children.

; ---------------------------------------------------------------- calls
(call
  function: (_) @call.callee
  arguments: (_) @call.args) @call

(keyword_argument
  name: (identifier) @arg.name
  value: (_) @arg.value) @arg.keyword

; `*args`, `**kwargs`: their value is their child's.
[
  (list_splat)
  (dictionary_splat)
] @arg.spread

; ---------------------------------------------------------------- reads
(attribute
  object: (_) @member.object
  attribute: (identifier) @member.property) @member

(subscript
  value: (_) @index.object
  subscript: (_) @index.key) @index

(string) @string

; Comparisons and negations yield booleans: personal data does not pass.
[
  (comparison_operator)
  (not_operator)
  (type)
] @opaque

; ---------------------------------------------------------------- writes
(assignment
  left: (_) @assign.target
  right: (_) @assign.value) @assign

(named_expression
  name: (_) @assign.target
  value: (_) @assign.value) @assign

; `with open(p) as f`: without a `value` part the value is the first other child.
(as_pattern
  alias: (_) @assign.target) @assign

(augmented_assignment
  left: (_) @update.target
  right: (_) @update.value) @update

; ---------------------------------------------------------------- containers
(dictionary) @dict

(pair
  key: (_) @pair.key
  value: (_) @pair.value) @pair

[
  (list_comprehension)
  (set_comprehension)
  (generator_expression)
  (dictionary_comprehension)
] @comprehension

; ---------------------------------------------------------------- control flow
(for_statement
  left: (_) @loop.target
  right: (_) @loop.iter) @loop

(for_in_clause
  left: (_) @loop.target
  right: (_) @loop.iter) @loop

[
  (if_statement)
  (while_statement)
  (try_statement)
  (match_statement)
  (elif_clause)
  (else_clause)
  (except_clause)
] @branch

[
  (return_statement)
  (yield)
] @return

; ---------------------------------------------------------------- definitions
(function_definition
  name: (identifier) @function.name
  parameters: (parameters) @function.params
  body: (block) @function.body) @function

(lambda
  body: (_) @lambda.body) @lambda

; A parameter's name is its `name` part, else its first identifier; a bare
; identifier directly in a parameter list is a parameter by itself.
(default_parameter name: (identifier) @param.name) @param
(typed_default_parameter
  name: (identifier) @param.name
  type: (type) @param.type) @param
; A declared type tells what a parameter holds (`store: Chroma`).
(typed_parameter type: (type) @param.type) @param
[
  (typed_parameter)
  (list_splat_pattern)
  (dictionary_splat_pattern)
] @param

(class_definition
  name: (identifier) @class.name
  body: (block) @class.body) @class

; ---------------------------------------------------------------- modules
(import_statement
  name: (dotted_name) @import.module) @import

(import_statement
  name: (aliased_import
    name: (dotted_name) @import.module
    alias: (identifier) @import.alias)) @import

(import_from_statement
  module_name: (_) @import.from
  name: (dotted_name) @import.name) @import

(import_from_statement
  module_name: (_) @import.from
  name: (aliased_import
    name: (dotted_name) @import.name
    alias: (identifier) @import.alias)) @import

; `from x import *` re-exports everything of `x`.
(import_from_statement
  module_name: (_) @import.from
  (wildcard_import) @import.name) @import

; Import statements as a whole; the patterns above give their bindings.
[
  (import_statement)
  (import_from_statement)
] @import

(comment) @comment

; ---------------------------------------------------------------- fallbacks
; Earlier patterns win on a shared node, so these come last.
((identifier) @self
  (#eq? @self "self"))

(identifier) @name
