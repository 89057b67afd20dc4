/**
 * @file Tree-sitter grammar for Rhai (https://rhai.rs), written from the Rhai book
 * and the behaviour of the rhai crate 1.27.
 * @license MIT OR Apache-2.0
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// Binary operator precedences follow the rhai tokenizer (higher binds tighter).
const PREC = {
  assign: 1,
  closure: 2,
  or: 30,
  and: 60,
  equality: 90,
  in: 110,
  comparison: 130,
  coalesce: 135,
  range: 140,
  additive: 150,
  multiplicative: 180,
  power: 190,
  shift: 210,
  unary: 250,
  postfix: 300,
  path: 310,
};

const commaSep = (rule) => optional(seq(rule, repeat(seq(',', rule)), optional(',')));
const commaSep1 = (rule) => seq(rule, repeat(seq(',', rule)), optional(','));

module.exports = grammar({
  name: 'rhai',

  extras: ($) => [/\s/, $.comment, $.doc_comment],

  // Block comments nest and raw strings close on as many `#`s as they open with:
  // both are lexed by src/scanner.c (comments of all kinds, so that they stay single tokens).
  // String contents are lexed there too, so that `/*` at the start of a string is not a comment.
  externals: ($) => [
    $.comment,
    $.doc_comment,
    $.raw_string,
    $._string_content,
    $._template_content,
    $.float,
    $._error_sentinel,
  ],

  word: ($) => $.identifier,

  conflicts: ($) => [],

  supertypes: ($) => [$._expression],

  rules: {
    source_file: ($) => seq(optional($.shebang), optional($._statements)),

    shebang: (_) => token(seq('#!', /.*/)),

    _statements: ($) =>
      choice(
        seq(repeat1($._statement), optional($._terminal_statement)),
        $._terminal_statement,
      ),

    // A statement that is terminated by `;` or by its own closing brace.
    _statement: ($) =>
      choice(
        seq($._simple_statement, ';'),
        prec(1, $._block_statement),
        $.empty_statement,
      ),

    // The last statement of a block or script may omit its `;`.
    _terminal_statement: ($) => $._simple_statement,

    empty_statement: (_) => ';',

    _simple_statement: ($) =>
      choice(
        $.let_statement,
        $.const_statement,
        $.expression_statement,
        $.return_statement,
        $.throw_statement,
        $.break_statement,
        $.continue_statement,
        $.import_statement,
        $.export_statement,
      ),

    _block_statement: ($) =>
      choice(
        prec(1, alias($._block_expression, $.expression_statement)),
        $.function_definition,
      ),

    _block_expression: ($) =>
      choice(
        $.block,
        $.if_expression,
        $.switch_expression,
        $.while_expression,
        $.loop_expression,
        $.for_expression,
        $.try_statement,
      ),

    expression_statement: ($) => $._value,

    let_statement: ($) =>
      seq('let', field('name', $.identifier), optional(seq('=', field('value', $._value)))),

    const_statement: ($) =>
      seq('const', field('name', $.identifier), '=', field('value', $._value)),

    return_statement: ($) => prec.right(seq('return', optional($._value))),
    throw_statement: ($) => prec.right(seq('throw', optional($._value))),
    break_statement: ($) => prec.right(seq('break', optional($._value))),
    continue_statement: ($) => prec.right(seq('continue', optional($._expression))),

    import_statement: ($) =>
      seq('import', field('path', $._expression), optional(seq('as', field('alias', $.identifier)))),

    export_statement: ($) =>
      seq(
        'export',
        choice(
          seq(field('name', $.identifier), optional(seq('as', field('alias', $.identifier)))),
          $.let_statement,
          $.const_statement,
        ),
      ),

    function_definition: ($) =>
      seq(
        optional($.private),
        'fn',
        optional(seq(field('this_type', choice($.identifier, $.string)), '.')),
        field('name', $.identifier),
        field('parameters', $.parameters),
        field('body', $.block),
      ),

    private: (_) => 'private',

    parameters: ($) => seq('(', commaSep($.identifier), ')'),

    block: ($) => seq('{', optional($._statements), '}'),

    try_statement: ($) =>
      seq(
        'try',
        field('body', $.block),
        $.catch_clause,
      ),

    catch_clause: ($) =>
      seq('catch', optional(seq('(', field('error', $.identifier), ')')), field('body', $.block)),

    // ---- expressions ----

    _expression: ($) =>
      choice(
        $._block_expression,
        $.do_expression,
        $.identifier,
        $.this,
        $.integer,
        $.float,
        $.boolean,
        $.unit,
        $.string,
        $.raw_string,
        $.template_string,
        $.character,
        $.array,
        $.object_map,
        $.parenthesized_expression,
        $.unary_expression,
        $.binary_expression,
        $.range_expression,
        alias($._open_start_range, $.open_range),
        $.assignment_expression,
        $.call_expression,
        $.method_call_expression,
        $.field_expression,
        $.index_expression,
        $.path_expression,
        $.closure_expression,
      ),

    this: (_) => 'this',
    boolean: (_) => choice('true', 'false'),

    unit: (_) => seq('(', ')'),

    parenthesized_expression: ($) => seq('(', $._value, ')'),

    array: ($) => seq('[', commaSep($._value), ']'),

    object_map: ($) => seq('#{', commaSep($.property), '}'),

    property: ($) =>
      seq(field('key', choice($.identifier, $.string, $.raw_string)), ':', field('value', $._value)),

    unary_expression: ($) =>
      prec(PREC.unary, seq(field('operator', choice('-', '+', '!')), field('operand', $._expression))),

    binary_expression: ($) => {
      const table = [
        [prec.left, PREC.or, choice('||', '|', '^')],
        [prec.left, PREC.and, choice('&&', '&')],
        [prec.left, PREC.equality, choice('==', '!=')],
        [prec.left, PREC.in, choice('in', '!in')],
        [prec.left, PREC.comparison, choice('<', '<=', '>', '>=')],
        [prec.left, PREC.coalesce, '??'],
        [prec.left, PREC.additive, choice('+', '-')],
        [prec.left, PREC.multiplicative, choice('*', '/', '%')],
        [prec.right, PREC.power, '**'],
        [prec.left, PREC.shift, choice('<<', '>>')],
      ];
      return choice(
        ...table.map(([fn, p, op]) =>
          // @ts-ignore
          fn(p, seq(field('left', $._expression), field('operator', op), field('right', $._expression))),
        ),
        // Rhai reads a jump after `??` as a statement: `let v = x ?? return 0;`.
        prec.left(
          PREC.coalesce,
          seq(
            field('left', $._expression),
            field('operator', '??'),
            field('right', choice($.return_statement, $.throw_statement, $.break_statement, $.continue_statement)),
          ),
        ),
      );
    },

    range_expression: ($) =>
      prec.left(
        PREC.range,
        seq(field('start', $._expression), field('operator', choice('..', '..=')), field('end', $._expression)),
      ),

    assignment_expression: ($) =>
      prec.right(
        PREC.assign,
        seq(
          field('left', $._expression),
          field(
            'operator',
            choice('=', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '&=', '|=', '^='),
          ),
          field('right', $._value),
        ),
      ),

    call_expression: ($) =>
      prec(
        PREC.postfix,
        seq(field('function', choice($.identifier, $.path_expression)), optional('!'), field('arguments', $.arguments)),
      ),

    method_call_expression: ($) =>
      prec(
        PREC.postfix,
        seq(
          field('object', $._expression),
          choice('.', '?.'),
          field('method', alias($.identifier, $.field_identifier)),
          field('arguments', $.arguments),
        ),
      ),

    arguments: ($) => seq('(', commaSep($._value), ')'),

    // Ranges with one bound left out are both `open_range` nodes (`2..`, `..=3`).
    //
    // Rhai reads a `..` where an operand starts as a range from 0, so `..=3` is an expression
    // like any other. A range without an end is accepted only before `]`, `)`, `}`, `,`, `;` or
    // `=>`: `_value` is an expression in the places that such a token ends (values of `let`,
    // `const`, `return`, array elements, map values, arguments, indexes, switch arms, right-hand
    // sides of assignments, statements). Making `2..` an expression everywhere would parse the
    // same code, but makes error recovery wrap an unfinished function in one `ERROR` node
    // (see the `an_unfinished_function_recovers_with_a_missing_token` test).
    _value: ($) => choice($._expression, alias($._open_end_range, $.open_range)),

    _open_end_range: ($) =>
      prec.left(PREC.range, seq(field('start', $._expression), field('operator', choice('..', '..=')))),

    _open_start_range: ($) =>
      prec.left(PREC.range, seq(field('operator', choice('..', '..=')), field('end', $._expression))),

    field_expression: ($) =>
      prec(
        PREC.postfix,
        seq(field('object', $._expression), choice('.', '?.'), field('field', alias($.identifier, $.field_identifier))),
      ),

    index_expression: ($) =>
      prec(
        PREC.postfix,
        seq(field('object', $._expression), choice('[', '?['), field('index', $._value), ']'),
      ),

    path_expression: ($) =>
      prec.left(
        PREC.path,
        seq(
          field('namespace', choice($.identifier, $.path_expression)),
          '::',
          field('name', $.identifier),
        ),
      ),

    // Rhai parses a closure's body as a statement: `|s| throw "no luck"` is a closure.
    closure_expression: ($) =>
      prec.right(
        PREC.closure,
        seq(
          field('parameters', $.closure_parameters),
          field('body', choice($._expression, $.throw_statement, $.return_statement)),
        ),
      ),

    closure_parameters: ($) => choice('||', seq('|', commaSep($.identifier), '|')),

    if_expression: ($) =>
      prec.right(
        seq(
          'if',
          field('condition', $._expression),
          field('consequence', $.block),
          optional(field('alternative', $.else_clause)),
        ),
      ),

    else_clause: ($) => seq('else', choice($.block, $.if_expression)),

    switch_expression: ($) =>
      seq('switch', field('value', $._expression), field('body', $.switch_body)),

    // The comma after an arm may be left out when the arm's value is a block.
    switch_body: ($) => seq('{', repeat(seq($.switch_arm, optional(','))), '}'),

    // Only a case with values may have a condition: rhai rejects `_ if x => …`.
    switch_arm: ($) =>
      seq(
        choice(
          field('pattern', alias($._default_pattern, $.switch_pattern)),
          seq(
            field('pattern', alias($._case_pattern, $.switch_pattern)),
            optional(seq('if', field('condition', $._expression))),
          ),
        ),
        '=>',
        field('value', choice($._value, $.break_statement, $.continue_statement, $.return_statement, $.throw_statement)),
      ),

    _default_pattern: ($) => $.wildcard,

    _case_pattern: ($) => seq($._switch_value, repeat(seq('|', $._switch_value))),

    wildcard: (_) => '_',

    _switch_value: ($) =>
      choice(
        $.integer,
        $.float,
        $.boolean,
        $.string,
        $.raw_string,
        $.character,
        $.switch_range,
        alias($._negative_number, $.unary_expression),
      ),

    _negative_number: ($) => seq(field('operator', '-'), field('operand', choice($.integer, $.float))),

    switch_range: ($) =>
      seq(
        field('start', choice($.integer, alias($._negative_number, $.unary_expression))),
        field('operator', choice('..', '..=')),
        field('end', choice($.integer, alias($._negative_number, $.unary_expression))),
      ),

    while_expression: ($) =>
      seq('while', field('condition', $._expression), field('body', $.block)),

    loop_expression: ($) => seq('loop', field('body', $.block)),

    do_expression: ($) =>
      seq('do', field('body', $.block), choice('while', 'until'), field('condition', $._expression)),

    for_expression: ($) =>
      seq(
        'for',
        choice(
          field('pattern', $.identifier),
          seq('(', field('pattern', $.identifier), ',', field('counter', $.identifier), ')'),
        ),
        'in',
        field('iterable', $._expression),
        field('body', $.block),
      ),

    // ---- literals ----

    identifier: (_) => /[a-zA-Z_][a-zA-Z0-9_]*/,

    integer: (_) =>
      token(
        choice(
          /0[xX][0-9a-fA-F_]+/,
          /0[oO][0-7_]+/,
          /0[bB][01_]+/,
          /[0-9][0-9_]*/,
        ),
      ),

    float: (_) =>
      token(
        choice(
          /[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?/,
          /[0-9][0-9_]*[eE][+-]?[0-9][0-9_]*/,
        ),
      ),

    string: ($) =>
      seq(
        '"',
        repeat(choice(alias($._string_content, $.string_content), $.escape_sequence)),
        token.immediate('"'),
      ),

    escape_sequence: (_) =>
      token.immediate(
        seq('\\', choice(/[^xuU\r\n]/, /x[0-9a-fA-F]{2}/, /u[0-9a-fA-F]{4}/, /U[0-9a-fA-F]{8}/, /\r?\n/)),
      ),

    template_string: ($) =>
      seq('`', repeat(choice(alias($._template_content, $.string_content), $.interpolation)), token.immediate('`')),

    interpolation: ($) => seq(token.immediate(prec(2, '${')), $._value, '}'),

    character: (_) =>
      token(seq("'", choice(/[^'\\]/, seq('\\', choice(/[^xuU]/, /x[0-9a-fA-F]{2}/, /u[0-9a-fA-F]{4}/, /U[0-9a-fA-F]{8}/))), "'")),
  },
});
