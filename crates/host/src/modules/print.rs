//! `print(...)`: the same line of output from every engine.

use llmspell_bridge::{Function, Module, Type, Value};

use crate::HostContext;

pub(crate) fn module(context: &HostContext) -> Module {
    let output = context.output.clone();
    Module::globals("print", "Writes values to standard output.").function(
        Function::new("print")
            .doc(
                "Writes its arguments to standard output as text, separated by one space, \
                 followed by a newline. Strings are written as they are, `nil` as `nil`, \
                 lists and maps as compact JSON with sorted keys: the same bytes in every engine.",
            )
            .variadic("values", Type::Any, "The values to write, in order.")
            .returns(Type::Nil, "Nothing.")
            .example(
                r#"print("answer:", 42, true)  -- answer: 42 true"#,
                r#"print("answer:", 42, true); // answer: 42 true"#,
                r#"print("answer:", 42, true); // answer: 42 true"#,
            )
            .sync(move |args| {
                let mut line = args
                    .values
                    .iter()
                    .map(Value::to_display)
                    .collect::<Vec<_>>()
                    .join(" ");
                line.push('\n');
                output.stdout(&line);
                Ok(Value::Nil)
            }),
    )
}

#[cfg(test)]
mod tests {
    use llmspell_bridge::{Map, Object, Value, map_of};

    use crate::modules::state::State;
    use crate::test_support::TestHost;

    #[test]
    fn joins_display_forms_with_spaces_and_ends_the_line() {
        let host = TestHost::new();
        let values = vec![
            Value::from("text"),
            Value::Int(3),
            Value::Float(2.0),
            Value::Nil,
            Value::Bool(false),
            Value::List(vec![Value::Int(1), Value::from("a")]),
            map_of([("b", Value::Int(1)), ("a", Value::Nil)]),
        ];
        host.call("print", "print", values).unwrap();
        host.call("print", "print", vec![]).unwrap();
        let state = Value::Object(Object::new(State::new(Map::from([("k".into(), 1.into())]))));
        host.call("print", "print", vec![state]).unwrap();
        assert_eq!(
            host.output.stdout_text(),
            "text 3 2.0 nil false [1,\"a\"] {\"a\":null,\"b\":1}\n\n<State {\"k\":1}>\n"
        );
        assert_eq!(host.output.stderr_text(), "");
    }
}
