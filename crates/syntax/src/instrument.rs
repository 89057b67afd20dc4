//! JavaScript line instrumentation for the debug seam.
//!
//! QuickJS has no debugger API, so a debugged JavaScript spell runs a rewritten copy of its
//! source. Every statement gets a guarded call in front of it, on the same line, so line
//! numbers (and the lines of error messages and stacks) stay the user's:
//!
//! ```text
//! if (__dbgOn && __dbg(F, LINE, COLUMN)) __dbgStop(F, SCOPE, (__dbgExpr) => eval(__dbgExpr)); let c = a + b;
//! ```
//!
//! `__dbg` reports the line event and answers whether to stop; only then is the eval closure
//! made, which reads the locals of `SCOPE` (the variables of the current function declared
//! before the statement, in declaration order: [`Instrumented::locals_at`]). Scopes are one
//! chain of declarations, so the text and the table grow linearly with the spell. Every function body is wrapped in
//! `const __dbgFrame = __dbgEnter(N); try { … } finally { __dbgExit(__dbgFrame); }` (`N`
//! indexes [`Instrumented::function_names`]) so the runtime knows the call depth; `F` is `__dbgFrame` inside a function and `0` at the
//! top level. Single-statement bodies (`if (x) f();`, `while (c) i++;`) are wrapped in braces,
//! arrow functions with an expression body get a block body, and nothing is inserted before
//! a `for` head's initialiser or between a label and its statement. A loop's condition gets
//! the same call as an expression (`while (test && stop, c)`), so the loop's head line comes
//! again at every test, as in Lua and Rhai. Nothing adds a line break, so every statement
//! keeps its line.
//!
//! The runtime defines the five globals only under a debug session; a plain run executes
//! the original source.

use tree_sitter::Node;

use crate::{Language, parse};

/// The global that turns the line calls on (one read per statement).
pub const JS_DEBUG_ON: &str = "__dbgOn";
/// `__dbg(frame, line, column) -> bool`: a line event; true means "stop here".
pub const JS_DEBUG_LINE: &str = "__dbg";
/// `__dbgStop(frame, scope, evaluate)`: the stop, with the statement's scope (its locals are
/// [`Instrumented::locals_at`]) and a closure that evaluates an expression in that scope.
pub const JS_DEBUG_STOP: &str = "__dbgStop";
/// `__dbgEnter(index) -> frame`: a function's entry (its name is `function_names[index]`);
/// returns the frame's id.
pub const JS_DEBUG_ENTER: &str = "__dbgEnter";
/// `__dbgExit(frame)`: a function's exit (normal or by an exception).
pub const JS_DEBUG_EXIT: &str = "__dbgExit";
/// The frame id of the top level.
pub const JS_DEBUG_MAIN_FRAME: u32 = 0;

/// An instrumented spell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instrumented {
    /// The rewritten source; every original line keeps its number.
    pub code: String,
    /// The 1-based lines on which an instrumented statement starts, ascending: the lines a
    /// breakpoint can bind to. Empty when the source has syntax errors (then `code` is the
    /// source unchanged, so the engine reports the error where the user wrote it).
    pub lines: Vec<u32>,
    /// The name of each instrumented function, by the index its `__dbgEnter` call passes:
    /// its own name, else the variable, property or method it is assigned to, else `<anonymous>`.
    pub function_names: Vec<String>,
    /// The scope chain the line calls index: (name, the entry declared before it).
    scope_entries: Vec<(String, Option<u32>)>,
    /// Every insertion: (1-based line, 0-based byte column in the original line, length).
    insertions: Vec<(u32, u32, u32)>,
}

impl Instrumented {
    /// The original 1-based byte column of a 1-based byte `column` of the instrumented text
    /// on `line`, for error positions; a column inside inserted text maps to where the
    /// insertion was made.
    pub fn original_column(&self, line: u32, column: u32) -> u32 {
        let mut shift = 0;
        for &(_, original, length) in self.insertions.iter().filter(|(at, ..)| *at == line) {
            // Where this insertion starts in the instrumented line (0-based).
            let start = original + shift;
            if column.saturating_sub(1) < start {
                break;
            }
            if column.saturating_sub(1) < start + length {
                return original + 1;
            }
            shift += length;
        }
        column.saturating_sub(shift).max(1)
    }

    /// The locals a line call's `scope` argument names: the current function's variables
    /// declared before the statement, in declaration order (a shadowed name once, at its
    /// latest declaration). Function and class declarations are not among them: they are
    /// hoisted, not run as statements. A negative or unknown scope has none.
    pub fn locals_at(&self, scope: i64) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        let mut current = u32::try_from(scope).ok();
        while let Some(index) = current {
            let Some((name, previous)) = self.scope_entries.get(index as usize) else {
                break;
            };
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
            current = *previous;
        }
        names.reverse();
        names
    }

    /// The first instrumented line at or after `line`: where a breakpoint set on `line` binds.
    pub fn breakpoint_line(&self, line: u32) -> Option<u32> {
        self.lines.iter().copied().find(|candidate| *candidate >= line)
    }
}

/// How deep in the tree the instrumenter goes; machine-made nesting deeper than this comes
/// back unchanged rather than risking the caller's stack.
const MAX_TREE_DEPTH: usize = 1_000;

/// Instruments a JavaScript spell for the debug seam (see the module documentation).
/// Never fails: a source with syntax errors, or nested deeper than any hand-written spell,
/// comes back unchanged, with no lines.
pub fn instrument_javascript(source: &str) -> Instrumented {
    let unchanged = || Instrumented {
        code: source.to_owned(),
        lines: Vec::new(),
        function_names: Vec::new(),
        scope_entries: Vec::new(),
        insertions: Vec::new(),
    };
    let tree = parse(Language::JavaScript, source);
    let Some(root) = tree.root().filter(|_| tree.errors().is_empty()) else {
        return unchanged();
    };
    if deeper_than(root, MAX_TREE_DEPTH) {
        return unchanged();
    }
    let mut walker = Walker {
        source,
        edits: Vec::new(),
        lines: Vec::new(),
        function_names: Vec::new(),
        scope_entries: Vec::new(),
        scope: None,
        block_vars: vec![Vec::new()],
        in_function: false,
    };
    walker.visit(root, 0);
    walker.finish()
}

/// Whether the tree under `root` is more than `limit` levels deep (walked without recursion).
fn deeper_than(root: Node<'_>, limit: usize) -> bool {
    let mut cursor = root.walk();
    let mut depth = 0usize;
    loop {
        if depth > limit {
            return true;
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
            depth -= 1;
        }
    }
}

/// One text insertion. At the same offset, closing insertions come before opening ones,
/// inner closings before outer ones, and outer openings before inner ones.
struct Edit {
    offset: usize,
    closing: bool,
    depth: usize,
    text: String,
}

impl Edit {
    fn order(&self) -> (usize, u8, isize) {
        let depth = self.depth as isize;
        if self.closing { (self.offset, 0, -depth) } else { (self.offset, 1, depth) }
    }
}

struct Walker<'a> {
    source: &'a str,
    edits: Vec<Edit>,
    lines: Vec<u32>,
    function_names: Vec<String>,
    /// Every declared name: (name, the entry declared before it in scope).
    scope_entries: Vec<(String, Option<u32>)>,
    /// The latest entry visible where the walk is.
    scope: Option<u32>,
    /// The `var` names declared in each open block, re-declared when it closes
    /// (they are function-scoped).
    block_vars: Vec<Vec<String>>,
    /// Whether the walk is inside a function (else at the top level).
    in_function: bool,
}

/// Statement kinds that get a line event in a statement list.
const STATEMENTS: &[&str] = &[
    "expression_statement",
    "lexical_declaration",
    "variable_declaration",
    "using_declaration",
    "return_statement",
    "throw_statement",
    "if_statement",
    "for_statement",
    "for_in_statement",
    "while_statement",
    "do_statement",
    "try_statement",
    "switch_statement",
    "break_statement",
    "continue_statement",
    "class_declaration",
    "labeled_statement",
    "debugger_statement",
    "with_statement",
    "export_statement",
];

/// Nodes that make a new call frame.
const FUNCTIONS: &[&str] = &[
    "function_declaration",
    "function_expression",
    "generator_function_declaration",
    "generator_function",
    "arrow_function",
    "method_definition",
];

impl<'a> Walker<'a> {
    fn insert(&mut self, offset: usize, closing: bool, depth: usize, text: String) {
        self.edits.push(Edit { offset, closing, depth, text });
    }

    fn visit(&mut self, node: Node<'_>, depth: usize) {
        match node.kind() {
            "program" => self.statements(named_children(node), depth),
            "statement_block" => {
                let saved = self.enter_block();
                self.statements(named_children(node), depth);
                self.exit_block(saved);
            }
            "switch_body" => {
                // One block: a `let` of an earlier case is in scope (maybe uninitialised) later.
                let saved = self.enter_block();
                for case in named_children(node) {
                    if let Some(value) = case.child_by_field_name("value") {
                        self.visit(value, depth + 1);
                    }
                    let mut cursor = case.walk();
                    let body: Vec<Node<'_>> = case.children_by_field_name("body", &mut cursor).collect();
                    self.statements(body, depth + 1);
                }
                self.exit_block(saved);
            }
            "if_statement" => {
                if let Some(consequence) = node.child_by_field_name("consequence") {
                    self.wrap_single_statement(consequence, depth + 1);
                }
                self.visit_children(node, depth);
            }
            "else_clause" => {
                if let Some(statement) = node.named_child(0) {
                    self.wrap_single_statement(statement, depth + 1);
                }
                self.visit_children(node, depth);
            }
            "while_statement" | "do_statement" | "with_statement" => {
                if let Some(body) = node.child_by_field_name("body") {
                    self.wrap_single_statement(body, depth + 1);
                }
                if let Some(condition) = node.child_by_field_name("condition") {
                    self.report_condition(condition, depth + 1);
                }
                self.visit_children(node, depth);
            }
            "for_statement" => {
                let saved = self.enter_block();
                let initializer = node.child_by_field_name("initializer");
                if let Some(initializer) = initializer {
                    self.visit(initializer, depth + 1);
                    self.declare_statement(initializer);
                }
                if let Some(condition) = node.child_by_field_name("condition") {
                    self.report_condition(condition, depth + 1);
                }
                if let Some(body) = node.child_by_field_name("body") {
                    self.wrap_single_statement(body, depth + 1);
                }
                for child in children(node) {
                    if initializer.is_none_or(|initializer| initializer.id() != child.id()) {
                        self.visit(child, depth + 1);
                    }
                }
                self.exit_block(saved);
            }
            "for_in_statement" => {
                if let Some(right) = node.child_by_field_name("right") {
                    self.visit(right, depth + 1);
                }
                let saved = self.enter_block();
                let kind = node.child_by_field_name("kind").map(|kind| &self.source[kind.byte_range()]);
                if let (Some(kind), Some(left)) = (kind, node.child_by_field_name("left")) {
                    let names = pattern_names(left, self.source);
                    if kind == "var" { self.declare_vars(names) } else { self.declare(names) }
                }
                if let Some(body) = node.child_by_field_name("body") {
                    self.wrap_single_statement(body, depth + 1);
                    self.visit(body, depth + 1);
                    self.declare_statement(body);
                }
                self.exit_block(saved);
            }
            "catch_clause" => {
                let saved = self.enter_block();
                if let Some(parameter) = node.child_by_field_name("parameter") {
                    self.declare(pattern_names(parameter, self.source));
                }
                if let Some(body) = node.child_by_field_name("body") {
                    self.visit(body, depth + 1);
                }
                self.exit_block(saved);
            }
            kind if FUNCTIONS.contains(&kind) => {
                let saved = (self.scope, self.in_function);
                self.scope = None;
                self.in_function = true;
                self.block_vars.push(Vec::new());
                if let Some(parameter) = node.child_by_field_name("parameter") {
                    self.declare(pattern_names(parameter, self.source));
                }
                if let Some(parameters) = node.child_by_field_name("parameters") {
                    for parameter in named_children(parameters) {
                        self.declare(pattern_names(parameter, self.source));
                    }
                }
                self.wrap_function(node, depth);
                self.visit_children(node, depth);
                self.block_vars.pop();
                (self.scope, self.in_function) = saved;
            }
            _ => self.visit_children(node, depth),
        }
    }

    fn visit_children(&mut self, node: Node<'_>, depth: usize) {
        for child in children(node) {
            self.visit(child, depth + 1);
        }
    }

    /// A list of statements in one scope: each gets its line call, then is walked, then
    /// declares its names for the statements after it.
    fn statements(&mut self, statements: Vec<Node<'_>>, depth: usize) {
        for statement in statements {
            self.prefix_if_statement(statement, depth + 1);
            self.visit(statement, depth + 1);
            self.declare_statement(statement);
        }
    }

    /// Declares the variables a statement declares (`let`, `const`, `var`, an exported one).
    fn declare_statement(&mut self, statement: Node<'_>) {
        let declaration = match statement.kind() {
            "export_statement" => match statement.child_by_field_name("declaration") {
                Some(declaration) => declaration,
                None => return,
            },
            _ => statement,
        };
        let is_var = match declaration.kind() {
            "variable_declaration" => true,
            "lexical_declaration" | "using_declaration" => false,
            _ => return,
        };
        let mut names = Vec::new();
        for declarator in named_children(declaration) {
            if declarator.kind() == "variable_declarator"
                && let Some(name) = declarator.child_by_field_name("name")
            {
                names.extend(pattern_names(name, self.source));
            }
        }
        if is_var { self.declare_vars(names) } else { self.declare(names) }
    }

    fn declare(&mut self, names: Vec<String>) {
        for name in names {
            self.scope_entries.push((name, self.scope));
            self.scope = Some(self.scope_entries.len() as u32 - 1);
        }
    }

    /// Declares `var` names: visible after their block closes too.
    fn declare_vars(&mut self, names: Vec<String>) {
        if let Some(block) = self.block_vars.last_mut() {
            block.extend(names.iter().cloned());
        }
        self.declare(names);
    }

    fn enter_block(&mut self) -> Option<u32> {
        self.block_vars.push(Vec::new());
        self.scope
    }

    /// Leaves a block: its `let`s go out of scope, its `var`s stay.
    fn exit_block(&mut self, saved: Option<u32>) {
        let vars = self.block_vars.pop().unwrap_or_default();
        self.scope = saved;
        if let Some(outer) = self.block_vars.last_mut() {
            outer.extend(vars.iter().cloned());
        }
        self.declare(vars);
    }

    /// Puts the guarded line call in front of `statement` when it is one that runs.
    fn prefix_if_statement(&mut self, statement: Node<'_>, depth: usize) {
        if !STATEMENTS.contains(&statement.kind()) {
            return;
        }
        if statement.kind() == "export_statement" {
            // `export { a }` and `export function f() {}` do nothing when they are reached.
            let runs = statement.child_by_field_name("value").is_some()
                || statement.child_by_field_name("declaration").is_some_and(|declaration| {
                    !matches!(declaration.kind(), "function_declaration" | "generator_function_declaration")
                });
            if !runs {
                return;
            }
        }
        let prefix = self.line_call(statement);
        self.insert(statement.start_byte(), false, depth, prefix);
    }

    /// Braces a single-statement body (`if (x) f();`) with the line call inside.
    fn wrap_single_statement(&mut self, body: Node<'_>, depth: usize) {
        if matches!(body.kind(), "statement_block" | "empty_statement") || !STATEMENTS.contains(&body.kind()) {
            return;
        }
        let opening = format!("{{ {}", self.line_call(body));
        self.insert(body.start_byte(), false, depth, opening);
        self.insert(body.end_byte(), true, depth, " }".to_owned());
    }

    /// Makes a loop's condition report its line each time it is tested, as Lua and Rhai stop
    /// on a loop's head at every iteration: `while (call, cond)`. The first test reports
    /// nothing new (the loop statement's own call was on that line just before).
    fn report_condition(&mut self, condition: Node<'_>, depth: usize) {
        let (test, stop) = self.line_test_and_stop(condition);
        let call = format!("{test} && {stop}");
        if condition.kind() == "parenthesized_expression" {
            // `while (…)`, `do … while (…)`: inside the parentheses.
            self.insert(condition.start_byte() + 1, false, depth, format!("{call}, "));
        } else if !matches!(condition.kind(), "empty_statement" | ";") {
            // A `for` head's condition (its initialiser is left alone).
            self.insert(condition.start_byte(), false, depth, format!("({call}, "));
            self.insert(condition.end_byte(), true, depth, ")".to_owned());
        }
    }

    /// Wraps a function's body so its entry and exit are seen; an arrow function's
    /// expression body becomes a block that returns it.
    fn wrap_function(&mut self, function: Node<'_>, depth: usize) {
        let Some(body) = function.child_by_field_name("body") else {
            return;
        };
        let index = self.function_names.len();
        self.function_names.push(function_name(function, self.source));
        let entry = format!("const __dbgFrame = {JS_DEBUG_ENTER}({index}); try {{ ");
        let exit = format!(" }} finally {{ {JS_DEBUG_EXIT}(__dbgFrame); }}");
        if body.kind() == "statement_block" {
            // Just inside the braces (one insertion when they hold nothing at all).
            let (inside_start, inside_end) = (body.start_byte() + 1, body.end_byte() - 1);
            if inside_start >= inside_end {
                self.insert(inside_start, false, depth, format!(" {entry}{exit} "));
            } else {
                self.insert(inside_start, false, depth, format!(" {entry}"));
                self.insert(inside_end, true, depth, format!("{exit} "));
            }
        } else {
            let opening = format!("{{ {entry}{}return (", self.line_call(body));
            self.insert(body.start_byte(), false, depth, opening);
            self.insert(body.end_byte(), true, depth, format!("){exit} }}"));
        }
    }

    /// The guarded line call for a statement (or an arrow function's expression body).
    fn line_call(&mut self, statement: Node<'_>) -> String {
        let (test, stop) = self.line_test_and_stop(statement);
        format!("if ({test}) {stop}; ")
    }

    /// The two halves of a line call: the test that reports the line, and the stop.
    fn line_test_and_stop(&mut self, statement: Node<'_>) -> (String, String) {
        let position = statement.start_position();
        let line = position.row as u32 + 1;
        if self.lines.last() != Some(&line) {
            self.lines.push(line);
        }
        let frame = if self.in_function { "__dbgFrame".to_owned() } else { JS_DEBUG_MAIN_FRAME.to_string() };
        let scope = self.scope.map_or(-1, i64::from);
        let column = position.column + 1;
        (
            format!("{JS_DEBUG_ON} && {JS_DEBUG_LINE}({frame}, {line}, {column})"),
            format!("{JS_DEBUG_STOP}({frame}, {scope}, (__dbgExpr) => eval(__dbgExpr))"),
        )
    }

    fn finish(mut self) -> Instrumented {
        self.edits.sort_by_key(Edit::order);
        let mut code = String::with_capacity(self.source.len() + self.edits.iter().map(|e| e.text.len()).sum::<usize>());
        let mut insertions = Vec::with_capacity(self.edits.len());
        let mut copied = 0;
        let mut line = 1u32;
        let mut line_start = 0usize;
        for edit in &self.edits {
            let original = &self.source[copied..edit.offset];
            for (index, byte) in original.bytes().enumerate() {
                if byte == b'\n' {
                    line += 1;
                    line_start = copied + index + 1;
                }
            }
            code.push_str(original);
            copied = edit.offset;
            code.push_str(&edit.text);
            insertions.push((line, (edit.offset - line_start) as u32, edit.text.len() as u32));
        }
        code.push_str(&self.source[copied..]);
        self.lines.sort_unstable();
        self.lines.dedup();
        Instrumented {
            code,
            lines: self.lines,
            function_names: self.function_names,
            scope_entries: self.scope_entries,
            insertions,
        }
    }
}

/// The name a stack shows for a function: its own name, else the variable, property or
/// method it is assigned to, else `<anonymous>`.
fn function_name(function: Node<'_>, source: &str) -> String {
    let text = |node: Node<'_>| source[node.byte_range()].to_owned();
    if let Some(name) = function.child_by_field_name("name") {
        return text(name);
    }
    let Some(parent) = function.parent() else {
        return "<anonymous>".to_owned();
    };
    let named = match parent.kind() {
        "variable_declarator" => parent.child_by_field_name("name").filter(|name| name.kind() == "identifier"),
        "assignment_expression" => parent.child_by_field_name("left").map(|left| {
            left.child_by_field_name("property").unwrap_or(left)
        }),
        "pair" => parent.child_by_field_name("key"),
        "field_definition" => parent.child_by_field_name("property"),
        _ => None,
    };
    named.map(text).unwrap_or_else(|| "<anonymous>".to_owned())
}

fn children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// The identifiers a binding pattern declares, in order.
fn pattern_names(pattern: Node<'_>, source: &str) -> Vec<String> {
    let mut found = Vec::new();
    collect_pattern(pattern, source, &mut found);
    found.into_iter().map(|(_, name)| name).collect()
}

/// The identifiers a binding pattern declares.
fn collect_pattern(pattern: Node<'_>, source: &str, found: &mut Vec<(usize, String)>) {
    match pattern.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            found.push((pattern.start_byte(), source[pattern.byte_range()].to_owned()));
        }
        "pair_pattern" => {
            if let Some(value) = pattern.child_by_field_name("value") {
                collect_pattern(value, source, found);
            }
        }
        "assignment_pattern" | "object_assignment_pattern" => {
            if let Some(left) = pattern.child_by_field_name("left") {
                collect_pattern(left, source, found);
            }
        }
        "object_pattern" | "array_pattern" | "rest_pattern" => {
            let mut cursor = pattern.walk();
            for item in pattern.named_children(&mut cursor) {
                collect_pattern(item, source, found);
            }
        }
        _ => {}
    }
}
