//! `tools`: list, look up, call and define tools; the `Tool` object type.

use llmspell_bridge::{Function, HostError, Map, Module, ObjectType, Record, Type, Value};

use crate::modules::in_function;
use crate::tools::{Tool, ToolBox};

/// The keys of `tools.define`'s specification; validation rejects any other.
pub(crate) fn definition_record() -> Type {
    Record::new("ToolDefinition", "A tool the spell implements, for `tools.define`.")
        .field("name", Type::Str, "The tool's name: 1 to 64 letters, digits, `_` or `-`.")
        .optional("description", Type::Str, None, "What the tool does; the model reads it.")
        .optional(
            "params",
            Type::Map,
            None,
            "The JSON Schema of the arguments (an object schema; `{ type = \"object\" }` when \
             omitted).",
        )
        .field("run", Type::Fn, "Called with the validated arguments map; returns the result.")
        .into_type()
}

pub(crate) fn module(toolbox: &ToolBox) -> Module {
    let (list_box, get_box, call_box, define_box) = (
        toolbox.clone(),
        toolbox.clone(),
        toolbox.clone(),
        toolbox.clone(),
    );
    Module::new(
        "tools",
        "Callable capabilities with a JSON Schema for their arguments, usable directly, by \
         agents and as workflow steps. Built in: `file_read`, `file_write`, `file_list` \
         (confined to the workspace), `json_query` (dotted paths: `items[0].name`, \
         `items[*].name`), `calculator` (+ - * / % ^, parentheses, sqrt, abs, min, max, …) and \
         `datetime` (UTC, ISO 8601 or a strftime format). Arguments are validated against the \
         schema before a tool runs (`invalid_argument` naming the failing path); calls emit \
         `tool.call` and `tool.result`.",
    )
    .function(
        Function::new("list")
            .doc("Lists every tool: the built-in ones and those the spell defined.")
            .returns(
                Type::list(Type::Map),
                "`{ name, description, params, builtin }` per tool, sorted by name.",
            )
            .example(
                r#"for _, t in ipairs(tools.list()) do print(t.name) end"#,
                r#"for (const t of tools.list()) { print(t.name); }"#,
                r#"for t in tools.list() { print(t.name); }"#,
            )
            .sync(move |_args| {
                Ok(Value::List(
                    list_box.list().iter().map(Tool::describe).collect(),
                ))
            }),
    )
    .function(
        Function::new("get")
            .doc("Finds a tool by name.")
            .param("name", Type::Str, "The tool's name.")
            .returns(Type::Object("Tool"), "The tool, or nil when there is none.")
            .example(
                r#"local calc = tools.get("calculator")
print(calc:call({ expression = "6 * 7" }))  -- 42"#,
                r#"const calc = tools.get("calculator");
print(await calc.call({ expression: "6 * 7" })); // 42"#,
                r#"let calc = tools.get("calculator");
print(calc.call(#{ expression: "6 * 7" })); // 42"#,
            )
            .sync(move |args| {
                Ok(get_box
                    .get(args.str(0)?)
                    .map(Value::from)
                    .unwrap_or_default())
            }),
    )
    .function(
        Function::new("call")
            .doc(
                "Calls a tool by name. The arguments are validated against its schema first \
                 (`invalid_argument` naming the failing path); an unknown name is `not_found`.",
            )
            .param("name", Type::Str, "The tool's name.")
            .optional(
                "args",
                Type::Map,
                None,
                "The arguments; an empty map when omitted.",
            )
            .returns(Type::Any, "What the tool returns.")
            .example(
                r#"print(tools.call("calculator", { expression = "2 ^ 10" }))  -- 1024"#,
                r#"print(await tools.call("calculator", { expression: "2 ^ 10" })); // 1024"#,
                r#"print(tools.call("calculator", #{ expression: "2 ^ 10" })); // 1024"#,
            )
            .io(move |mut args| {
                let qualified = args.qualified.clone();
                let name = args.str(0).map(str::to_owned);
                let call_args = args.take(1);
                let toolbox = call_box.clone();
                Box::pin(async move {
                    let name = name?;
                    toolbox
                        .call(&name, call_args)
                        .await
                        .map_err(|error| in_function(&qualified, error))
                })
            }),
    )
    .function(
        Function::new("define")
            .doc(
                "Defines a tool the spell implements, usable by `tools.call`, by agents (list \
                 it or its name in `tools`) and as a workflow step. `params` is the JSON Schema \
                 of the arguments (an object schema; `{ type = \"object\" }` when omitted); \
                 `run` receives the validated arguments map. Redefining a name replaces the \
                 earlier tool; built-in names are taken.",
            )
            .param(
                "spec",
                definition_record(),
                "The name, description, argument schema and function of the tool.",
            )
            .returns(Type::Object("Tool"), "The new tool.")
            .example(
                r#"local shout = tools.define({
  name = "shout",
  description = "Upper-cases a text",
  params = { type = "object", properties = { text = { type = "string" } }, required = { "text" } },
  run = function(args) return string.upper(args.text) end,
})
print(shout:call({ text = "hi" }))  -- HI"#,
                r#"const shout = tools.define({
  name: "shout",
  description: "Upper-cases a text",
  params: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  run: (args) => args.text.toUpperCase(),
});
print(await shout.call({ text: "hi" })); // HI"#,
                r#"let shout = tools.define(#{
  name: "shout",
  description: "Upper-cases a text",
  params: #{ type: "object", properties: #{ text: #{ type: "string" } }, required: ["text"] },
  run: |args| args.text.to_upper(),
});
print(shout.call(#{ text: "hi" })); // HI"#,
            )
            .sync(move |args| {
                define(
                    &define_box,
                    args.get(0).as_map().cloned().unwrap_or_default(),
                )
                .map(Value::from)
                .map_err(|error| in_function(&args.qualified, error))
            }),
    )
}

/// Defines a tool from a specification `Function::validate` already checked against
/// [`definition_record`] (keys and types).
fn define(toolbox: &ToolBox, spec: Map) -> Result<Tool, HostError> {
    let name = match spec.get("name") {
        Some(Value::Str(name)) => name.clone(),
        Some(other) => return Err(key_type("name", "str", other)),
        None => return Err(HostError::invalid_argument("'name' is required")),
    };
    let description = match spec.get("description") {
        None | Some(Value::Nil) => String::new(),
        Some(Value::Str(text)) => text.clone(),
        Some(other) => return Err(key_type("description", "str", other)),
    };
    let params = match spec.get("params") {
        None | Some(Value::Nil) => serde_json::json!({"type": "object"}),
        Some(value @ Value::Map(_)) => value
            .to_json()
            .map_err(|error| HostError::invalid_argument(format!("'params': {}", error.message)))?,
        Some(other) => return Err(key_type("params", "map", other)),
    };
    let run = match spec.get("run") {
        Some(Value::Callable(run)) => run.clone(),
        Some(other) => return Err(key_type("run", "fn", other)),
        None => return Err(HostError::invalid_argument("'run' is required")),
    };
    toolbox.define(&name, &description, params, run)
}

fn key_type(key: &str, expected: &str, got: &Value) -> HostError {
    HostError::invalid_argument(format!(
        "'{key}' expects {expected}, got {}",
        Type::describe_value(got)
    ))
}

/// The `Tool` object type.
pub(crate) fn object_type() -> ObjectType {
    ObjectType::new(
        "Tool",
        "A tool: built in or defined with `tools.define`. Usable in an agent's `tools`, in \
         `llm.chat` requests and as a workflow step (the step's State becomes the arguments).",
    )
    .field("name", Type::Str, "The tool's name.")
    .field("description", Type::Str, "What the tool does.")
    .method(
        Function::new("call")
            .doc(
                "Calls the tool. The arguments are validated against its schema first \
                 (`invalid_argument` naming the failing path).",
            )
            .optional(
                "args",
                Type::Map,
                None,
                "The arguments; an empty map when omitted.",
            )
            .returns(Type::Any, "What the tool returns.")
            .example(
                r#"local calc = tools.get("calculator")
print(calc:call({ expression = "1 + 1" }))  -- 2"#,
                r#"const calc = tools.get("calculator");
print(await calc.call({ expression: "1 + 1" })); // 2"#,
                r#"let calc = tools.get("calculator");
print(calc.call(#{ expression: "1 + 1" })); // 2"#,
            )
            .io(|mut args| {
                let qualified = args.qualified.clone();
                let tool = args.this::<Tool>().cloned();
                let call_args = args.take(0);
                Box::pin(async move {
                    tool?
                        .call(call_args)
                        .await
                        .map_err(|error| in_function(&qualified, error))
                })
            }),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use llmspell_bridge::{Callable, RustFunction, Value, map_of};
    use serde_json::json;

    use crate::test_support::TestHost;
    use crate::tools::testing::{call, method};

    fn v(json: serde_json::Value) -> Value {
        Value::from_json(json)
    }

    #[test]
    fn builtins_are_listed_and_callable() {
        let host = TestHost::new();
        let list = call(&host.registry, "tools", "list", vec![]).unwrap();
        let names: Vec<String> = list
            .as_list()
            .unwrap()
            .iter()
            .map(|tool| tool.as_map().unwrap()["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "calculator",
                "datetime",
                "file_list",
                "file_read",
                "file_write",
                "http_request",
                "json_query",
                "web_fetch"
            ]
        );
        let calc = &list.as_list().unwrap()[0];
        assert_eq!(calc.as_map().unwrap()["builtin"], Value::Bool(true));
        assert_eq!(
            calc.as_map().unwrap()["params"].as_map().unwrap()["type"],
            Value::from("object")
        );
        let r = |name: &str, args: serde_json::Value| {
            call(&host.registry, "tools", "call", vec![name.into(), v(args)])
        };
        assert_eq!(
            r("calculator", json!({"expression": "(2+3)*4^2"})).unwrap(),
            Value::Int(80)
        );
        assert_eq!(
            r("calculator", json!({"expression": "1/4"})).unwrap(),
            Value::Float(0.25)
        );
        assert_eq!(
            r("datetime", json!({"timestamp": 0, "format": "%F"})).unwrap(),
            Value::from("1970-01-01")
        );
        assert_eq!(
            r(
                "json_query",
                json!({"data": {"a": [1, {"b": 2}]}, "path": "a[1].b"})
            )
            .unwrap(),
            Value::Int(2)
        );
        assert_eq!(
            r(
                "json_query",
                json!({"json": "[{\"n\":1},{\"n\":2}]", "path": "[*].n"})
            )
            .unwrap(),
            v(json!([1, 2]))
        );
        assert_eq!(
            r(
                "file_write",
                json!({"path": "out/a.txt", "content": "hello"})
            )
            .unwrap(),
            v(json!({"path": "out/a.txt", "bytes": 5}))
        );
        assert_eq!(
            r("file_read", json!({"path": "out/a.txt"})).unwrap(),
            Value::from("hello")
        );
        assert_eq!(r("file_list", json!({})).unwrap(), v(json!(["out"])));
        assert_eq!(
            r("file_list", json!({"dir": "out"})).unwrap(),
            v(json!(["a.txt"]))
        );
        let denied = r("file_read", json!({"path": "../etc/passwd"})).unwrap_err();
        assert_eq!(denied.code, "sandbox_denied");
        assert!(
            denied.message.starts_with("tools.call: tool 'file_read': "),
            "{denied}"
        );
        let missing = r("nope", json!({})).unwrap_err();
        assert_eq!(missing.code, "not_found");
    }

    #[test]
    fn arguments_are_validated_against_the_schema_with_the_path() {
        let host = TestHost::new();
        let error = call(
            &host.registry,
            "tools",
            "call",
            vec!["calculator".into(), v(json!({"expression": 5}))],
        )
        .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert!(error.message.contains("at /expression:"), "{error}");
        let error = call(&host.registry, "tools", "call", vec!["calculator".into()]).unwrap_err();
        assert!(
            error
                .message
                .contains("\"expression\" is a required property"),
            "{error}"
        );
        let error = call(
            &host.registry,
            "tools",
            "call",
            vec!["file_read".into(), v(json!({"path": "a", "extra": 1}))],
        )
        .unwrap_err();
        assert_eq!(error.code, "invalid_argument", "{error}");
    }

    fn shout_tool(host: &TestHost, seen: Arc<Mutex<Vec<Value>>>) -> Value {
        let run = Callable::new(RustFunction(move |args: Vec<Value>| {
            seen.lock().unwrap().push(args[0].clone());
            let text = args[0].as_map().unwrap()["text"]
                .as_str()
                .unwrap()
                .to_uppercase();
            Ok(Value::Str(text))
        }));
        let mut spec = v(json!({
            "name": "shout",
            "description": "Upper-cases a text",
            "params": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
        }));
        if let Value::Map(map) = &mut spec {
            map.insert("run".into(), Value::Callable(run));
        }
        call(&host.registry, "tools", "define", vec![spec]).unwrap()
    }

    #[test]
    fn script_tools_are_defined_validated_called_and_emit_events() {
        let host = TestHost::new();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shout = shout_tool(&host, seen.clone());
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        host.context.events.subscribe(
            "*",
            Callable::new(RustFunction(move |args: Vec<Value>| {
                sink.lock().unwrap().push(args[0].clone());
                Ok(Value::Nil)
            })),
        );
        assert_eq!(
            method(
                &host.registry,
                &shout,
                "call",
                vec![v(json!({"text": "hi"}))]
            )
            .unwrap(),
            Value::from("HI")
        );
        assert_eq!(
            call(
                &host.registry,
                "tools",
                "call",
                vec!["shout".into(), v(json!({"text": "yo"}))]
            )
            .unwrap(),
            Value::from("YO")
        );
        let bad = method(&host.registry, &shout, "call", vec![v(json!({"text": 1}))]).unwrap_err();
        assert_eq!(bad.code, "invalid_argument");
        assert!(
            bad.message
                .starts_with("Tool.call: tool 'shout': invalid arguments: at /text:"),
            "{bad}"
        );
        assert_eq!(
            seen.lock().unwrap().len(),
            2,
            "the tool never runs with bad arguments"
        );
        let names: Vec<String> = events
            .lock()
            .unwrap()
            .iter()
            .map(|event| event.as_map().unwrap()["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "tool.call",
                "tool.result",
                "tool.call",
                "tool.result",
                "error"
            ]
        );
        let result = events.lock().unwrap()[1].clone();
        assert_eq!(
            result.as_map().unwrap()["data"],
            map_of([("result", "HI".into()), ("tool", "shout".into())])
        );
        let shout_object = shout.as_object().unwrap();
        assert_eq!(shout_object.0.field("name"), Some(Value::from("shout")));
        assert_eq!(
            shout_object.0.field("description"),
            Some(Value::from("Upper-cases a text"))
        );
        let got = call(&host.registry, "tools", "get", vec!["shout".into()]).unwrap();
        assert_eq!(got.as_object().unwrap().type_name(), "Tool");
        assert_eq!(
            call(&host.registry, "tools", "get", vec!["nope".into()]).unwrap(),
            Value::Nil
        );
        let listed = call(&host.registry, "tools", "list", vec![]).unwrap();
        let shout_entry = listed
            .as_list()
            .unwrap()
            .iter()
            .find(|tool| tool.as_map().unwrap()["name"] == Value::from("shout"))
            .unwrap()
            .clone();
        assert_eq!(shout_entry.as_map().unwrap()["builtin"], Value::Bool(false));
    }

    #[test]
    fn define_checks_its_spec() {
        let host = TestHost::new();
        let run = || {
            Value::Callable(Callable::new(RustFunction(|_args: Vec<Value>| {
                Ok(Value::Nil)
            })))
        };
        let spec = |pairs: Vec<(&str, Value)>| {
            Value::Map(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        };
        let cases = vec![
            (
                spec(vec![
                    ("name", "x".into()),
                    ("run", run()),
                    ("color", "red".into()),
                ]),
                "unknown spec key 'color' (expected name, description, params, run)",
            ),
            (spec(vec![("run", run())]), "'name' is required"),
            (spec(vec![("name", "x".into())]), "'run' is required"),
            (
                spec(vec![("name", "bad name".into()), ("run", run())]),
                "must be 1 to 64",
            ),
            (
                spec(vec![("name", "calculator".into()), ("run", run())]),
                "built-in",
            ),
            (
                spec(vec![("name", "x".into()), ("run", "no".into())]),
                "'run' expects fn",
            ),
            (
                spec(vec![
                    ("name", "x".into()),
                    ("run", run()),
                    ("params", v(json!({"type": 5}))),
                ]),
                "not a valid JSON Schema",
            ),
        ];
        for (spec, message) in cases {
            let error = call(&host.registry, "tools", "define", vec![spec]).unwrap_err();
            assert_eq!(error.code, "invalid_argument");
            assert!(error.message.starts_with("tools.define: "), "{error}");
            assert!(error.message.contains(message), "{error} / {message}");
        }
    }

    #[test]
    fn tools_run_as_workflow_steps() {
        let host = TestHost::new();
        let calc = call(&host.registry, "tools", "get", vec!["calculator".into()]).unwrap();
        let object = calc.as_object().unwrap().clone();
        let input = crate::State::new(
            [("expression".to_owned(), Value::from("6*7"))]
                .into_iter()
                .collect(),
        )
        .into_value();
        let result = crate::tools::testing::runtime()
            .block_on(host.context.runners.run(object, input))
            .unwrap();
        assert_eq!(result, Value::Int(42));
    }
}
