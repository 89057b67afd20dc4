; llmspell highlights for Rhai spells, written against our grammars/tree-sitter-rhai.
; Patterns come first-match-wins: host modules before the generic captures.

; Host modules (docs/api.md `## Modules`) and the object aliases `Agent`, `State`:
; `agent.create(...)`, `agent?.create`, `agent::create(...)`.
([
  (method_call_expression
    object: (identifier) @module.builtin
    method: (field_identifier) @function.builtin)
  (field_expression
    object: (identifier) @module.builtin
    field: (field_identifier) @function.builtin)
  (path_expression
    namespace: (identifier) @module.builtin
    name: (identifier) @function.builtin)
]
  (#any-of? @module.builtin "agent" "events" "fs" "http" "json" "llm" "log" "params" "print" "spell" "state" "tools" "workflow" "Agent" "State"))

; Keywords
[
  "as" "break" "catch" "const" "continue" "do" "else" "export" "fn" "for" "if" "import"
  "in" "let" "loop" "return" "switch" "throw" "try" "until" "while"
] @keyword

(private) @keyword

; Literals
(doc_comment) @comment.documentation
(comment) @comment
(shebang) @keyword.directive
(string) @string
(raw_string) @string
(template_string) @string
(escape_sequence) @string.escape
(character) @character
(integer) @number
(float) @number.float
(boolean) @boolean
(unit) @constant.builtin
[(this) (wildcard)] @variable.builtin
(interpolation ["${" "}"] @punctuation.special)

; Functions
(function_definition this_type: (identifier) @type)
(function_definition name: (identifier) @function)
(call_expression function: (identifier) @function.call)
(call_expression function: (path_expression name: (identifier) @function.call))
(method_call_expression method: (field_identifier) @function.method.call)

; Modules, constants, variables and properties
(path_expression namespace: (identifier) @module)
(import_statement alias: (identifier) @module)
(const_statement name: (identifier) @constant)
((identifier) @constant
  (#match? @constant "^[A-Z][A-Z0-9_]*$"))
(parameters (identifier) @variable.parameter)
(closure_parameters (identifier) @variable.parameter)
(field_expression field: (field_identifier) @property)
(property key: (identifier) @property)
(identifier) @variable

; Operators and punctuation
[
  "+" "-" "*" "/" "%" "**" "==" "!=" "<" "<=" ">" ">=" "&&" "||" "!" "&" "|" "^" "<<" ">>"
  "=" "+=" "-=" "*=" "/=" "%=" "**=" "<<=" ">>=" "&=" "|=" "^=" "??" ".." "..=" "!in" "=>"
] @operator

["(" ")" "[" "]" "?[" "{" "}" "#{"] @punctuation.bracket
["," ";" "." "?." ":" "::"] @punctuation.delimiter
