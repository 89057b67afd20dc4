; Rhai scopes, definitions and references

(source_file) @local.scope
(block) @local.scope
(function_definition) @local.scope
(closure_expression) @local.scope
(for_expression) @local.scope
(catch_clause) @local.scope

(let_statement name: (identifier) @local.definition.var)
(const_statement name: (identifier) @local.definition.constant)
(parameters (identifier) @local.definition.parameter)
(closure_parameters (identifier) @local.definition.parameter)
(for_expression pattern: (identifier) @local.definition.var)
(for_expression counter: (identifier) @local.definition.var)
(catch_clause error: (identifier) @local.definition.var)
(import_statement alias: (identifier) @local.definition.import)
(function_definition name: (identifier) @local.definition.function)

(identifier) @local.reference
