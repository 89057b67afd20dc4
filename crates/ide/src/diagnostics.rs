//! Diagnostics: syntax errors from the tree and host-API misuse (unknown member or method,
//! argument count, literal types, config keys, tool and model names), each with a stable code.
//!
//! The codes and severities are documented in `docs/diagnostics.md`. The rule everywhere is
//! *never guess*: a value that is not a literal, a type the host API does not declare, a map with
//! entries the analysis cannot read (a spread, a computed key) — all of these say nothing.
//! Everything is computed in one pass over the analysis: its host accesses, then its host calls
//! (each call's literal arguments walked once), with the spell's tools collected up front.

use std::collections::HashSet;

use llmspell_bridge::Type;
use llmspell_bridge::record::Record;
use llmspell_syntax::{
    HostAccess, HostCall, HostOwner, Language, Literal, SymbolKind, TextRange, Value,
};

use crate::spell_items::ScriptTools;
use crate::{Document, FunctionInfo, Ide, Range, nodes};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: Range,
    pub severity: Severity,
    /// Stable: `syntax-error`, `unknown-member`, … (documented in `docs/diagnostics.md`).
    pub code: &'static str,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

/// Every diagnostic code, in the order of `docs/diagnostics.md`.
pub const DIAGNOSTIC_CODES: &[&str] = &[
    "syntax-error",
    "unknown-member",
    "unknown-method",
    "argument-count",
    "argument-type",
    "unknown-key",
    "missing-key",
    "unknown-tool",
    "unknown-model",
];

impl Ide {
    /// Every problem in the spell, in document order.
    pub fn diagnostics(&self, document: &Document) -> Vec<Diagnostic> {
        let analysis = document.analysis(self);
        let mut checker = Checker {
            ide: self,
            document,
            language: document.language(),
            tools: ScriptTools::new(&self.api, analysis),
            assigned_members: analysis
                .host_accesses
                .iter()
                .filter(|access| access.assigned)
                .map(|access| (&access.owner, access.member.as_str()))
                .collect(),
            script_functions: analysis
                .symbols
                .iter()
                .filter(|symbol| symbol.kind == SymbolKind::Function)
                .map(|symbol| symbol.name.as_str())
                .collect(),
            found: Vec::new(),
        };
        for error in document.tree().errors() {
            checker.report(
                error.range,
                Severity::Error,
                "syntax-error",
                error.message.clone(),
            );
        }
        for access in &analysis.host_accesses {
            checker.check_access(access);
        }
        for call in &analysis.host_calls {
            checker.check_call(call);
        }
        let mut found = checker.found;
        found.sort_by_key(|(range, _, code, _)| (range.start, range.end, *code));
        found.dedup_by(|a, b| a.0 == b.0 && a.2 == b.2);
        found
            .into_iter()
            .map(|(range, severity, code, message)| Diagnostic {
                range: document.range(range),
                severity,
                code,
                message,
            })
            .collect()
    }
}

/// Names every JavaScript object answers to (from `Object.prototype`), and the methods of the
/// Promise an I/O-bound call returns before `await` (the analysis types `flow.run(x)` as its
/// awaited result), never flagged.
const JAVASCRIPT_OBJECT_MEMBERS: &[&str] = &[
    "then",
    "catch",
    "finally",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
    "toJSON",
];

/// Rhai functions every value can call in method style (`x.type_of()`), never flagged.
const RHAI_VALUE_FUNCTIONS: &[&str] = &["type_of", "to_string", "to_debug", "is_shared", "clone"];

struct Checker<'a> {
    ide: &'a Ide,
    document: &'a Document,
    language: Language,
    tools: ScriptTools,
    /// The members the spell sets on host modules and objects (`agent.extra = …`).
    assigned_members: HashSet<(&'a HostOwner, &'a str)>,
    /// Names of the spell's own functions (Rhai calls them in method style: `x.shout()`).
    script_functions: HashSet<&'a str>,
    found: Vec<(TextRange, Severity, &'static str, String)>,
}

/// How a literal fits a type, before looking inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fit {
    Yes,
    No,
    /// Cannot tell (not a literal, or a type this checker does not know).
    Unknown,
    /// A map against a record or a list against a list type: the answer is inside.
    Inside,
}

impl Checker<'_> {
    fn report(
        &mut self,
        range: TextRange,
        severity: Severity,
        code: &'static str,
        message: String,
    ) {
        self.found.push((range, severity, code, message));
    }

    // ----- Members -----

    fn check_access(&mut self, access: &HostAccess) {
        let member = access.member.as_str();
        if self.language == Language::JavaScript && JAVASCRIPT_OBJECT_MEMBERS.contains(&member) {
            return;
        }
        if self.language == Language::Rhai
            && access.called
            && (self.script_functions.contains(&member) || RHAI_VALUE_FUNCTIONS.contains(&member))
        {
            return;
        }
        let api = &self.ide.api;
        let (code, owner, candidates, what) = match &access.owner {
            HostOwner::Module(name) => {
                let Some(module) = api.module(name) else {
                    return;
                };
                // A value module without declared fields is an open map (`params.topic`).
                if module.kind == "value" && module.fields.is_empty() {
                    return;
                }
                let mut candidates: Vec<&str> = Vec::new();
                for function in &module.functions {
                    candidates.push(&function.name);
                    candidates.extend(function.aliases.iter().map(String::as_str));
                }
                candidates.extend(module.fields.iter().map(|field| field.name.as_str()));
                (
                    "unknown-member",
                    format!("module `{name}`"),
                    candidates,
                    "member",
                )
            }
            HostOwner::Object(type_name) => {
                let Some(object_type) = api.object_type(type_name) else {
                    return;
                };
                let mut candidates: Vec<&str> = Vec::new();
                for method in &object_type.methods {
                    candidates.push(&method.name);
                    candidates.extend(method.aliases.iter().map(String::as_str));
                }
                candidates.extend(object_type.fields.iter().map(|field| field.name.as_str()));
                let what = if access.called {
                    "method"
                } else {
                    "method or field"
                };
                ("unknown-method", format!("`{type_name}`"), candidates, what)
            }
        };
        // A member the spell sets itself (`function agent.helper() … end`) is the spell's business.
        if candidates.contains(&member) || self.assigned_members.contains(&(&access.owner, member))
        {
            return;
        }
        let severity = if access.called {
            Severity::Error
        } else {
            Severity::Warning
        };
        let mut message = format!("{owner} has no {what} `{member}`");
        if let Some(suggestion) = closest(member, candidates.iter().copied()) {
            message += &format!("; did you mean `{suggestion}`?");
        }
        self.report(access.member_range, severity, code, message);
    }

    // ----- Calls -----

    fn check_call(&mut self, call: &HostCall) {
        let Some(function) = self.ide.api.callee(&call.callee) else {
            return;
        };
        let qualified = function.qualified.as_str();
        let tree = self.document.tree();
        // A call being typed (an error inside it) gets no count or missing-key diagnostics.
        let broken = nodes::node_at(tree, call.range).is_some_and(|node| node.has_error());
        let mut arguments: Vec<&Value> = call
            .arguments
            .iter()
            .map(|argument| &argument.value)
            .collect();
        // Lua `a.run(a, "x")` is `a:run("x")`: the object passed again as the first argument.
        if self.language == Language::Lua
            && function.qualified.starts_with(char::is_uppercase)
            && let Some(Value {
                literal: Literal::Variable(name),
                ..
            }) = arguments.first()
            && self.object_before(call.name_range.start, '.') == Some(name.as_str())
        {
            arguments.remove(0);
        }
        // A spread passes any number of values: neither count nor positions can be checked.
        if arguments
            .iter()
            .any(|argument| nodes::range_has_kind(tree, argument.range, &["spread_element"]))
        {
            return;
        }
        // Lua: a call or `...` last passes any number of values (zero included).
        let open_ended = self.language == Language::Lua
            && arguments.last().is_some_and(|argument| {
                !matches!(argument.literal, Literal::Call(_))
                    && nodes::range_has_kind(
                        tree,
                        argument.range,
                        &["function_call", "vararg_expression"],
                    )
            });
        // Trailing nils are how engines pass "omitted": they never count as extra arguments.
        let (required, most) = function.arity();
        while most.is_some_and(|most| arguments.len() > most)
            && arguments
                .last()
                .is_some_and(|argument| argument.literal == Literal::Nil)
        {
            arguments.pop();
        }
        let given = arguments.len();
        let at_least = if open_ended { given - 1 } else { given };
        if !broken && !open_ended && given < required {
            self.report(
                call.arguments_range,
                Severity::Error,
                "argument-count",
                format!(
                    "`{qualified}` expects {}, got {given}",
                    expected_count(required, most)
                ),
            );
        } else if let Some(most) = most
            && at_least > most
            && let (Some(first_extra), Some(last)) = (arguments.get(most), arguments.last())
        {
            self.report(
                TextRange::new(first_extra.range.start, last.range.end),
                Severity::Error,
                "argument-count",
                format!(
                    "`{qualified}` expects {}, got {given}",
                    expected_count(required, Some(most))
                ),
            );
        }
        self.check_argument_types(function, &arguments, broken);
    }

    fn check_argument_types(
        &mut self,
        function: &FunctionInfo,
        arguments: &[&Value],
        broken: bool,
    ) {
        let qualified = function.qualified.as_str();
        let mut index = 0;
        for param in &function.params {
            let values: &[&Value] = if param.variadic {
                arguments.get(index..).unwrap_or_default()
            } else {
                arguments.get(index..index + 1).unwrap_or_default()
            };
            index += values.len().max(1);
            for value in values {
                if value.literal == Literal::Nil {
                    if !param.optional
                        && !param.variadic
                        && fit(&param.ty, &value.literal) == Fit::No
                    {
                        self.report(
                            value.range,
                            Severity::Error,
                            "argument-type",
                            format!(
                                "`{qualified}`: parameter `{}` expects {}, got nil",
                                param.name, param.ty
                            ),
                        );
                    }
                    continue;
                }
                let place = Place {
                    qualified,
                    path: param.name.clone(),
                    broken,
                };
                self.check_value(&param.ty, value, &place);
            }
        }
    }

    // ----- Values against types -----

    /// Checks a literal against a type, looking inside maps (records) and lists.
    fn check_value(&mut self, ty: &Type, value: &Value, place: &Place<'_>) {
        match fit(ty, &value.literal) {
            Fit::Yes | Fit::Unknown => {}
            // A Lua table mixing positional and keyed fields: the analysis saw only part of it.
            Fit::No
                if self.language == Language::Lua
                    && matches!(&value.literal, Literal::Map(entries) if !self.map_is_complete(value, entries.len())) =>
                {}
            Fit::No => {
                let message = if place.path.contains(['.', ' ']) {
                    format!(
                        "`{}`: `{}` expects {ty}, got {}",
                        place.qualified,
                        place.path,
                        describe(&value.literal)
                    )
                } else {
                    format!(
                        "`{}`: parameter `{}` expects {ty}, got {}",
                        place.qualified,
                        place.path,
                        describe(&value.literal)
                    )
                };
                self.report(value.range, Severity::Error, "argument-type", message);
            }
            Fit::Inside => match (inner(ty, &value.literal), &value.literal) {
                (Some(Type::Record(record)), Literal::Map(_)) => {
                    self.check_record(record, value, place)
                }
                (Some(Type::List(item)), Literal::List(items)) => {
                    for (number, item_value) in items.iter().enumerate() {
                        if item_value.literal == Literal::Nil {
                            continue;
                        }
                        let item_place = Place {
                            qualified: place.qualified,
                            path: format!("{} item {}", place.path, number + 1),
                            broken: place.broken,
                        };
                        self.check_value(item, item_value, &item_place);
                    }
                }
                _ => {}
            },
        }
    }

    fn check_record(&mut self, record: &Record, value: &Value, place: &Place<'_>) {
        let Literal::Map(entries) = &value.literal else {
            return;
        };
        for (key, key_range, entry) in entries {
            let Some(field) = record.get(key) else {
                let mut message = format!(
                    "`{}`: unknown {} key `{key}` (expected {})",
                    place.qualified,
                    place.path,
                    record.keys().join(", ")
                );
                if let Some(suggestion) = closest(key, record.keys().into_iter()) {
                    message += &format!("; did you mean `{suggestion}`?");
                }
                self.report(*key_range, Severity::Error, "unknown-key", message);
                continue;
            };
            if entry.literal == Literal::Nil {
                continue;
            }
            let entry_place = Place {
                qualified: place.qualified,
                path: format!("{}.{key}", place.path),
                broken: place.broken,
            };
            self.check_value(&field.ty, entry, &entry_place);
            match (key.as_str(), &entry.literal) {
                ("model", Literal::String(model)) => self.check_model(model, entry.range),
                ("tools", Literal::List(items)) if !self.tools.has_dynamic_definition => {
                    for item in items {
                        if let Literal::String(tool) = &item.literal {
                            self.check_tool(tool, item.range);
                        }
                    }
                }
                _ => {}
            }
        }
        if place.broken || !self.map_is_complete(value, entries.len()) {
            return;
        }
        for field in record.fields.iter().filter(|field| !field.optional) {
            let present = entries
                .iter()
                .any(|(key, _, entry)| key == field.name && entry.literal != Literal::Nil);
            if !present {
                let opening = self.map_opening(value.range);
                self.report(
                    opening,
                    Severity::Error,
                    "missing-key",
                    format!(
                        "`{}`: {} key `{}` is required",
                        place.qualified, place.path, field.name
                    ),
                );
            }
        }
    }

    fn check_model(&mut self, model: &str, range: TextRange) {
        let config = self.ide.config();
        if config.knows_model(model) != Some(false) {
            return;
        }
        let mut known: Vec<&str> = config
            .models
            .iter()
            .map(|known| known.id.as_str())
            .collect();
        known.extend(config.aliases.keys().map(String::as_str));
        let mut message = format!("model `{model}` is not configured in llmspell.toml");
        if let Some(suggestion) = closest(model, known.iter().copied()) {
            message += &format!("; did you mean `{suggestion}`?");
        } else {
            message += &format!(" (known: {})", known.join(", "));
        }
        let range = nodes::string_content(self.document.text(), range);
        self.report(range, Severity::Warning, "unknown-model", message);
    }

    fn check_tool(&mut self, tool: &str, range: TextRange) {
        let api = &self.ide.api;
        if api.tool(tool).is_some() || self.tools.definition(tool).is_some() {
            return;
        }
        let candidates: Vec<&str> = api
            .tools()
            .map(|builtin| builtin.name.as_str())
            .chain(
                self.tools
                    .definitions
                    .iter()
                    .map(|defined| defined.name.as_str()),
            )
            .collect();
        let mut message =
            format!("no tool named `{tool}`: it is neither built in nor defined in this spell");
        if let Some(suggestion) = closest(tool, candidates.iter().copied()) {
            message += &format!("; did you mean `{suggestion}`?");
        }
        let range = nodes::string_content(self.document.text(), range);
        self.report(range, Severity::Error, "unknown-tool", message);
    }

    /// The identifier just before `separator` at `name_start` (`a` in `a.run`), when there is one.
    fn object_before(&self, name_start: usize, separator: char) -> Option<&str> {
        let before = self
            .document
            .text()
            .get(..name_start)?
            .strip_suffix(separator)?;
        let start = before
            .rfind(|character: char| !(character.is_alphanumeric() || character == '_'))
            .map_or(0, |index| index + character_length(before, index));
        before.get(start..).filter(|name| !name.is_empty())
    }

    /// Whether the analysis read every entry of a map literal: no spread, computed key, Lua
    /// positional field or method shorthand it had to leave out.
    fn map_is_complete(&self, value: &Value, entries: usize) -> bool {
        let Some(node) = nodes::node_at(self.document.tree(), value.range) else {
            return false;
        };
        !node.has_error() && nodes::named_children(node).len() == entries
    }

    /// The opening brace of a map literal (`{`, `#{`), where a missing key is reported.
    fn map_opening(&self, range: TextRange) -> TextRange {
        let text = self.document.text();
        let length = if text.get(range.start..range.start + 2) == Some("#{") {
            2
        } else {
            1
        };
        TextRange::new(range.start, (range.start + length).min(range.end))
    }
}

/// The length in bytes of the character at `index`.
fn character_length(text: &str, index: usize) -> usize {
    text.get(index..)
        .and_then(|rest| rest.chars().next())
        .map_or(1, char::len_utf8)
}

/// Where a value sits, for messages: the function and the path inside its argument.
struct Place<'a> {
    qualified: &'a str,
    /// `config`, `config.steps item 2`, `config.model`.
    path: String,
    /// The call has a syntax error inside: no missing-key diagnostics.
    broken: bool,
}

/// How a literal fits a type at the surface.
fn fit(ty: &Type, literal: &Literal) -> Fit {
    use Literal as L;
    if matches!(literal, L::Variable(_) | L::Call(_) | L::Expression) {
        return Fit::Unknown;
    }
    match (ty, literal) {
        (Type::Any, _) => Fit::Yes,
        (Type::Union(types), _) => {
            let fits: Vec<Fit> = types.iter().map(|member| fit(member, literal)).collect();
            if fits.contains(&Fit::Yes) {
                Fit::Yes
            } else if fits.contains(&Fit::Unknown) {
                Fit::Unknown
            } else {
                match fits.iter().filter(|fit| **fit == Fit::Inside).count() {
                    0 => Fit::No,
                    1 => Fit::Inside,
                    _ => Fit::Unknown,
                }
            }
        }
        (Type::Nil, L::Nil) => Fit::Yes,
        (Type::Bool, L::Bool(_)) => Fit::Yes,
        (Type::Int, L::Number(number)) => {
            if number.fract() == 0.0 && number.is_finite() {
                Fit::Yes
            } else {
                Fit::No
            }
        }
        (Type::Float, L::Number(_)) => Fit::Yes,
        (Type::Str, L::String(_)) => Fit::Yes,
        (Type::Fn, L::Function) => Fit::Yes,
        (Type::Map, L::Map(_)) => Fit::Yes,
        (Type::Record(_), L::Map(_)) => Fit::Inside,
        (Type::List(_), L::List(_)) => Fit::Inside,
        // An empty Lua table (`{}`) is an empty map, and where a list is expected it is one.
        (Type::List(_), L::Map(entries)) if entries.is_empty() => Fit::Yes,
        (
            Type::Nil
            | Type::Bool
            | Type::Int
            | Type::Float
            | Type::Str
            | Type::Fn
            | Type::Map
            | Type::Record(_)
            | Type::List(_)
            | Type::Object(_)
            | Type::AnyObject,
            _,
        ) => Fit::No,
        #[allow(
            unreachable_patterns,
            reason = "types added to the manifest later are not guessed at"
        )]
        _ => Fit::Unknown,
    }
}

/// The member of a type a literal is checked inside (the type itself, or the one member of a
/// union that the literal fits [`Fit::Inside`]).
fn inner<'t>(ty: &'t Type, literal: &Literal) -> Option<&'t Type> {
    match ty {
        Type::Union(types) => types
            .iter()
            .find(|member| fit(member, literal) == Fit::Inside),
        _ => Some(ty),
    }
}

/// How a literal is named in a message, as the bridge names values (`str "x"`, `int 3`).
fn describe(literal: &Literal) -> String {
    match literal {
        Literal::Nil => "nil".to_owned(),
        Literal::Bool(value) => format!("bool {value}"),
        Literal::Number(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("int {}", *number as i64)
        }
        Literal::Number(number) => format!("float {number}"),
        Literal::String(text) => {
            let shown: String = text.chars().take(24).collect();
            if shown.len() < text.len() {
                format!("str \"{shown}…\"")
            } else {
                format!("str \"{shown}\"")
            }
        }
        Literal::Map(_) => "map".to_owned(),
        Literal::List(_) => "list".to_owned(),
        Literal::Function => "fn".to_owned(),
        Literal::Variable(_) | Literal::Call(_) | Literal::Expression => "a value".to_owned(),
    }
}

fn expected_count(required: usize, most: Option<usize>) -> String {
    let plural = |count: usize| {
        if count == 1 {
            "1 argument".to_owned()
        } else {
            format!("{count} arguments")
        }
    };
    match most {
        Some(most) if most == required => plural(required),
        Some(most) => format!("{required} to {most} arguments"),
        None => format!("at least {}", plural(required)),
    }
}

/// The candidate closest to `name` by edit distance (a swap of two neighbours counts once),
/// when it is close enough to be a typo.
fn closest<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    candidates
        .filter(|candidate| *candidate != name)
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, candidate)| (*distance, *candidate))
        .map(|(_, candidate)| candidate)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbouring characters, each costing one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    for (i, row) in table.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in table.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (table[(i - 1) * width + j] + 1)
                .min(table[i * width + j - 1] + 1)
                .min(table[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(table[(i - 2) * width + j - 2] + 1);
            }
            table[i * width + j] = best;
        }
    }
    table[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_a_swap_once() {
        assert_eq!(edit_distance("craete", "create"), 1);
        assert_eq!(edit_distance("rnu", "run"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            closest("craete", ["create", "get", "list"].into_iter()),
            Some("create")
        );
        assert_eq!(closest("zzz", ["create", "get"].into_iter()), None);
    }
}
