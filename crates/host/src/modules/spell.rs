//! `params` and `spell`: the two value modules, bound per spell from the context.

use llmspell_bridge::{Module, Type, Value, map_of};

use crate::HostContext;

/// `params`: the spell's parameters.
pub(crate) fn params_module(context: &HostContext) -> Module {
    Module::value(
        "params",
        "The spell's parameters, a map from name to value \
         (`llmspell run s.lua -p topic=rust` gives `params.topic == \"rust\"`). \
         Absent parameters read as nil.",
        Value::Map(context.params.clone()),
    )
}

/// `spell`: who the running spell is.
pub(crate) fn spell_module(context: &HostContext) -> Module {
    let info = &context.spell;
    Module::value(
        "spell",
        "Facts about the running spell: its name, path and engine.",
        map_of([
            ("name", Value::from(info.name.as_str())),
            ("path", Value::from(info.path.as_str())),
            ("engine", Value::from(info.engine.as_str())),
        ]),
    )
    .field(
        "name",
        Type::Str,
        "The spell's file name without its extension (`research`).",
    )
    .field(
        "path",
        Type::Str,
        "The spell's path, as given to `llmspell run`.",
    )
    .field(
        "engine",
        Type::Str,
        "The engine running it: `\"lua\"`, `\"js\"` or `\"rhai\"`.",
    )
}

#[cfg(test)]
mod tests {
    use llmspell_bridge::{Map, ModuleKind, Value, map_of};

    use crate::test_support::TestHost;

    fn module_value(host: &TestHost, name: &str) -> Value {
        match &host.registry.module(name).unwrap().kind {
            ModuleKind::Value(value) => value.clone(),
            other => panic!("{name} is {other:?}"),
        }
    }

    #[test]
    fn params_is_the_context_map() {
        let params = Map::from([("topic".to_owned(), Value::from("rust"))]);
        let host = TestHost::with_params(params.clone());
        assert_eq!(module_value(&host, "params"), Value::Map(params));
        assert_eq!(
            module_value(&TestHost::new(), "params"),
            Value::Map(Map::new())
        );
    }

    #[test]
    fn spell_is_name_path_and_engine() {
        let host = TestHost::new();
        assert_eq!(
            module_value(&host, "spell"),
            map_of([
                ("engine", Value::from("lua")),
                ("name", Value::from("test")),
                ("path", Value::from("test.lua")),
            ])
        );
        let fields: Vec<&str> = host
            .registry
            .module("spell")
            .unwrap()
            .fields
            .iter()
            .map(|field| field.name)
            .collect();
        assert_eq!(fields, ["name", "path", "engine"]);
    }
}
