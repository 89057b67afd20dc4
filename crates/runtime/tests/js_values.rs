//! JavaScript engine: values crossing the bridge both ways, modules, aliases, constructors,
//! host objects, callbacks, `console` and the spell's result.

mod common;

use common::{output, run};
use llmspell_bridge::{Map, Value, map_of};
use llmspell_runtime::EngineKind::Js;

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// The spell's result (`export default ...`).
fn result(code: &str) -> Value {
    let (printed, result) = run(Js, code);
    result.unwrap_or_else(|error| panic!("spell failed: {error}\nprinted:\n{printed}"))
}

#[test]
fn print_writes_canonical_text() {
    let printed = output(Js, r#"print("a", 1, 2.5, 3.0, true, null, undefined, [1, "x"], {b: 1, a: {}})"#);
    assert_eq!(printed, "a 1 2.5 3 true nil nil [1,\"x\"] {\"a\":{},\"b\":1}\n");
}

#[test]
fn console_log_info_and_debug_go_through_print() {
    let printed = output(
        Js,
        r#"console.log("log", 1); console.info("info", [2]); console.debug("debug", {k: null}); console.warn("to stderr"); console.error("also stderr")"#,
    );
    assert_eq!(lines(&printed), vec!["log 1", "info [2]", "debug {\"k\":null}"]);
}

#[test]
fn numbers_are_ints_when_integral_and_within_2_pow_53() {
    let value =
        result("export default [1, -7, 1.5, 3.0, 0.1, 2**53, -(2**53), 2**53 + 2, 2**60, -0, 1e300, NaN, Infinity]");
    let Value::List(items) = value else { panic!("not a list") };
    assert_eq!(
        items[..7],
        [
            Value::Int(1),
            Value::Int(-7),
            Value::Float(1.5),
            Value::Int(3),
            Value::Float(0.1),
            Value::Int(1 << 53),
            Value::Int(-(1 << 53)),
        ]
    );
    assert_eq!(items[7], Value::Float(9_007_199_254_740_994.0));
    assert_eq!(items[8], Value::Float(2f64.powi(60)));
    assert_eq!(items[9], Value::Int(0));
    assert_eq!(items[10], Value::Float(1e300));
    assert!(matches!(items[11], Value::Float(number) if number.is_nan()));
    assert_eq!(items[12], Value::Float(f64::INFINITY));
}

#[test]
fn scalars_round_trip_through_the_host() {
    let printed = output(
        Js,
        r#"
        for (const v of [1, -7, 1.5, 3.0, 0.1, 2**53, 2**60, "é∑😀 日本", "", true, false, null]) {
          const back = test.echo(v);
          print(JSON.stringify(back), typeof back, back === v);
        }
        print(test.echo(undefined) === null, test.echo(null), typeof test.add(2, 3), Number.isInteger(test.add(2, 3)));
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            "1 number true",
            "-7 number true",
            "1.5 number true",
            "3 number true",
            "0.1 number true",
            "9007199254740992 number true",
            "1152921504606847000 number true",
            "\"é∑😀 日本\" string true",
            "\"\" string true",
            "true boolean true",
            "false boolean true",
            "null object true",
            "true nil number true",
        ]
    );
}

#[test]
fn nested_lists_and_maps_round_trip() {
    let printed = output(
        Js,
        r#"
        const v = { name: "x", tags: ["a", "b"], deep: { list: [[1, 2], { k: 3.5 }], none: null }, empty: [], obj: {} };
        const back = test.echo(v);
        print(back);
        print(back.tags[1], back.deep.list[1].k, back.deep.none, Array.isArray(back.empty), Array.isArray(back.obj));
        print(JSON.stringify(back) === JSON.stringify(test.echo(back)));
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            r#"{"deep":{"list":[[1,2],{"k":3.5}],"none":null},"empty":[],"name":"x","obj":{},"tags":["a","b"]}"#,
            "b 3.5 nil true false",
            "true",
        ]
    );
}

#[test]
fn the_default_export_is_the_spell_result_with_nested_values() {
    let value =
        result(r#"export default { list: [1, "two", 3.5, null, [true]], map: { "é": "ü" }, nothing: undefined }"#);
    let mut inner = Map::new();
    inner.insert("é".into(), Value::Str("ü".into()));
    assert_eq!(
        value,
        map_of([
            (
                "list",
                Value::List(vec![
                    Value::Int(1),
                    Value::Str("two".into()),
                    Value::Float(3.5),
                    Value::Nil,
                    Value::List(vec![Value::Bool(true)]),
                ]),
            ),
            ("map", Value::Map(inner)),
            ("nothing", Value::Nil),
        ])
    );
    assert_eq!(result("print('no export')"), Value::Nil);
}

#[test]
fn value_modules_and_module_aliases_are_bound() {
    let printed = output(
        Js,
        r#"
        print(params.topic, spell.name, typeof print);
        print(Test === test, typeof test.echo, test.new === test.counter);
        "#,
    );
    assert_eq!(lines(&printed), vec!["rust t function", "true function true"]);
}

#[test]
fn host_objects_expose_fields_and_methods_and_round_trip() {
    let printed = output(
        Js,
        r#"
        const c = new Test("clicks", 5);
        print(c.name, c.incr(), c.incr(10), c.get());
        print(test.same(c, c), test.same(c, test.echo(c)), test.same(c, test.counter("clicks")));
        const again = test.echo({ inner: [c] }).inner[0];
        print(again.incr(), c.get(), test.same(again, c));
        const d = Test.counter("d");
        const e = test.new("e", 2);
        print(d.name, d.get(), e.name, e.get(), String(e), `${e}`);
        print(Object.keys(c).includes("name"), "incr" in c, typeof c.incr);
        print(c);
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            "clicks 6 16 16",
            "true true false",
            "17 17 true",
            "d 0 e 2 <Counter> <Counter>",
            "false true function",
            "<Counter>",
        ]
    );
}

#[test]
fn constructors_work_with_and_without_new() {
    let printed = output(
        Js,
        r#"
        const a = new Test("a", 1);
        const b = Test("b", 2);
        print(a.get(), b.get(), Test.name);
        "#,
    );
    assert_eq!(lines(&printed), vec!["1 2 Test"]);
}

#[test]
fn script_functions_are_called_back_and_come_back_as_themselves() {
    let printed = output(
        Js,
        r#"
        const twice = (x) => x * 2;
        print(test.call(twice, 21), test.call((a, b) => [b, a], "x", { y: 1 }));
        print(test.echo(twice) === twice, test.echo([twice])[0] === twice);
        function named() { return "named result" }
        print(test.call(named), test.call(test.echo, "host function as a value"));
        let seen = [];
        test.call((f) => { seen.push(f(3)) }, (n) => n + 1);
        print(seen);
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec!["42 [{\"y\":1},\"x\"]", "true true", "named result host function as a value", "[4]"]
    );
}

#[test]
fn callbacks_run_reentrantly_and_can_call_the_host_again() {
    let printed = output(
        Js,
        r#"
        function depth(n) { return n === 0 ? "bottom" : test.call(depth, n - 1) }
        print(depth(50));
        const c = new Test("c");
        test.call(() => { c.incr(); test.call(() => c.incr(5)) });
        print(c.get());
        "#,
    );
    assert_eq!(lines(&printed), vec!["bottom", "6"]);
}

#[test]
fn validation_errors_name_the_function_and_parameter() {
    let printed = output(
        Js,
        r#"
        for (const f of [() => test.add("a", 1), () => test.add(1), () => test.add(1, 2, 3), () => test.add(1.5, 2)]) {
          try { f() } catch (e) { print(e.code + ": " + e.message) }
        }
        print(test.add(1.0, 2), test.add(1, 2, undefined, null));
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            "invalid_argument: test.add: parameter 'a' expects int, got str \"a\"",
            "invalid_argument: test.add: expected 2 arguments, got 1",
            "invalid_argument: test.add: expected 2 arguments, got 3",
            "invalid_argument: test.add: parameter 'a' expects int, got float 1.5",
            "3 3",
        ]
    );
}

#[test]
fn values_the_host_cannot_take_are_invalid_arguments() {
    let printed = output(
        Js,
        r#"
        const cyclic = {}; cyclic.self = cyclic;
        for (const v of [Symbol("s"), Promise.resolve(1), cyclic, 2n ** 70n]) {
          try { test.echo(v); print("accepted") } catch (e) { print(e.code) }
        }
        print(test.echo(5n), typeof test.echo(5n));
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec!["invalid_argument", "invalid_argument", "invalid_argument", "invalid_argument", "5 number"]
    );
}

#[test]
fn errors_convert_to_maps_with_their_message() {
    let printed = output(
        Js,
        r#"
        try { test.fail("some_code", "it failed") } catch (e) { print(test.echo(e)) }
        print(new Error("plain"));
        "#,
    );
    assert_eq!(lines(&printed), vec![r#"{"code":"some_code","message":"it failed"}"#, r#"{"message":"plain"}"#]);
}

#[test]
fn a_shebang_line_is_ignored_and_lines_stay_put() {
    let (_, result) = run(Js, "#!/usr/bin/env llmspell\nprint('ok')\nthrow new Error('line three')");
    let error = result.unwrap_err();
    assert_eq!((error.message.as_str(), error.line), ("line three", Some(3)));
}

#[test]
fn host_made_callables_are_script_functions_and_round_trip() {
    use llmspell_bridge::{Callable, Function, HostError, Module, RustFunction, Type};
    use std::sync::Arc;

    let (mut registry, printed) = common::test_registry();
    let adder = Callable::new(RustFunction(|args: Vec<Value>| match args.as_slice() {
        [Value::Int(a), Value::Int(b)] => Ok(Value::Int(a + b)),
        _ => Err(HostError::invalid_argument("adder wants two ints")),
    }));
    registry.add_module(
        Module::new("extra", "Host-made callables.")
            .function(Function::new("adder").returns(Type::Fn, "").sync(move |_| Ok(Value::Callable(adder.clone())))),
    );
    let spell = llmspell_runtime::Spell::from_source(
        "test.js",
        r#"
        const add = extra.adder();
        print(typeof add, add(2, 3), test.call(add, 4, 5), [1, 2].map((x) => add(x, 10)));
        print(test.same(add, extra.adder()), test.echo(add) === add, add.name === undefined || typeof add.name);
        try { add("x") } catch (e) { print(e.code, e.message) }
        "#,
        Js,
    );
    llmspell_runtime::run(spell, Arc::new(registry), llmspell_runtime::RunOptions::default()).unwrap();
    assert_eq!(
        lines(&printed.lock().unwrap()),
        vec!["function 5 9 [11,12]", "true false string", "invalid_argument adder wants two ints"]
    );
}
