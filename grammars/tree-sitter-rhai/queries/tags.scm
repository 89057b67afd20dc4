; Rhai symbols for code navigation

((doc_comment)* @doc
  .
  (function_definition name: (identifier) @name) @definition.function)

(call_expression function: (identifier) @name) @reference.call
(call_expression function: (path_expression name: (identifier) @name)) @reference.call
(method_call_expression method: (field_identifier) @name) @reference.call

(import_statement alias: (identifier) @name) @definition.module
(const_statement name: (identifier) @name) @definition.constant
