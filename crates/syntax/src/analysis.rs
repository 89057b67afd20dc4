//! What a spell defines and calls, read from its tree: symbols and scopes, host-object types,
//! host call sites with literal arguments, and literal workflow structure.
//!
//! One walker serves every language; the per-language parts are the node kinds it matches.
//! The host API comes in as plain data ([`HostApi`]) so that this crate never sees the bridge.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::num::NonZeroU16;

use tree_sitter::{Node, TreeCursor};

use crate::{Language, SyntaxTree, TextRange};

/// The host API as plain data, built by the caller from the manifest.
#[derive(Clone, Debug, Default)]
pub struct HostApi {
    /// Module name (and each alias) → its functions.
    pub modules: BTreeMap<String, HostModule>,
    /// Object type name (`Agent`, `Workflow`, …) → its methods.
    pub types: BTreeMap<String, HostType>,
}

#[derive(Clone, Debug, Default)]
pub struct HostModule {
    pub functions: BTreeMap<String, HostFunction>,
}

#[derive(Clone, Debug, Default)]
pub struct HostFunction {
    /// The return type's name as the manifest writes it (`Agent`, `str`, `list<str>`).
    pub returns: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct HostType {
    pub methods: BTreeMap<String, HostFunction>,
}

impl HostApi {
    /// The object type a return type names, when it is one of `types`.
    fn object_type(&self, returns: Option<&String>) -> Option<String> {
        let returns = returns?;
        self.types.contains_key(returns).then(|| returns.clone())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScopeId(pub usize);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SymbolId(pub usize);

/// A region where names are visible: the file, a function, a block, a loop.
#[derive(Clone, Debug)]
pub struct Scope {
    pub range: TextRange,
    pub parent: Option<ScopeId>,
    /// Only functions of enclosing scopes are visible here, not their variables (a Rhai `fn`).
    pub isolated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A named function (`function f()`, `local function f()`, `function f() {}`).
    Function,
    /// A local variable (`local`, `let`, `const`, `var`, loop variables, `catch` bindings).
    Local,
    Parameter,
    /// A Lua global assigned in the spell (`x = 1` with no `local x` in sight).
    Global,
}

/// A name defined in the spell, with every reference to it.
#[derive(Clone, Debug)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    pub scope: ScopeId,
    /// The defining name's range.
    pub definition: TextRange,
    /// Every use of the name after its definition (assignments included), in source order.
    pub references: Vec<TextRange>,
    /// The host object type it holds (`Agent`, `Workflow`, …), when known.
    pub host_type: Option<String>,
}

/// A literal value in the source, with its range.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub range: TextRange,
    pub literal: Literal,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Nil,
    Bool(bool),
    Number(f64),
    String(String),
    /// A table / object / object map with string keys: `(key, key range, value)`.
    Map(Vec<(String, TextRange, Value)>),
    /// A list / array.
    List(Vec<Value>),
    /// A function or closure.
    Function,
    /// A plain variable reference.
    Variable(String),
    /// A host call (its details are in [`Analysis::host_calls`]).
    Call(String),
    /// Anything else.
    Expression,
}

/// An argument of a host call.
#[derive(Clone, Debug)]
pub struct Argument {
    pub value: Value,
}

/// A call of a host function (`agent.create`) or of a host object's method (`Agent.run`).
#[derive(Clone, Debug)]
pub struct HostCall {
    /// `module.function` or `Type.method`.
    pub callee: String,
    /// The whole call.
    pub range: TextRange,
    /// The function (or method) name.
    pub name_range: TextRange,
    /// The argument list, parentheses included.
    pub arguments_range: TextRange,
    pub arguments: Vec<Argument>,
}

/// A member of a host module or of a host object that the spell reads or calls: `agent.create`,
/// `a:run`, `spell.name`, `agent::create`. Recorded whether or not the host API knows the member,
/// so that editors can flag typos (`agent.craete`) and colour the host API.
#[derive(Clone, Debug)]
pub struct HostAccess {
    /// Whose member it is.
    pub owner: HostOwner,
    /// The expression before the `.`, `:` or `::` (the module name as written, a variable, a call).
    pub object_range: TextRange,
    /// The member's name as written.
    pub member: String,
    pub member_range: TextRange,
    /// Whether the member is called right there (`agent.create(…)`, `a:run(…)`).
    pub called: bool,
    /// Whether the spell sets the member there (`agent.extra = …`, `function agent.helper() end`).
    pub assigned: bool,
}

/// The owner of a [`HostAccess`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HostOwner {
    /// A host module, by the name the spell wrote (`agent`, or an alias such as `Agent`).
    Module(String),
    /// A value whose host object type is known (`Agent`, `Workflow`, …).
    Object(String),
}

/// A workflow built with a literal configuration.
#[derive(Clone, Debug)]
pub struct Workflow {
    /// `workflow.sequential`, `workflow.parallel`, …
    pub callee: String,
    pub range: TextRange,
    /// The literal `name` and its range.
    pub name: Option<(String, TextRange)>,
    pub steps: Vec<WorkflowStep>,
}

/// A step whose name is known: a literal `name`, or an agent/workflow variable made with one.
#[derive(Clone, Debug)]
pub struct WorkflowStep {
    pub name: String,
    /// The range of the step entry in the steps list.
    pub range: TextRange,
}

/// Everything [`analyze`] found in a spell.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub scopes: Vec<Scope>,
    pub symbols: Vec<Symbol>,
    pub host_calls: Vec<HostCall>,
    pub workflows: Vec<Workflow>,
    /// Members of host modules and host objects, in source order (see [`HostAccess`]).
    pub host_accesses: Vec<HostAccess>,
}

impl Analysis {
    /// The symbol defined or referenced at `offset`.
    pub fn symbol_at(&self, offset: usize) -> Option<SymbolId> {
        self.symbols
            .iter()
            .position(|symbol| {
                symbol.definition.contains(offset)
                    || symbol.references.iter().any(|range| range.contains(offset))
            })
            .map(SymbolId)
    }

    pub fn symbol(&self, id: SymbolId) -> &Symbol {
        &self.symbols[id.0]
    }

    /// The innermost scope containing `offset`.
    pub fn scope_at(&self, offset: usize) -> Option<ScopeId> {
        self.scopes
            .iter()
            .enumerate()
            .filter(|(_, scope)| scope.range.contains(offset))
            .min_by_key(|(_, scope)| scope.range.end - scope.range.start)
            .map(|(index, _)| ScopeId(index))
    }

    /// The symbols visible at `offset`, innermost first (a name appears once).
    pub fn visible_at(&self, offset: usize) -> Vec<SymbolId> {
        let mut visible: Vec<SymbolId> = Vec::new();
        let mut scope = self.scope_at(offset);
        let mut only_functions = false;
        while let Some(id) = scope {
            let mut here: Vec<SymbolId> = (0..self.symbols.len())
                .map(SymbolId)
                .filter(|symbol| {
                    let symbol = &self.symbols[symbol.0];
                    symbol.scope == id
                        && (!only_functions || symbol.kind == SymbolKind::Function)
                        && (symbol.definition.start <= offset
                            || symbol.kind == SymbolKind::Function)
                })
                .collect();
            here.reverse();
            for symbol in here {
                let name = &self.symbols[symbol.0].name;
                if !visible
                    .iter()
                    .any(|seen| &self.symbols[seen.0].name == name)
                {
                    visible.push(symbol);
                }
            }
            only_functions |= self.scopes[id.0].isolated;
            scope = self.scopes[id.0].parent;
        }
        visible
    }

    /// The host type of the variable named `name` visible at `offset`.
    pub fn host_type_at(&self, offset: usize, name: &str) -> Option<&str> {
        self.visible_at(offset)
            .into_iter()
            .find(|id| self.symbols[id.0].name == name)
            .and_then(|id| self.symbols[id.0].host_type.as_deref())
    }
}

/// Reads symbols, scopes, host types, host calls and workflows from a parsed spell.
pub fn analyze(syntax_tree: &SyntaxTree, api: &HostApi) -> Analysis {
    let Some(root) = syntax_tree.root() else {
        return Analysis::default();
    };
    let tree_sitter_language = root.language();
    let kinds: Vec<&str> = (0..tree_sitter_language.node_kind_count())
        .map(|id| {
            u16::try_from(id)
                .ok()
                .and_then(|id| tree_sitter_language.node_kind_for_id(id))
                .unwrap_or("")
        })
        .collect();
    let mut walker = Walker {
        language: syntax_tree.language(),
        fields: FieldIds::of(&tree_sitter_language),
        kinds: &kinds,
        ancestors: Vec::new(),
        spare_cursors: Vec::new(),
        text: syntax_tree.text(),
        api,
        analysis: Analysis::default(),
        stack: Vec::new(),
        names: Vec::new(),
        literal_names: BTreeMap::new(),
        depth: 0,
        literal_depth: std::cell::Cell::new(0),
        stack_base: stack_address(),
        chain_depth: std::cell::Cell::new(0),
    };
    walker.push_scope(root);
    walker.visit(root);
    for symbol in &mut walker.analysis.symbols {
        symbol.references.sort();
    }
    // Hoisted functions were defined before the statements above them: keep symbols in source
    // order all the same (nothing in the analysis holds a `SymbolId` yet).
    walker
        .analysis
        .symbols
        .sort_by_key(|symbol| symbol.definition.start);
    walker
        .analysis
        .host_calls
        .sort_by_key(|call| call.range.start);
    walker
        .analysis
        .workflows
        .sort_by_key(|workflow| workflow.range.start);
    walker
        .analysis
        .host_accesses
        .sort_by_key(|access| access.member_range.start);
    walker.analysis
}

/// The parts of a host call that the walker reads.
struct CallParts<'tree> {
    callee: String,
    returns: Option<String>,
    name: Node<'tree>,
    /// The argument list (see [`Walker::argument_nodes`]), read only by the callers that need
    /// the arguments.
    arguments: Node<'tree>,
}

/// The field ids the walker reads, looked up once per analysis: a lookup by name compares
/// strings, and the walker asks for fields on most nodes.
#[derive(Clone, Copy)]
struct FieldIds {
    arguments: Option<NonZeroU16>,
    body: Option<NonZeroU16>,
    clause: Option<NonZeroU16>,
    constructor: Option<NonZeroU16>,
    counter: Option<NonZeroU16>,
    error: Option<NonZeroU16>,
    field: Option<NonZeroU16>,
    function: Option<NonZeroU16>,
    iterable: Option<NonZeroU16>,
    key: Option<NonZeroU16>,
    kind: Option<NonZeroU16>,
    left: Option<NonZeroU16>,
    method: Option<NonZeroU16>,
    name: Option<NonZeroU16>,
    namespace: Option<NonZeroU16>,
    object: Option<NonZeroU16>,
    operator: Option<NonZeroU16>,
    parameter: Option<NonZeroU16>,
    parameters: Option<NonZeroU16>,
    pattern: Option<NonZeroU16>,
    property: Option<NonZeroU16>,
    right: Option<NonZeroU16>,
    table: Option<NonZeroU16>,
    value: Option<NonZeroU16>,
}

impl FieldIds {
    fn of(language: &tree_sitter::Language) -> FieldIds {
        let id = |name: &str| language.field_id_for_name(name);
        FieldIds {
            arguments: id("arguments"),
            body: id("body"),
            clause: id("clause"),
            constructor: id("constructor"),
            counter: id("counter"),
            error: id("error"),
            field: id("field"),
            function: id("function"),
            iterable: id("iterable"),
            key: id("key"),
            kind: id("kind"),
            left: id("left"),
            method: id("method"),
            name: id("name"),
            namespace: id("namespace"),
            object: id("object"),
            operator: id("operator"),
            parameter: id("parameter"),
            parameters: id("parameters"),
            pattern: id("pattern"),
            property: id("property"),
            right: id("right"),
            table: id("table"),
            value: id("value"),
        }
    }
}

/// A node's child by a field id from [`FieldIds`] (none when the language lacks the field).
trait ChildByFieldId<'tree> {
    fn child_by_field_id_or_none(&self, field: Option<NonZeroU16>) -> Option<Node<'tree>>;
}

impl<'tree> ChildByFieldId<'tree> for Node<'tree> {
    fn child_by_field_id_or_none(&self, field: Option<NonZeroU16>) -> Option<Node<'tree>> {
        field.and_then(|field| self.child_by_field_id(field.get()))
    }
}

struct Walker<'a> {
    language: Language,
    fields: FieldIds,
    /// Node kind names by kind id: `Node::kind` measures and checks the C string on each call.
    kinds: &'a [&'a str],
    /// The nodes whose [`Walker::visit`] is open, outermost first: the start of the search for a
    /// node's parent (`Node::parent` searches down from the root, across all of its children).
    ancestors: Vec<Node<'a>>,
    /// Tree cursors free for [`Walker::visit_children`] to use.
    spare_cursors: Vec<TreeCursor<'a>>,
    text: &'a str,
    api: &'a HostApi,
    analysis: Analysis,
    /// The open scopes, innermost last.
    stack: Vec<ScopeId>,
    /// Per open scope: name → symbol.
    names: Vec<BTreeMap<String, SymbolId>>,
    /// Symbols holding a host object made with a literal `name` (for workflow step names).
    literal_names: BTreeMap<SymbolId, String>,
    /// How many [`Walker::visit`] calls are open (see [`MAX_VISIT_DEPTH`]).
    depth: usize,
    /// How many [`Walker::literal`] calls are open (see [`MAX_LITERAL_DEPTH`]).
    literal_depth: std::cell::Cell<usize>,
    /// The stack address where the walk began (see [`STACK_BUDGET`]).
    stack_base: usize,
    /// How many calls of a chain (`a():b():c()`) are being typed (see [`MAX_CHAIN_DEPTH`]).
    chain_depth: std::cell::Cell<usize>,
}

/// A method chain longer than this (`x:a():b():…`) is not typed beyond it.
const MAX_CHAIN_DEPTH: usize = 32;

/// The address of a local variable: where the stack is now.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// The walker recurses along the tree. Machine-made code (thousands of nested brackets, a chain
/// of thousands of operators) would overflow the stack, so the walker stops reading deeper when
/// it has used this much stack since [`analyze`] began, or is this many levels deep. Frames are
/// several times larger in debug builds than in release builds; measuring the stack itself lets
/// each build go as deep as it safely can. Code people write stays far above both limits.
const STACK_BUDGET: usize = 512 * 1024;
const MAX_VISIT_DEPTH: usize = 2_000;

/// Literal values deeper than this read as [`Literal::Expression`], for the same reason.
const MAX_LITERAL_DEPTH: usize = 64;

impl<'a> Walker<'a> {
    /// The node's kind, as `Node::kind` gives it.
    fn kind<'tree>(&self, node: impl Borrow<Node<'tree>>) -> &'a str {
        let node = node.borrow();
        match self.kinds.get(usize::from(node.kind_id())) {
            Some(kind) if !kind.is_empty() => kind,
            _ => self.kind_slow(*node),
        }
    }

    /// `Node::kind` for the kinds missing from the table (`ERROR`).
    fn kind_slow(&self, node: Node<'_>) -> &'a str {
        match node.kind() {
            "ERROR" => "ERROR",
            "_ERROR" => "_ERROR",
            // Never reached: every other kind id is in the table.
            _ => "",
        }
    }

    /// The node's parent, as `Node::parent` gives it. `Node::parent` searches down from the
    /// root, across all of its children; this searches down from the innermost node being
    /// visited that holds `node`, and falls back on `Node::parent` when none does.
    fn parent_of(&self, node: Node<'a>) -> Option<Node<'a>> {
        for ancestor in self.ancestors.iter().rev() {
            if ancestor.id() == node.id() {
                continue;
            }
            let mut parent = *ancestor;
            // The node whose child `node` is, is its parent. A search from a node that does not
            // hold `node` ends at a leaf and moves on to the next candidate.
            while let Some(child) = parent.child_with_descendant(node) {
                if child.id() == node.id() {
                    return Some(parent);
                }
                parent = child;
            }
        }
        node.parent()
    }

    /// The node's next sibling, as `Node::next_sibling` gives it, given its parent.
    fn next_sibling_in(node: Node<'a>, parent: Node<'a>) -> Option<Node<'a>> {
        let mut cursor = parent.walk();
        if !cursor.goto_first_child() {
            return None;
        }
        while cursor.node().id() != node.id() {
            if !cursor.goto_next_sibling() {
                return None;
            }
        }
        cursor.goto_next_sibling().then(|| cursor.node())
    }

    fn text_of(&self, node: Node<'a>) -> &'a str {
        self.text
            .get(node.start_byte()..node.end_byte())
            .unwrap_or("")
    }

    fn push_scope(&mut self, node: Node<'a>) {
        self.push_scope_isolated(node, false);
    }

    fn push_scope_isolated(&mut self, node: Node<'a>, isolated: bool) {
        let id = ScopeId(self.analysis.scopes.len());
        self.analysis.scopes.push(Scope {
            range: TextRange::of(node),
            parent: self.stack.last().copied(),
            isolated,
        });
        self.stack.push(id);
        self.names.push(BTreeMap::new());
    }

    fn pop_scope(&mut self) {
        self.stack.pop();
        self.names.pop();
    }

    fn define(&mut self, node: Node<'a>, kind: SymbolKind) -> SymbolId {
        self.define_in(node, kind, self.names.len() - 1)
    }

    fn define_in(&mut self, node: Node<'a>, kind: SymbolKind, level: usize) -> SymbolId {
        let id = SymbolId(self.analysis.symbols.len());
        let name = self.text_of(node).to_owned();
        self.analysis.symbols.push(Symbol {
            name: name.clone(),
            kind,
            scope: self.stack[level],
            definition: TextRange::of(node),
            references: Vec::new(),
            host_type: None,
        });
        self.names[level].insert(name, id);
        id
    }

    /// Defines the functions declared directly in a block before its statements are visited:
    /// JavaScript function declarations and Rhai `fn`s can be called above their declaration.
    fn hoist_functions(&mut self, block: Node<'a>) {
        let kinds: &[&str] = match self.language {
            Language::JavaScript => &["function_declaration", "generator_function_declaration"],
            Language::Rhai => &["function_definition"],
            // Lua: global functions of the chunk (`function f() … end`), which other functions
            // may call before the definition is reached.
            Language::Lua => &["function_declaration"],
        };
        for child in named_children(block) {
            if kinds.contains(&self.kind(child))
                && let Some(name) = child.child_by_field_id_or_none(self.fields.name)
                && self.kind(name) == "identifier"
                && child
                    .child(0)
                    .is_none_or(|first| self.kind(first) != "local")
            {
                self.define(name, SymbolKind::Function);
            }
        }
    }

    /// Whether [`Walker::hoist_functions`] defined this very name.
    fn is_hoisted(&self, name: Node<'a>) -> bool {
        self.names
            .last()
            .and_then(|names| names.get(self.text_of(name)))
            .is_some_and(|id| self.analysis.symbols[id.0].definition == TextRange::of(name))
    }

    /// Defines a function's name, unless [`Walker::hoist_functions`] already did.
    fn define_unless_hoisted(&mut self, name: Node<'a>) {
        if !self.is_hoisted(name) {
            self.define(name, SymbolKind::Function);
        }
    }

    fn resolve(&self, name: &str) -> Option<SymbolId> {
        let mut only_functions = false;
        for (level, names) in self.names.iter().enumerate().rev() {
            if let Some(&id) = names.get(name)
                && (!only_functions || self.analysis.symbols[id.0].kind == SymbolKind::Function)
            {
                return Some(id);
            }
            only_functions |= self.analysis.scopes[self.stack[level].0].isolated;
        }
        None
    }

    fn reference(&mut self, node: Node<'a>) -> Option<SymbolId> {
        let id = self.resolve(self.text_of(node))?;
        self.analysis.symbols[id.0]
            .references
            .push(TextRange::of(node));
        Some(id)
    }

    fn visit_children(&mut self, node: Node<'a>) {
        if node.child_count() == 0 {
            return;
        }
        // Cursors are reused: making one allocates.
        let mut cursor = match self.spare_cursors.pop() {
            Some(mut cursor) => {
                cursor.reset(node);
                cursor
            }
            None => node.walk(),
        };
        if cursor.goto_first_child() {
            loop {
                self.visit(cursor.node());
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        self.spare_cursors.push(cursor);
    }

    /// Whether the walk is too deep to go further (see [`STACK_BUDGET`]).
    fn too_deep(&self) -> bool {
        self.depth >= MAX_VISIT_DEPTH || self.stack_base.abs_diff(stack_address()) > STACK_BUDGET
    }

    fn visit(&mut self, node: Node<'a>) {
        if self.too_deep() {
            return;
        }
        self.depth += 1;
        self.ancestors.push(node);
        if node.is_error() {
            self.visit_error(node);
        } else {
            match self.language {
                Language::Lua => self.visit_lua(node),
                Language::JavaScript => self.visit_javascript(node),
                Language::Rhai => self.visit_rhai(node),
            }
        }
        self.ancestors.pop();
        self.depth -= 1;
    }

    /// An `ERROR` node, typically a function being typed: `function f(x)` followed by loose
    /// statements. The function name is defined where the error is, its parameters in a scope
    /// that runs to the end of the error, and the rest is visited as usual.
    fn visit_error(&mut self, node: Node<'a>) {
        let mut cursor = node.walk();
        let children: Vec<Node<'a>> = node.children(&mut cursor).collect();
        let mut opened = 0;
        let mut after_function_keyword = false;
        for child in children {
            match self.kind(child) {
                "function" | "fn" if !child.is_named() => after_function_keyword = true,
                "identifier" if after_function_keyword => {
                    after_function_keyword = false;
                    self.define(child, SymbolKind::Function);
                }
                "parameters" | "formal_parameters" => {
                    after_function_keyword = false;
                    self.push_scope_isolated(node, self.language == Language::Rhai);
                    if let Some(scope) = self.stack.last() {
                        self.analysis.scopes[scope.0].range.start = child.start_byte();
                    }
                    opened += 1;
                    for parameter in named_children(child) {
                        if self.language == Language::JavaScript {
                            self.define_pattern(parameter, SymbolKind::Parameter);
                        } else if self.kind(parameter) == "identifier" {
                            self.define(parameter, SymbolKind::Parameter);
                        }
                    }
                }
                _ => {
                    after_function_keyword = false;
                    self.visit(child);
                }
            }
        }
        for _ in 0..opened {
            self.pop_scope();
        }
    }

    // ----- Lua -----

    fn visit_lua(&mut self, node: Node<'a>) {
        match self.kind(node) {
            "chunk" => {
                self.hoist_functions(node);
                self.visit_children(node);
            }
            "variable_declaration" => {
                // `local a, b = x, y`: the values see the outer names, then the names are defined.
                let (names, values) = match node.named_child(0) {
                    Some(assignment) if self.kind(assignment) == "assignment_statement" => (
                        assignment.named_child(0),
                        assignment
                            .child_by_field_id_or_none(self.fields.operator)
                            .and_then(|_| {
                                let count = assignment.named_child_count();
                                assignment.named_child(count.saturating_sub(1) as u32)
                            }),
                    ),
                    other => (other, None),
                };
                let value_nodes = values.map(named_children).unwrap_or_default();
                if let Some(values) = values {
                    self.visit(values);
                }
                if let Some(names) = names {
                    let name_nodes: Vec<Node<'a>> = named_children(names)
                        .into_iter()
                        .filter(|child| self.kind(child) == "identifier")
                        .collect();
                    for (index, name) in name_nodes.into_iter().enumerate() {
                        let id = self.define(name, SymbolKind::Local);
                        if let Some(value) = value_nodes.get(index) {
                            self.assign_type(id, *value);
                        }
                    }
                }
            }
            "assignment_statement" => {
                let targets = node.named_child(0);
                let values = node.named_child(node.named_child_count().saturating_sub(1) as u32);
                let value_nodes = values.map(named_children).unwrap_or_default();
                if let Some(values) = values {
                    self.visit(values);
                }
                if let Some(targets) = targets {
                    for (index, target) in named_children(targets).into_iter().enumerate() {
                        if self.kind(target) == "identifier" {
                            let id = match self.reference(target) {
                                Some(id) => id,
                                None => self.define_in(target, SymbolKind::Global, 0),
                            };
                            if let Some(value) = value_nodes.get(index) {
                                self.assign_type(id, *value);
                            }
                        } else {
                            self.visit(target);
                        }
                    }
                }
            }
            "function_declaration" => {
                let is_local = node
                    .child(0)
                    .is_some_and(|first| self.kind(first) == "local");
                if let Some(name) = node.child_by_field_id_or_none(self.fields.name) {
                    if self.kind(name) == "identifier" {
                        if is_local {
                            self.define(name, SymbolKind::Function);
                        } else if !self.is_hoisted(name) && self.reference(name).is_none() {
                            self.define_in(name, SymbolKind::Function, 0);
                        }
                    } else {
                        self.visit(name);
                    }
                }
                self.lua_function(node);
            }
            "function_definition" => self.lua_function(node),
            "for_statement" => {
                self.push_scope(node);
                if let Some(clause) = node.child_by_field_id_or_none(self.fields.clause) {
                    let mut names = Vec::new();
                    for child in named_children(clause) {
                        match self.kind(child) {
                            "variable_list" => names.extend(
                                named_children(child)
                                    .into_iter()
                                    .filter(|name| self.kind(name) == "identifier"),
                            ),
                            "identifier" if self.kind(clause) == "for_numeric_clause" => {
                                names.push(child)
                            }
                            _ => self.visit(child),
                        }
                    }
                    for name in names {
                        self.define(name, SymbolKind::Local);
                    }
                }
                if let Some(body) = node.child_by_field_id_or_none(self.fields.body) {
                    self.visit(body);
                }
                self.pop_scope();
            }
            "block" => {
                self.push_scope(node);
                // A block ends at its last statement; its names stay visible up to the token
                // that closes it (`end`, `else`, `until`), where the cursor often is.
                let parent = self.parent_of(node);
                let end = parent
                    .and_then(|parent| Self::next_sibling_in(node, parent))
                    .map(|next| next.start_byte())
                    .or_else(|| parent.map(|parent| parent.end_byte()))
                    .unwrap_or(node.end_byte());
                if let Some(scope) = self.stack.last() {
                    let range = &mut self.analysis.scopes[scope.0].range;
                    range.end = range.end.max(end);
                }
                self.visit_children(node);
                self.pop_scope();
            }
            "function_call" => {
                self.visit_children(node);
                self.host_call(node);
            }
            "dot_index_expression" | "method_index_expression" => {
                if let Some(table) = node.child_by_field_id_or_none(self.fields.table) {
                    self.visit(table);
                }
                self.host_access(node);
            }
            "field" => {
                if let Some(name) = node.child_by_field_id_or_none(self.fields.name)
                    && self.kind(name) != "identifier"
                {
                    self.visit(name);
                }
                if let Some(value) = node.child_by_field_id_or_none(self.fields.value) {
                    self.visit(value);
                }
            }
            "identifier" => {
                self.reference(node);
            }
            _ => self.visit_children(node),
        }
    }

    fn lua_function(&mut self, node: Node<'a>) {
        self.push_scope(node);
        if let Some(parameters) = node.child_by_field_id_or_none(self.fields.parameters) {
            for parameter in named_children(parameters) {
                if self.kind(parameter) == "identifier" {
                    self.define(parameter, SymbolKind::Parameter);
                }
            }
        }
        if let Some(body) = node.child_by_field_id_or_none(self.fields.body) {
            self.visit(body);
        }
        self.pop_scope();
    }

    // ----- Rhai -----

    /// `left = right` in JavaScript and Rhai (both grammars name the sides alike): the right side
    /// first, then a plain variable on the left takes its host type; any other target is visited.
    fn visit_assignment(&mut self, node: Node<'a>) {
        let left = node.child_by_field_id_or_none(self.fields.left);
        let right = node.child_by_field_id_or_none(self.fields.right);
        if let Some(right) = right {
            self.visit(right);
        }
        let Some(left) = left else { return };
        if self.kind(left) == "identifier" {
            if let Some(id) = self.reference(left)
                && let Some(right) = right
            {
                self.assign_type(id, right);
            }
        } else {
            self.visit(left);
        }
    }

    fn visit_rhai(&mut self, node: Node<'a>) {
        match self.kind(node) {
            "let_statement" | "const_statement" => {
                // `let x = x + 1`: the value sees the outer `x`.
                let value = node.child_by_field_id_or_none(self.fields.value);
                if let Some(value) = value {
                    self.visit(value);
                }
                if let Some(name) = node.child_by_field_id_or_none(self.fields.name) {
                    let id = self.define(name, SymbolKind::Local);
                    if let Some(value) = value {
                        self.assign_type(id, value);
                    }
                }
            }
            "assignment_expression" => self.visit_assignment(node),
            "source_file" => {
                self.hoist_functions(node);
                self.visit_children(node);
            }
            "function_definition" => {
                if let Some(name) = node.child_by_field_id_or_none(self.fields.name) {
                    self.define_unless_hoisted(name);
                }
                // A Rhai function sees its parameters and other functions, not the spell's
                // variables.
                self.push_scope_isolated(node, true);
                if let Some(parameters) = node.child_by_field_id_or_none(self.fields.parameters) {
                    for parameter in named_children(parameters) {
                        if self.kind(parameter) == "identifier" {
                            self.define(parameter, SymbolKind::Parameter);
                        }
                    }
                }
                if let Some(body) = node.child_by_field_id_or_none(self.fields.body) {
                    self.visit_children(body);
                }
                self.pop_scope();
            }
            "closure_expression" => {
                self.push_scope(node);
                if let Some(parameters) = node.child_by_field_id_or_none(self.fields.parameters) {
                    for parameter in named_children(parameters) {
                        if self.kind(parameter) == "identifier" {
                            self.define(parameter, SymbolKind::Parameter);
                        }
                    }
                }
                if let Some(body) = node.child_by_field_id_or_none(self.fields.body) {
                    self.visit(body);
                }
                self.pop_scope();
            }
            "for_expression" => {
                if let Some(iterable) = node.child_by_field_id_or_none(self.fields.iterable) {
                    self.visit(iterable);
                }
                self.push_scope(node);
                for field in [self.fields.pattern, self.fields.counter] {
                    if let Some(name) = node.child_by_field_id_or_none(field) {
                        self.define(name, SymbolKind::Local);
                    }
                }
                if let Some(body) = node.child_by_field_id_or_none(self.fields.body) {
                    self.visit(body);
                }
                self.pop_scope();
            }
            "catch_clause" => {
                self.push_scope(node);
                if let Some(error) = node.child_by_field_id_or_none(self.fields.error) {
                    self.define(error, SymbolKind::Local);
                }
                if let Some(body) = node.child_by_field_id_or_none(self.fields.body) {
                    self.visit(body);
                }
                self.pop_scope();
            }
            "block" => {
                self.push_scope(node);
                self.visit_children(node);
                self.pop_scope();
            }
            "method_call_expression" | "call_expression" => {
                self.visit_children(node);
                self.host_call(node);
                if self.kind(node) == "method_call_expression" {
                    self.host_access(node);
                }
            }
            "field_expression" => {
                self.visit_children(node);
                self.host_access(node);
            }
            "path_expression" => self.host_access(node),
            "property" => {
                if let Some(value) = node.child_by_field_id_or_none(self.fields.value) {
                    self.visit(value);
                }
            }
            "import_statement" | "export_statement" => {}
            "identifier" => {
                self.reference(node);
            }
            _ => self.visit_children(node),
        }
    }

    // ----- JavaScript -----

    fn visit_javascript(&mut self, node: Node<'a>) {
        match self.kind(node) {
            "variable_declarator" => {
                let name = node.child_by_field_id_or_none(self.fields.name);
                let value = node.child_by_field_id_or_none(self.fields.value);
                if let Some(name) = name {
                    let ids = self.define_pattern(name, SymbolKind::Local);
                    if let (Some(value), [id]) = (value, ids.as_slice()) {
                        self.assign_type(*id, value);
                    }
                }
                if let Some(value) = value {
                    self.visit(value);
                }
            }
            "assignment_expression" => self.visit_assignment(node),
            "function_declaration" | "generator_function_declaration" => {
                if let Some(name) = node.child_by_field_id_or_none(self.fields.name) {
                    self.define_unless_hoisted(name);
                }
                self.javascript_function(node);
            }
            "program" => {
                self.hoist_functions(node);
                self.visit_children(node);
            }
            "function_expression"
            | "arrow_function"
            | "method_definition"
            | "generator_function" => self.javascript_function(node),
            "for_in_statement" => {
                // `for (const x of xs)`: the right side is outside the loop's scope.
                if let Some(right) = node.child_by_field_id_or_none(self.fields.right) {
                    self.visit(right);
                }
                self.push_scope(node);
                if let Some(left) = node.child_by_field_id_or_none(self.fields.left) {
                    if node.child_by_field_id_or_none(self.fields.kind).is_some() {
                        self.define_pattern(left, SymbolKind::Local);
                    } else {
                        self.visit(left);
                    }
                }
                if let Some(body) = node.child_by_field_id_or_none(self.fields.body) {
                    self.visit(body);
                }
                self.pop_scope();
            }
            "statement_block" | "for_statement" | "class_body" => {
                self.push_scope(node);
                self.hoist_functions(node);
                self.visit_children(node);
                self.pop_scope();
            }
            "catch_clause" => {
                self.push_scope(node);
                if let Some(parameter) = node.child_by_field_id_or_none(self.fields.parameter) {
                    self.define_pattern(parameter, SymbolKind::Local);
                }
                if let Some(body) = node.child_by_field_id_or_none(self.fields.body) {
                    self.visit(body);
                }
                self.pop_scope();
            }
            "call_expression" | "new_expression" => {
                self.visit_children(node);
                self.host_call(node);
                if self.kind(node) == "new_expression" {
                    self.host_access(node);
                }
            }
            "member_expression" => {
                self.visit_children(node);
                self.host_access(node);
            }
            "pair" => {
                if let Some(key) = node.child_by_field_id_or_none(self.fields.key)
                    && self.kind(key) == "computed_property_name"
                {
                    self.visit(key);
                }
                if let Some(value) = node.child_by_field_id_or_none(self.fields.value) {
                    self.visit(value);
                }
            }
            "identifier" | "shorthand_property_identifier" => {
                self.reference(node);
            }
            _ => self.visit_children(node),
        }
    }

    fn javascript_function(&mut self, node: Node<'a>) {
        self.push_scope(node);
        if let Some(name) = node.child_by_field_id_or_none(self.fields.name)
            && self.kind(node) == "function_expression"
        {
            self.define(name, SymbolKind::Function);
        }
        if let Some(parameter) = node.child_by_field_id_or_none(self.fields.parameter) {
            self.define_pattern(parameter, SymbolKind::Parameter);
        }
        if let Some(parameters) = node.child_by_field_id_or_none(self.fields.parameters) {
            for parameter in named_children(parameters) {
                self.define_pattern(parameter, SymbolKind::Parameter);
            }
        }
        if let Some(body) = node.child_by_field_id_or_none(self.fields.body) {
            if self.kind(body) == "statement_block" {
                // The body shares the parameters' scope.
                self.hoist_functions(body);
                self.visit_children(body);
            } else {
                self.visit(body);
            }
        }
        self.pop_scope();
    }

    /// Defines every name a JavaScript binding pattern binds; default values are visited.
    fn define_pattern(&mut self, node: Node<'a>, kind: SymbolKind) -> Vec<SymbolId> {
        if self.too_deep() {
            return Vec::new();
        }
        self.depth += 1;
        let ids = self.define_pattern_inner(node, kind);
        self.depth -= 1;
        ids
    }

    fn define_pattern_inner(&mut self, node: Node<'a>, kind: SymbolKind) -> Vec<SymbolId> {
        match self.kind(node) {
            "identifier" | "shorthand_property_identifier_pattern" => vec![self.define(node, kind)],
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(right) = node.child_by_field_id_or_none(self.fields.right) {
                    self.visit(right);
                }
                node.child_by_field_id_or_none(self.fields.left)
                    .map(|left| self.define_pattern(left, kind))
                    .unwrap_or_default()
            }
            "pair_pattern" => node
                .child_by_field_id_or_none(self.fields.value)
                .map(|value| self.define_pattern(value, kind))
                .unwrap_or_default(),
            "object_pattern" | "array_pattern" | "rest_pattern" => named_children(node)
                .into_iter()
                .flat_map(|child| self.define_pattern(child, kind))
                .collect(),
            _ => Vec::new(),
        }
    }

    // ----- Host types, calls and workflows -----

    /// Records the host type (and literal `name`) a value gives to a symbol.
    fn assign_type(&mut self, id: SymbolId, value: Node<'a>) {
        let call = self.call_parts(value);
        // `type_of` of a host call is its return type's object type (one `call_parts`, not two).
        let host_type = match &call {
            Some(call) => self.api.object_type(call.returns.as_ref()),
            None => self.type_of(value),
        };
        self.analysis.symbols[id.0].host_type = host_type;
        match call {
            Some(call) => {
                let name = self
                    .argument_nodes(call.arguments)
                    .first()
                    .and_then(|argument| map_string(&self.literal(*argument), "name"));
                match name {
                    Some(name) => self.literal_names.insert(id, name),
                    None => self.literal_names.remove(&id),
                };
            }
            None => {
                let copied = self.plain_variable(value).and_then(|other| {
                    self.resolve(other)
                        .and_then(|other| self.literal_names.get(&other).cloned())
                });
                match copied {
                    Some(name) => self.literal_names.insert(id, name),
                    None => self.literal_names.remove(&id),
                };
            }
        }
    }

    fn plain_variable(&self, node: Node<'a>) -> Option<&'a str> {
        let node = self.unwrap_expression(node);
        (self.kind(node) == "identifier").then(|| self.text_of(node))
    }

    /// Strips parentheses, `await` and Lua's `expression` wrappers.
    fn unwrap_expression<'tree>(&self, mut node: Node<'tree>) -> Node<'tree> {
        loop {
            match self.kind(node) {
                "parenthesized_expression" | "await_expression" | "expression" => {
                    match node.named_child(0) {
                        Some(inner) => node = inner,
                        None => return node,
                    }
                }
                _ => return node,
            }
        }
    }

    /// The host object type of an expression: a host call's return type, or a typed variable.
    fn type_of(&self, node: Node<'a>) -> Option<String> {
        let node = self.unwrap_expression(node);
        if self.kind(node) == "identifier" {
            let id = self.resolve(self.text_of(node))?;
            return self.analysis.symbols[id.0].host_type.clone();
        }
        let call = self.call_parts(node)?;
        self.api.object_type(call.returns.as_ref())
    }

    /// For a call of a host function or method: its callee (`module.function` / `Type.method`),
    /// return type, name node and argument nodes.
    fn call_parts<'tree>(&self, node: Node<'tree>) -> Option<CallParts<'tree>> {
        let node = self.unwrap_expression(node);
        let (function, arguments) = match self.kind(node) {
            "function_call" => (
                node.child_by_field_id_or_none(self.fields.name)?,
                node.child_by_field_id_or_none(self.fields.arguments)?,
            ),
            "call_expression" => (
                node.child_by_field_id_or_none(self.fields.function)?,
                node.child_by_field_id_or_none(self.fields.arguments)?,
            ),
            // Rhai: `agent.create(#{…})` is a method call on the module name.
            "method_call_expression" => {
                (node, node.child_by_field_id_or_none(self.fields.arguments)?)
            }
            // JavaScript: `new Agent({…})` calls the module's `new` (an alias of `create`).
            "new_expression" => (node, node.child_by_field_id_or_none(self.fields.arguments)?),
            _ => return None,
        };
        let (object, name) = match self.kind(function) {
            "new_expression" => (
                function.child_by_field_id_or_none(self.fields.constructor)?,
                function.child(0)?,
            ),
            // Rhai: `agent::create(#{…})`.
            "path_expression" => (
                function.child_by_field_id_or_none(self.fields.namespace)?,
                function.child_by_field_id_or_none(self.fields.name)?,
            ),
            "dot_index_expression" => (
                function.child_by_field_id_or_none(self.fields.table)?,
                function.child_by_field_id_or_none(self.fields.field)?,
            ),
            "method_index_expression" => (
                function.child_by_field_id_or_none(self.fields.table)?,
                function.child_by_field_id_or_none(self.fields.method)?,
            ),
            "member_expression" | "method_call_expression" => (
                function.child_by_field_id_or_none(self.fields.object)?,
                function
                    .child_by_field_id_or_none(self.fields.property)
                    .or_else(|| function.child_by_field_id_or_none(self.fields.method))?,
            ),
            _ => return None,
        };
        let object = self.unwrap_expression(object);
        let name_text = self.text_of(name);
        if self.kind(object) != "identifier" {
            // A method of a host call's result: `state.create({}):set("k", 1)`.
            if !matches!(
                self.kind(object),
                "function_call" | "call_expression" | "method_call_expression" | "new_expression"
            ) || self.chain_depth.get() >= MAX_CHAIN_DEPTH
            {
                return None;
            }
            self.chain_depth.set(self.chain_depth.get() + 1);
            let owner = self.type_of(object);
            self.chain_depth.set(self.chain_depth.get() - 1);
            let owner = owner?;
            let function = self.api.types.get(&owner)?.methods.get(name_text)?;
            return Some(CallParts {
                callee: format!("{owner}.{name_text}"),
                returns: function.returns.clone(),
                name,
                arguments,
            });
        }
        let object_name = self.text_of(object);
        let (owner, function) = match self.resolve(object_name) {
            Some(id) => {
                let owner = self.analysis.symbols[id.0].host_type.clone()?;
                let function = self.api.types.get(&owner)?.methods.get(name_text)?;
                (owner, function)
            }
            None => {
                let function = self
                    .api
                    .modules
                    .get(object_name)?
                    .functions
                    .get(name_text)?;
                (object_name.to_owned(), function)
            }
        };
        let callee = format!("{owner}.{name_text}");
        Some(CallParts {
            callee,
            returns: function.returns.clone(),
            name,
            arguments,
        })
    }

    /// The argument expressions of an argument list.
    fn argument_nodes<'tree>(&self, arguments: Node<'tree>) -> Vec<Node<'tree>> {
        let argument_nodes = match self.kind(arguments) {
            // Lua `f{...}` and `f"..."`: the table or string is the one argument.
            // A tagged template: the template is the one argument.
            "template_string" => vec![arguments],
            _ => named_children(arguments),
        };
        argument_nodes
            .into_iter()
            .filter(|child| self.kind(child) != "comment")
            .collect()
    }

    /// Records a member of a host module or host object (`agent.create`, `a:run`, `spell.name`,
    /// `agent::create`), whether or not the host API knows it.
    fn host_access(&mut self, node: Node<'a>) {
        // `new Agent(…)` calls the module's `new`: the keyword stands for the member.
        if self.kind(node) == "new_expression" {
            let (Some(constructor), Some(keyword)) = (
                node.child_by_field_id_or_none(self.fields.constructor),
                node.child(0),
            ) else {
                return;
            };
            let name = self.text_of(constructor);
            if self.kind(constructor) == "identifier"
                && self.kind(keyword) == "new"
                && self.resolve(name).is_none()
                && self.api.modules.contains_key(name)
            {
                self.analysis.host_accesses.push(HostAccess {
                    owner: HostOwner::Module(name.to_owned()),
                    object_range: TextRange::of(constructor),
                    member: "new".to_owned(),
                    member_range: TextRange::of(keyword),
                    called: true,
                    assigned: false,
                });
            }
            return;
        }
        let fields = match self.kind(node) {
            "dot_index_expression" => (self.fields.table, self.fields.field),
            "method_index_expression" => (self.fields.table, self.fields.method),
            "member_expression" => (self.fields.object, self.fields.property),
            "field_expression" => (self.fields.object, self.fields.field),
            "method_call_expression" => (self.fields.object, self.fields.method),
            "path_expression" => (self.fields.namespace, self.fields.name),
            _ => return,
        };
        let (Some(object), Some(member)) = (
            node.child_by_field_id_or_none(fields.0),
            node.child_by_field_id_or_none(fields.1),
        ) else {
            return;
        };
        if !matches!(
            self.kind(member),
            "identifier" | "property_identifier" | "field_identifier"
        ) {
            return;
        }
        let object = self.unwrap_expression(object);
        let owner = if self.kind(object) == "identifier" {
            let name = self.text_of(object);
            match self.resolve(name) {
                Some(id) => match &self.analysis.symbols[id.0].host_type {
                    Some(host_type) => HostOwner::Object(host_type.clone()),
                    None => return,
                },
                None if self.api.modules.contains_key(name) => HostOwner::Module(name.to_owned()),
                None => return,
            }
        } else if self.kind(node) == "path_expression" {
            return;
        } else {
            match self.type_of(object) {
                Some(host_type) => HostOwner::Object(host_type),
                None => return,
            }
        };
        let parent = self.parent_of(node);
        let called = self.kind(node) == "method_call_expression"
            || parent.is_some_and(|parent| {
                let callee_field = match self.kind(parent) {
                    "function_call" => self.fields.name,
                    "call_expression" => self.fields.function,
                    _ => return false,
                };
                parent
                    .child_by_field_id_or_none(callee_field)
                    .is_some_and(|callee| callee.id() == node.id())
            });
        let assigned = parent.is_some_and(|parent| match self.kind(parent) {
            // Lua: `function agent.helper() … end` and `agent.x, y = …`.
            "function_declaration" => parent
                .child_by_field_id_or_none(self.fields.name)
                .is_some_and(|name| name.id() == node.id()),
            "variable_list" => self
                .parent_of(parent)
                .is_some_and(|statement| self.kind(statement) == "assignment_statement"),
            "assignment_expression"
            | "augmented_assignment_expression"
            | "compound_assignment_expression" => parent
                .child_by_field_id_or_none(self.fields.left)
                .is_some_and(|left| left.id() == node.id()),
            _ => false,
        });
        self.analysis.host_accesses.push(HostAccess {
            owner,
            object_range: TextRange::of(object),
            member: self.text_of(member).to_owned(),
            member_range: TextRange::of(member),
            called,
            assigned,
        });
    }

    fn host_call(&mut self, node: Node<'a>) {
        let Some(CallParts {
            callee,
            returns,
            name,
            arguments,
        }) = self.call_parts(node)
        else {
            return;
        };
        let arguments_range = node
            .child_by_field_id_or_none(self.fields.arguments)
            .map(TextRange::of)
            .unwrap_or_default();
        let arguments: Vec<Argument> = self
            .argument_nodes(arguments)
            .iter()
            .map(|argument| Argument {
                value: self.literal(*argument),
            })
            .collect();
        if returns.as_deref() == Some("Workflow")
            && let Some(config) = arguments.first()
        {
            let workflow = self.workflow(&callee, node, config);
            self.analysis.workflows.push(workflow);
        }
        self.analysis.host_calls.push(HostCall {
            callee,
            range: TextRange::of(node),
            name_range: TextRange::of(name),
            arguments_range,
            arguments,
        });
    }

    fn workflow(&self, callee: &str, node: Node<'a>, config: &Argument) -> Workflow {
        let mut workflow = Workflow {
            callee: callee.to_owned(),
            range: TextRange::of(node),
            name: None,
            steps: Vec::new(),
        };
        let Literal::Map(entries) = &config.value.literal else {
            return workflow;
        };
        for (key, _, value) in entries {
            match (key.as_str(), &value.literal) {
                ("name", Literal::String(name)) => {
                    workflow.name = Some((name.clone(), value.range))
                }
                ("steps", Literal::List(steps)) => {
                    for step in steps {
                        let name = match &step.literal {
                            Literal::Map(_) => map_string(step, "name"),
                            Literal::Variable(variable) => self
                                .resolve(variable)
                                .and_then(|id| self.literal_names.get(&id).cloned()),
                            // An agent or a nested workflow made in place: its literal `name`.
                            Literal::Call(_) => self
                                .analysis
                                .host_calls
                                .iter()
                                .find(|call| call.range == step.range)
                                .and_then(|call| call.arguments.first())
                                .and_then(|config| map_string(&config.value, "name")),
                            _ => None,
                        };
                        if let Some(name) = name {
                            workflow.steps.push(WorkflowStep {
                                name,
                                range: step.range,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        workflow
    }

    /// The literal value of an expression (`Expression` when it is not a literal).
    fn literal(&self, node: Node<'a>) -> Value {
        let node = self.unwrap_expression(node);
        let range = TextRange::of(node);
        if self.literal_depth.get() >= MAX_LITERAL_DEPTH || self.too_deep() {
            return Value {
                range,
                literal: Literal::Expression,
            };
        }
        self.literal_depth.set(self.literal_depth.get() + 1);
        let value = self.literal_inner(node, range);
        self.literal_depth.set(self.literal_depth.get() - 1);
        value
    }

    fn literal_inner(&self, node: Node<'a>, range: TextRange) -> Value {
        let text = self.text_of(node);
        let literal = match self.kind(node) {
            "nil" | "null" | "undefined" => Literal::Nil,
            "true" => Literal::Bool(true),
            "false" => Literal::Bool(false),
            "number" | "integer" | "float" => {
                parse_number(text).map_or(Literal::Expression, Literal::Number)
            }
            "boolean" => Literal::Bool(text == "true"),
            "raw_string" => Literal::String(raw_string(text)),
            "string" => self
                .string_value(node)
                .map_or(Literal::Expression, Literal::String),
            "template_string" => {
                if named_children(node).iter().any(|child| {
                    matches!(self.kind(child), "template_substitution" | "interpolation")
                }) {
                    Literal::Expression
                } else {
                    Literal::String(text.trim_matches('`').to_owned())
                }
            }
            "identifier" => Literal::Variable(text.to_owned()),
            "function_definition"
            | "function_expression"
            | "arrow_function"
            | "closure_expression" => Literal::Function,
            "function_call" | "call_expression" | "method_call_expression" | "new_expression" => {
                match self.call_parts(node) {
                    Some(call) => Literal::Call(call.callee),
                    None => Literal::Expression,
                }
            }
            "table_constructor" => self.lua_table(node),
            "object_map" => {
                let mut entries = Vec::new();
                for property in named_children(node) {
                    let (Some(key), Some(value)) = (
                        property.child_by_field_id_or_none(self.fields.key),
                        property.child_by_field_id_or_none(self.fields.value),
                    ) else {
                        continue;
                    };
                    let key_text = match self.kind(key) {
                        "identifier" => self.text_of(key).to_owned(),
                        "raw_string" => raw_string(self.text_of(key)),
                        "string" => match self.string_value(key) {
                            Some(key_text) => key_text,
                            None => continue,
                        },
                        _ => continue,
                    };
                    entries.push((key_text, TextRange::of(key), self.literal(value)));
                }
                Literal::Map(entries)
            }
            "object" => {
                let mut entries = Vec::new();
                for child in named_children(node) {
                    match self.kind(child) {
                        "pair" => {
                            let (Some(key), Some(value)) = (
                                child.child_by_field_id_or_none(self.fields.key),
                                child.child_by_field_id_or_none(self.fields.value),
                            ) else {
                                continue;
                            };
                            let key_text = match self.kind(key) {
                                "property_identifier" | "number" => self.text_of(key).to_owned(),
                                "string" => match self.string_value(key) {
                                    Some(key_text) => key_text,
                                    None => continue,
                                },
                                _ => continue,
                            };
                            entries.push((key_text, TextRange::of(key), self.literal(value)));
                        }
                        "shorthand_property_identifier" => entries.push((
                            self.text_of(child).to_owned(),
                            TextRange::of(child),
                            Value {
                                range: TextRange::of(child),
                                literal: Literal::Variable(self.text_of(child).to_owned()),
                            },
                        )),
                        _ => {}
                    }
                }
                Literal::Map(entries)
            }
            "array" => Literal::List(
                named_children(node)
                    .into_iter()
                    .filter(|child| self.kind(child) != "comment")
                    .map(|child| self.literal(child))
                    .collect(),
            ),
            _ => Literal::Expression,
        };
        Value { range, literal }
    }

    /// A Lua table: a map when every field is `name = value` (or `["name"] = value`), else a list
    /// of its positional fields.
    fn lua_table(&self, node: Node<'a>) -> Literal {
        let fields: Vec<Node<'a>> = named_children(node)
            .into_iter()
            .filter(|child| self.kind(child) == "field")
            .collect();
        let keyed = |field: &Node<'a>| field.child_by_field_id_or_none(self.fields.name).is_some();
        if !fields.is_empty() && fields.iter().all(|field| !keyed(field)) {
            return Literal::List(
                fields
                    .iter()
                    .filter_map(|field| field.child_by_field_id_or_none(self.fields.value))
                    .map(|value| self.literal(value))
                    .collect(),
            );
        }
        let mut entries = Vec::new();
        for field in fields {
            let (Some(key), Some(value)) = (
                field.child_by_field_id_or_none(self.fields.name),
                field.child_by_field_id_or_none(self.fields.value),
            ) else {
                continue;
            };
            let key = self.unwrap_expression(key);
            // `[key] = value`: the key is the variable's value, not its name.
            let bracketed = field.child(0).is_some_and(|first| self.kind(first) == "[");
            let key_text = match self.kind(key) {
                "identifier" if !bracketed => self.text_of(key).to_owned(),
                "string" => match self.string_value(key) {
                    Some(key_text) => key_text,
                    None => continue,
                },
                _ => continue,
            };
            entries.push((key_text, TextRange::of(key), self.literal(value)));
        }
        Literal::Map(entries)
    }

    /// The content of a string literal without its quotes; simple escapes are decoded, strings
    /// with other escapes are not literal values.
    fn string_value(&self, node: Node<'a>) -> Option<String> {
        let text = self.text_of(node);
        let inner = if let Some(rest) = text.strip_prefix("[[") {
            return Some(rest.strip_suffix("]]").unwrap_or(rest).to_owned());
        } else {
            let quote = text.chars().next()?;
            if quote != '"' && quote != '\'' {
                return None;
            }
            let inner = &text[1..];
            inner.strip_suffix(quote).unwrap_or(inner)
        };
        let mut value = String::new();
        let mut characters = inner.chars();
        while let Some(character) = characters.next() {
            if character != '\\' {
                value.push(character);
                continue;
            }
            match characters.next()? {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'r' => value.push('\r'),
                escaped @ ('\\' | '"' | '\'') => value.push(escaped),
                _ => return None,
            }
        }
        Some(value)
    }
}

fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

fn map_string(value: &Value, key: &str) -> Option<String> {
    let Literal::Map(entries) = &value.literal else {
        return None;
    };
    entries
        .iter()
        .find_map(|(name, _, value)| match &value.literal {
            Literal::String(text) if name == key => Some(text.clone()),
            _ => None,
        })
}

/// The content of a Rhai raw string `#"…"#`.
fn raw_string(text: &str) -> String {
    let hashes = text
        .chars()
        .take_while(|&character| character == '#')
        .count();
    let inner = text
        .get(hashes..text.len().saturating_sub(hashes))
        .unwrap_or("");
    let inner = inner.strip_prefix('"').unwrap_or(inner);
    inner.strip_suffix('"').unwrap_or(inner).to_owned()
}

fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text.chars().filter(|&character| character != '_').collect();
    if let Some(hex) = cleaned
        .strip_prefix("0x")
        .or_else(|| cleaned.strip_prefix("0X"))
    {
        return i64::from_str_radix(hex, 16)
            .ok()
            .map(|number| number as f64);
    }
    cleaned.parse().ok()
}
