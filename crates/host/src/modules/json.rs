//! `json`: encode values as JSON text with sorted keys, and decode JSON text into values.

use llmspell_bridge::{Function, HostError, Module, Type, Value, codes};

use crate::modules::in_function;

pub(crate) fn module() -> Module {
    Module::new(
        "json",
        "JSON text to and from values. Object keys are always written sorted.",
    )
    .function(
        Function::new("encode")
            .doc(
                "Encodes a value as JSON. Map keys are sorted, integers stay integers and \
                     integral floats keep a `.0`. Host objects with a plain form (a `State`) \
                     encode as that form; functions cannot be encoded.",
            )
            .param("value", Type::Any, "The value to encode.")
            .optional(
                "pretty",
                Type::Bool,
                Some(Value::Bool(false)),
                "Indent with two spaces and one item per line.",
            )
            .returns(Type::Str, "The JSON text.")
            .example(
                r#"local text = json.encode({ name = "ada", tags = { "x", "y" } })
print(text)  -- {"name":"ada","tags":["x","y"]}"#,
                r#"const text = json.encode({ name: "ada", tags: ["x", "y"] });
print(text); // {"name":"ada","tags":["x","y"]}"#,
                r#"let text = json.encode(#{ name: "ada", tags: ["x", "y"] });
print(text); // {"name":"ada","tags":["x","y"]}"#,
            )
            .sync(|args| {
                let json = args
                    .get(0)
                    .to_json()
                    .map_err(|error| in_function(&args.qualified, error))?;
                let text = if args.bool(1) {
                    serde_json::to_string_pretty(&json)
                } else {
                    serde_json::to_string(&json)
                };
                text.map(Value::Str)
                    .map_err(|error| HostError::internal(format!("{}: {error}", args.qualified)))
            }),
    )
    .function(
        Function::new("decode")
            .doc(
                "Decodes JSON text. Objects become maps, arrays lists, integral numbers \
                     integers and other numbers floats; `null` becomes nil. Invalid JSON raises \
                     an error with code `json` giving the line and column.",
            )
            .param("text", Type::Str, "The JSON text.")
            .returns(Type::Any, "The decoded value.")
            .example(
                r#"local data = json.decode('{"n": 1, "tags": ["a"]}')
print(data.n)  -- 1"#,
                r#"const data = json.decode('{"n": 1, "tags": ["a"]}');
print(data.n); // 1"#,
                r#"let data = json.decode("{\"n\": 1, \"tags\": [\"a\"]}");
print(data.n); // 1"#,
            )
            .sync(|args| {
                let text = args.str(0)?;
                serde_json::from_str::<serde_json::Value>(text)
                    .map(Value::from_json)
                    .map_err(|error| {
                        HostError::new(codes::JSON, format!("{}: {error}", args.qualified))
                    })
            }),
    )
}

#[cfg(test)]
mod tests {
    use llmspell_bridge::{Callable, Map, Object, RustFunction, Value, map_of};

    use crate::modules::state::State;
    use crate::test_support::TestHost;

    fn encode(host: &TestHost, args: Vec<Value>) -> String {
        host.call("json", "encode", args)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn encode_sorts_keys_and_keeps_number_kinds() {
        let host = TestHost::new();
        let value = map_of([
            ("z", Value::Int(1)),
            ("a", Value::Float(2.0)),
            (
                "m",
                map_of([
                    ("y", Value::Nil),
                    ("b", Value::List(vec![Value::Float(0.5)])),
                ]),
            ),
            ("s", Value::from("é\"\n")),
            ("t", Value::Bool(true)),
        ]);
        assert_eq!(
            encode(&host, vec![value.clone()]),
            r#"{"a":2.0,"m":{"b":[0.5],"y":null},"s":"é\"\n","t":true,"z":1}"#
        );
        assert_eq!(
            encode(&host, vec![value, Value::Bool(true)]),
            "{\n  \"a\": 2.0,\n  \"m\": {\n    \"b\": [\n      0.5\n    ],\n    \"y\": null\n  },\n  \
             \"s\": \"é\\\"\\n\",\n  \"t\": true,\n  \"z\": 1\n}"
        );
        assert_eq!(encode(&host, vec![Value::Nil]), "null");
        assert_eq!(encode(&host, vec![Value::from("x"), Value::Nil]), "\"x\"");
        assert_eq!(encode(&host, vec![Value::List(vec![])]), "[]");
    }

    #[test]
    fn encode_uses_the_plain_form_of_host_objects() {
        let host = TestHost::new();
        let state = State::new(Map::from([("k".to_owned(), Value::Int(1))]));
        assert_eq!(
            encode(&host, vec![Value::Object(Object::new(state))]),
            r#"{"k":1}"#
        );
    }

    #[test]
    fn encode_refuses_functions_and_non_finite_numbers() {
        let host = TestHost::new();
        let function = Value::Callable(Callable::new(RustFunction(|_| Ok(Value::Nil))));
        let error = host
            .call("json", "encode", vec![map_of([("f", function)])])
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert_eq!(
            error.message,
            "json.encode: cannot encode a function as JSON"
        );
        let error = host
            .call("json", "encode", vec![Value::Float(f64::NAN)])
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert!(error.message.starts_with("json.encode: "), "{error}");
    }

    #[test]
    fn encode_validates_arguments() {
        let host = TestHost::new();
        let error = host.call("json", "encode", vec![]).unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert_eq!(
            error.message,
            "json.encode: expected 1 to 2 arguments, got 0"
        );
        let error = host
            .call("json", "encode", vec![Value::Int(1), "yes".into()])
            .unwrap_err();
        assert_eq!(
            error.message,
            "json.encode: parameter 'pretty' expects bool, got str \"yes\""
        );
    }

    #[test]
    fn decode_builds_values() {
        let host = TestHost::new();
        let value = host
            .call(
                "json",
                "decode",
                vec![r#"{"i": 3, "f": 1.5, "g": 2.0, "n": null, "l": [true, "x"]}"#.into()],
            )
            .unwrap();
        assert_eq!(
            value,
            map_of([
                ("f", Value::Float(1.5)),
                ("g", Value::Float(2.0)),
                ("i", Value::Int(3)),
                ("l", Value::List(vec![Value::Bool(true), Value::from("x")])),
                ("n", Value::Nil),
            ])
        );
        assert_eq!(
            host.call("json", "decode", vec!["null".into()]).unwrap(),
            Value::Nil
        );
        let text = host.call("json", "encode", vec![value]).unwrap();
        let again = host.call("json", "decode", vec![text]).unwrap();
        assert_eq!(again.as_map().unwrap()["g"], Value::Float(2.0));
    }

    #[test]
    fn decode_errors_give_line_and_column() {
        let host = TestHost::new();
        let error = host
            .call("json", "decode", vec!["{\n  \"a\": 1,\n  oops\n}".into()])
            .unwrap_err();
        assert_eq!(error.code, "json");
        assert_eq!(
            error.message,
            "json.decode: key must be a string at line 3 column 3"
        );
        let error = host.call("json", "decode", vec!["".into()]).unwrap_err();
        assert_eq!(error.code, "json");
        assert!(error.message.contains("line 1 column 0"), "{error}");
        let error = host
            .call("json", "decode", vec![Value::Int(5)])
            .unwrap_err();
        assert_eq!(error.code, "invalid_argument");
        assert_eq!(
            error.message,
            "json.decode: parameter 'text' expects str, got int 5"
        );
    }
}
