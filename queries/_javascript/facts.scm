; Shared by JavaScript, TypeScript and TSX (private base: `; inherits: _javascript`).
; Capture names are documented in queries/README.md. The fallbacks (`@self`,
; `@name`) live at the end of each language's own file.

; ---------------------------------------------------------------- calls
(call_expression
  function: (_) @call.callee
  arguments: (_) @call.args) @call

(new_expression
  constructor: (_) @call.callee
  arguments: (_) @call.args) @call

; `...rest`: its value is its child's.
(spread_element) @arg.spread

; ---------------------------------------------------------------- reads
(member_expression
  object: (_) @member.object
  property: (_) @member.property) @member

(subscript_expression
  object: (_) @index.object
  index: (_) @index.key) @index

; Property names in object literals are keys, like strings.
[
  (string)
  (template_string)
  (property_identifier)
] @string

; ---------------------------------------------------------------- writes
(assignment_expression
  left: (_) @assign.target
  right: (_) @assign.value) @assign

(variable_declarator
  name: (_) @assign.target
  value: (_) @assign.value) @assign

(augmented_assignment_expression
  left: (_) @update.target
  right: (_) @update.value) @update

; `const { email, name: fullName } = user` binds properties by key.
(object_pattern) @destructure

(pair_pattern
  key: (_) @pair.key
  value: (_) @pair.value) @pair

; ---------------------------------------------------------------- containers
(object) @dict

(pair
  key: (_) @pair.key
  value: (_) @pair.value) @pair

; ---------------------------------------------------------------- control flow
(for_in_statement
  left: (_) @loop.target
  right: (_) @loop.iter) @loop

[
  (if_statement)
  (else_clause)
  (while_statement)
  (do_statement)
  (for_statement)
  (try_statement)
  (catch_clause)
  (switch_statement)
] @branch

[
  (return_statement)
  (yield_expression)
] @return

; ---------------------------------------------------------------- definitions
(function_declaration
  name: (_) @function.name
  parameters: (_) @function.params
  body: (_) @function.body) @function

(generator_function_declaration
  name: (_) @function.name
  parameters: (_) @function.params
  body: (_) @function.body) @function

(function_expression
  parameters: (_) @function.params
  body: (_) @function.body) @function

(method_definition
  name: (_) @function.name
  parameters: (_) @function.params
  body: (_) @function.body) @function

; An arrow function with a block body returns what its `return`s return; one
; with an expression body (`function.value`) returns that expression.
(arrow_function
  parameters: (_) @function.params
  body: (statement_block) @function.body) @function

(arrow_function
  parameter: (_) @function.params
  body: (statement_block) @function.body) @function

(arrow_function
  parameters: (_) @function.params
  body: (_) @function.value) @function

(arrow_function
  parameter: (_) @function.params
  body: (_) @function.value) @function

(class_declaration
  name: (_) @class.name
  body: (_) @class.body) @class

(class
  name: (_) @class.name
  body: (_) @class.body) @class

; ---------------------------------------------------------------- modules
; `import OpenAI from "openai"` binds the module's default export (the
; catalogue resolves it as the module); `import * as ai from "ai"` binds the
; module.
(import_statement
  (import_clause (identifier) @import.alias)
  source: (string) @import.from) @import

(import_statement
  (import_clause (namespace_import (identifier) @import.alias))
  source: (string) @import.module) @import

; Named imports and re-exports leave out `source:` (the engine reads the
; statement's module itself): a pattern ending in `source` after a long
; specifier list made matching quadratic.
(import_statement
  (import_clause
    (named_imports
      (import_specifier
        name: (_) @import.name
        !alias)))) @import

(import_statement
  (import_clause
    (named_imports
      (import_specifier
        name: (_) @import.name
        alias: (_) @import.alias)))) @import

(import_statement) @import

; Re-exports bind like imports: `export { ask } from "./ask"`,
; `export * from "./ask"`. Other export statements are evaluated for the
; declaration they hold.
(export_statement
  (export_clause
    (export_specifier
      name: (_) @import.name
      !alias))) @import

(export_statement
  (export_clause
    (export_specifier
      name: (_) @import.name
      alias: (_) @import.alias))) @import

(export_statement
  "*" @import.name
  source: (string) @import.from) @import

(export_statement) @import

(comment) @comment
