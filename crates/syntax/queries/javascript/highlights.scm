; llmspell highlights for JavaScript spells, written against tree-sitter-javascript 0.25.0.
; Patterns come first-match-wins: host modules before the generic captures.

; Host modules (docs/api.md `## Modules`) and the object aliases `Agent`, `State`:
; `agent.create(...)`, `state.get`.
((member_expression
  object: (identifier) @module.builtin
  property: (property_identifier) @function.builtin)
  (#any-of? @module.builtin "agent" "events" "fs" "http" "json" "llm" "log" "params" "print" "spell" "state" "tools" "workflow" "Agent" "State"))

; Keywords
[
  "as" "async" "await" "break" "case" "catch" "class" "const" "continue" "debugger"
  "default" "delete" "do" "else" "export" "extends" "finally" "for" "from" "function"
  "get" "if" "import" "in" "instanceof" "let" "new" "of" "return" "set" "static"
  "switch" "target" "throw" "try" "typeof" "using" "var" "void" "while" "with" "yield"
] @keyword

; Literals
(comment) @comment
(hash_bang_line) @keyword.directive
(string) @string
(template_string) @string
(escape_sequence) @string.escape
(regex) @string.regexp
(number) @number
[(true) (false)] @boolean
[(null) (undefined)] @constant.builtin
[(this) (super)] @variable.builtin
(template_substitution ["${" "}"] @punctuation.special)

; Functions
(function_declaration name: (identifier) @function)
(generator_function_declaration name: (identifier) @function)
(function_expression name: (identifier) @function)
(method_definition name: (property_identifier) @function.method)
(variable_declarator name: (identifier) @function value: [(function_expression) (arrow_function)])
(call_expression function: (identifier) @function.call)
(call_expression function: (member_expression property: (property_identifier) @function.method.call))

; Variables and properties
(formal_parameters (identifier) @variable.parameter)
(arrow_function parameter: (identifier) @variable.parameter)
(property_identifier) @property
(shorthand_property_identifier) @property
(statement_identifier) @label
(identifier) @variable

; Operators and punctuation
[
  "+" "-" "*" "/" "%" "**" "++" "--" "=" "+=" "-=" "*=" "/=" "%=" "**=" "==" "===" "!="
  "!==" "<" "<=" ">" ">=" "&&" "||" "??" "!" "~" "&" "|" "^" "<<" ">>" ">>>" "&&=" "||="
  "??=" "&=" "|=" "^=" "<<=" ">>=" ">>>=" "=>" "..." "?"
] @operator

["(" ")" "[" "]" "{" "}"] @punctuation.bracket
["," ";" "." ":"] @punctuation.delimiter
