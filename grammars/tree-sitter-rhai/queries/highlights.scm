; Rhai highlights

(comment) @comment
(doc_comment) @comment.documentation
(shebang) @keyword.directive

(string) @string
(raw_string) @string
(template_string) @string
(escape_sequence) @string.escape
(character) @character
(integer) @number
(float) @number.float
(boolean) @boolean

(interpolation
  "${" @punctuation.special
  "}" @punctuation.special)

(function_definition name: (identifier) @function)
(parameters (identifier) @variable.parameter)
(closure_parameters (identifier) @variable.parameter)
(call_expression function: (identifier) @function.call)
(call_expression function: (path_expression name: (identifier) @function.call))
(method_call_expression method: (field_identifier) @function.method.call)
(field_expression field: (field_identifier) @property)
(property key: (identifier) @property)
(path_expression namespace: (identifier) @module)
(import_statement alias: (identifier) @module)
(const_statement name: (identifier) @constant)

((identifier) @constant
  (#match? @constant "^[A-Z][A-Z0-9_]*$"))

(this) @variable.builtin
(wildcard) @variable.builtin
(private) @keyword.modifier

[
  "let"
  "const"
] @keyword

"fn" @keyword.function

[
  "import"
  "export"
  "as"
] @keyword.import

[
  "if"
  "else"
  "switch"
] @keyword.conditional

[
  "while"
  "loop"
  "do"
  "until"
  "for"
  "in"
  "break"
  "continue"
] @keyword.repeat

"return" @keyword.return

[
  "try"
  "catch"
  "throw"
] @keyword.exception

[
  "+" "-" "*" "/" "%" "**"
  "==" "!=" "<" "<=" ">" ">="
  "&&" "||" "!" "&" "|" "^" "<<" ">>"
  "=" "+=" "-=" "*=" "/=" "%=" "**=" "<<=" ">>=" "&=" "|=" "^="
  "??" ".." "..=" "!in" "=>"
] @operator

[ "." "?." "::" "," ";" ":" ] @punctuation.delimiter

[ "(" ")" "[" "]" "?[" "{" "}" "#{" ] @punctuation.bracket
