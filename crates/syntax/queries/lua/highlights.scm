; llmspell highlights for Lua spells, written against tree-sitter-lua 0.5.0.
; Patterns come first-match-wins: host modules before the generic captures.

; Host modules (docs/api.md `## Modules`) and the object aliases `Agent`, `State`:
; `agent.create`, `agent:create`.
([
  (dot_index_expression
    table: (identifier) @module.builtin
    field: (identifier) @function.builtin)
  (method_index_expression
    table: (identifier) @module.builtin
    method: (identifier) @function.builtin)
]
  (#any-of? @module.builtin "agent" "events" "fs" "http" "json" "llm" "log" "params" "print" "spell" "state" "tools" "workflow" "Agent" "State"))

; Keywords
[
  "and" "do" "else" "elseif" "end" "for" "function" "global" "goto" "if" "in"
  "local" "not" "or" "repeat" "return" "then" "until" "while"
] @keyword

(break_statement) @keyword

; Literals
(comment) @comment
(hash_bang_line) @keyword.directive
(string) @string
(escape_sequence) @string.escape
(number) @number
[(true) (false)] @boolean
(nil) @constant.builtin
(vararg_expression) @variable.builtin

; Functions
(function_declaration name: (identifier) @function)
(function_declaration name: (dot_index_expression field: (identifier) @function))
(function_declaration name: (method_index_expression method: (identifier) @function.method))
(function_call name: (identifier) @function.call)
(function_call name: (dot_index_expression field: (identifier) @function.call))
(function_call name: (method_index_expression method: (identifier) @function.method.call))

; Variables and fields
(parameters (identifier) @variable.parameter)
(field name: (identifier) @property)
(dot_index_expression field: (identifier) @property)
(label_statement (identifier) @label)
(goto_statement (identifier) @label)
(attribute (identifier) @attribute)
(identifier) @variable

; Operators and punctuation
[
  "+" "-" "*" "/" "//" "%" "^" "#" "&" "~" "|" "<<" ">>"
  "==" "~=" "<" "<=" ">" ">=" "=" ".."
] @operator

["(" ")" "[" "]" "{" "}"] @punctuation.bracket
["," ";" "." ":" "::"] @punctuation.delimiter
