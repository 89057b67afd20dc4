//! What a spell makes with the host API, read from the analysis' host calls: agents, script
//! tools (with the places that name them) and workflows. Shared by document symbols, navigation
//! and diagnostics; built in one pass over the host calls.

use llmspell_syntax::{Analysis, HostCall, Literal, TextRange, Value};

use crate::ApiIndex;

/// A host call resolved to its canonical function (`Agent.new` → `agent.create`).
pub(crate) fn canonical_callee<'api>(api: &'api ApiIndex, call: &HostCall) -> Option<&'api str> {
    api.callee(&call.callee)
        .map(|function| function.qualified.as_str())
}

/// The literal string value of `key` in a map literal, with the value's range.
pub(crate) fn map_string<'value>(
    value: &'value Value,
    key: &str,
) -> Option<(&'value str, TextRange)> {
    let Literal::Map(entries) = &value.literal else {
        return None;
    };
    entries
        .iter()
        .find_map(|(name, _, value)| match &value.literal {
            Literal::String(text) if name == key => Some((text.as_str(), value.range)),
            _ => None,
        })
}

/// A string in the spell that names a tool.
#[derive(Clone, Debug)]
pub(crate) struct ToolName {
    pub name: String,
    /// The string literal, quotes included.
    pub range: TextRange,
}

/// The tools a spell defines with `tools.define` and every literal string naming a tool: in a
/// `tools = { … }` list of a host call's configuration, or the name given to `tools.get` and
/// `tools.call`.
#[derive(Clone, Debug, Default)]
pub(crate) struct ScriptTools {
    /// `tools.define{ name = "x" }` literal names.
    pub definitions: Vec<ToolName>,
    /// Whether some `tools.define` has a name that is not a literal (then any name may exist).
    pub has_dynamic_definition: bool,
    /// Strings in `tools = { … }` lists.
    pub listed: Vec<ToolName>,
    /// First arguments of `tools.get` / `tools.call`.
    pub called: Vec<ToolName>,
}

impl ScriptTools {
    pub(crate) fn new(api: &ApiIndex, analysis: &Analysis) -> ScriptTools {
        let mut tools = ScriptTools::default();
        for call in &analysis.host_calls {
            let callee = canonical_callee(api, call);
            let first = call.arguments.first().map(|argument| &argument.value);
            match (callee, first) {
                (Some("tools.define"), Some(spec)) => match map_string(spec, "name") {
                    Some((name, range)) => tools.definitions.push(ToolName {
                        name: name.to_owned(),
                        range,
                    }),
                    None => tools.has_dynamic_definition = true,
                },
                (Some("tools.define"), None) => tools.has_dynamic_definition = true,
                (
                    Some("tools.get" | "tools.call"),
                    Some(Value {
                        range,
                        literal: Literal::String(name),
                    }),
                ) => tools.called.push(ToolName {
                    name: name.clone(),
                    range: *range,
                }),
                (
                    _,
                    Some(Value {
                        literal: Literal::Map(entries),
                        ..
                    }),
                ) => {
                    for (key, _, value) in entries {
                        let (true, Literal::List(items)) = (key == "tools", &value.literal) else {
                            continue;
                        };
                        for item in items {
                            if let Literal::String(name) = &item.literal {
                                tools.listed.push(ToolName {
                                    name: name.clone(),
                                    range: item.range,
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        tools
    }

    /// The definition of a script tool by name (the first, when defined twice).
    pub(crate) fn definition(&self, name: &str) -> Option<&ToolName> {
        self.definitions
            .iter()
            .find(|definition| definition.name == name)
    }

    /// Every string naming a tool (definitions, lists, `tools.get`/`tools.call`), in source order.
    pub(crate) fn all_names(&self) -> Vec<&ToolName> {
        let mut names: Vec<&ToolName> = self
            .definitions
            .iter()
            .chain(&self.listed)
            .chain(&self.called)
            .collect();
        names.sort_by_key(|name| name.range.start);
        names
    }

    /// The tool name string at `offset`.
    pub(crate) fn name_at(&self, offset: usize) -> Option<&ToolName> {
        self.all_names()
            .into_iter()
            .find(|name| name.range.contains(offset))
    }
}
