//! Lua engine: values crossing the bridge both ways, modules, aliases, host objects, callbacks
//! and I/O-bound calls.

mod common;

use std::time::Instant;

use common::{output, run};
use llmspell_bridge::{Value, map_of};
use llmspell_runtime::EngineKind::Lua;

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn print_writes_canonical_text() {
    let printed = output(
        Lua,
        r#"print("a", 1, 2.5, 3.0, true, nil, {1, "x"}, {b = 1, a = {}})"#,
    );
    assert_eq!(
        printed,
        "a 1 2.5 3.0 true nil [1,\"x\"] {\"a\":{},\"b\":1}\n"
    );
}

#[test]
fn scalars_round_trip_and_keep_int_and_float_apart() {
    let printed = output(
        Lua,
        r#"
        for _, v in ipairs({1, -7, 2.5, 3.0, 0.1, "é∑😀", true, false, math.maxinteger, 0.0625}) do
          local back = test.echo(v)
          print(back, math.type(back) or type(back), back == v)
        end
        print(test.echo(nil))
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            "1 integer true",
            "-7 integer true",
            "2.5 float true",
            "3.0 float true",
            "0.1 float true",
            "é∑😀 string true",
            "true boolean true",
            "false boolean true",
            "9223372036854775807 integer true",
            "0.0625 float true",
            "nil",
        ]
    );
}

#[test]
fn nested_lists_and_maps_round_trip() {
    let printed = output(
        Lua,
        r#"
        local v = { name = "x", tags = {"a", "b"}, deep = { list = { {1, 2}, { k = 3.5 } } }, [7] = "seven" }
        local back = test.echo(v)
        print(back)
        print(back.tags[2], back.deep.list[2].k, back["7"], #back.deep.list)
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            r#"{"7":"seven","deep":{"list":[[1,2],{"k":3.5}]},"name":"x","tags":["a","b"]}"#,
            "b 3.5 seven 2",
        ]
    );
}

#[test]
fn empty_tables_are_maps_but_host_lists_stay_lists() {
    let printed = output(
        Lua,
        r#"
        print(test.echo({}))
        local list = test.echo({1})
        table.remove(list)
        print(#list, test.echo(list))
        local nested = test.echo({ items = {1, 2} })
        nested.items = test.echo(nested.items)
        table.remove(nested.items); table.remove(nested.items)
        print(test.echo(nested))
        "#,
    );
    assert_eq!(lines(&printed), vec!["{}", "0 []", r#"{"items":[]}"#]);
}

#[test]
fn empty_list_from_the_host_is_a_list_in_lua() {
    let (registry_output, result) = run(Lua, "return test.echo(test.echo({1, 2}))");
    assert_eq!(registry_output, "");
    assert_eq!(
        result.unwrap(),
        Value::List(vec![Value::Int(1), Value::Int(2)])
    );
}

#[test]
fn tables_with_holes_or_mixed_keys_are_maps() {
    let printed = output(
        Lua,
        r#"
        print(test.echo({[1] = "a", [3] = "c"}))
        print(test.echo({"a", x = 1}))
        print(test.echo({[-1] = 0, [0] = 1}))
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            r#"{"1":"a","3":"c"}"#,
            r#"{"1":"a","x":1}"#,
            r#"{"-1":0,"0":1}"#
        ]
    );
}

#[test]
fn invalid_keys_and_cycles_are_invalid_arguments() {
    let printed = output(
        Lua,
        r#"
        local ok, e = pcall(test.echo, {[true] = 1})
        print(ok, e.code, e.message)
        local ok2, e2 = pcall(test.echo, {[1.5] = 1})
        print(ok2, e2.code, e2.message)
        local t = {}
        t.self = t
        local ok3, e3 = pcall(test.echo, t)
        print(ok3, e3.code)
        local ok4, e4 = pcall(test.echo, coroutine.create(function() end))
        print(ok4, e4.code, e4.message)
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            "false invalid_argument test.echo: argument 1: map keys must be strings or integers, not a boolean",
            "false invalid_argument test.echo: argument 1: map keys must be strings or integers, not the float 1.5",
            "false invalid_argument",
            "false invalid_argument test.echo: argument 1: a coroutine cannot be passed to the host",
        ]
    );
}

#[test]
fn the_spell_result_is_the_chunk_return_value() {
    let (_, result) = run(
        Lua,
        r#"return { n = 1, f = 2.0, s = "é", l = {true}, e = test.echo({}) }"#,
    );
    assert_eq!(
        result.unwrap(),
        map_of([
            ("e", Value::Map(Default::default())),
            ("f", Value::Float(2.0)),
            ("l", Value::List(vec![Value::Bool(true)])),
            ("n", Value::Int(1)),
            ("s", Value::Str("é".into())),
        ])
    );
    let (_, result) = run(Lua, "local x = 1");
    assert_eq!(result.unwrap(), Value::Nil);
}

#[test]
fn value_modules_are_globals() {
    assert_eq!(output(Lua, "print(params.topic, spell.name)"), "rust t\n");
}

#[test]
fn module_functions_work_with_dot_colon_and_aliases() {
    let printed = output(
        Lua,
        r#"
        print(test.add(1, 2), test:add(3, 4), Test.add(5, 6), Test:add(7, 8))
        print(Test == test, rawequal(test.new, test.counter))
        "#,
    );
    assert_eq!(lines(&printed), vec!["3 7 11 15", "true true"]);
}

#[test]
fn host_objects_have_methods_fields_identity_and_text() {
    let printed = output(
        Lua,
        r#"
        local c = Test.new("hits", 10)
        print(c.name, c:incr(), c.incr(5), c:get(), c.get())
        print(tostring(c), c)
        local again = test.echo(c)
        print(c == again, test.same(c, again), test.same(c, test.counter("other")))
        print(c == test.counter("hits", 10), c.missing, type(c))
        local ok, e = pcall(function() c.name = "x" end)
        print(ok, e.code, e.message)
        local ok2, e2 = pcall(c.incr, "many")
        print(ok2, e2.code, e2.message)
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec![
            "hits 11 16 16 16",
            "<Counter> <Counter>",
            "true true false",
            "false nil userdata",
            "false invalid_argument cannot set 'name' on a Counter: host objects are read-only",
            "false invalid_argument Counter.incr: parameter 'by' expects int, got str \"many\"",
        ]
    );
}

#[test]
fn objects_inside_containers_round_trip() {
    let printed = output(
        Lua,
        r#"
        local c = test.counter("a")
        local back = test.echo({ list = {c}, map = { c = c } })
        print(test.same(back.list[1], c), back.map.c:incr(2), c:get())
        print(test.echo({ c }))
        "#,
    );
    assert_eq!(lines(&printed), vec!["true 2 2", r#"["<Counter>"]"#]);
}

#[test]
fn callbacks_run_synchronously_and_convert_back_to_the_same_function() {
    let printed = output(
        Lua,
        r#"
        local function twice(x, y) return x * 2 + (y or 0) end
        print(test.call(twice, 20, 2))
        print(test.call(function(t) return t.a end, { a = { 1, 2 } }))
        print(rawequal(test.echo(twice), twice))
        print(test.call(function() return test.call(function() return "nested" end) end))
        local up = 0
        for i = 1, 3 do test.call(function() up = up + i end) end
        print(up)
        print(test.echo(print))
        "#,
    );
    assert_eq!(
        lines(&printed),
        vec!["42", "[1,2]", "true", "nested", "6", "<function anonymous>"]
    );
}

#[test]
fn call_later_marshals_the_callback_onto_the_spell_thread() {
    let printed = output(
        Lua,
        r#"
        local seen = {}
        local result = test.call_later(function(x)
          seen[#seen + 1] = x
          return x .. "!"
        end, "hi", 20)
        print(result, #seen, seen[1])
        print(test.call_later(function(n) return test.add(n, 1) end, 41))
        "#,
    );
    assert_eq!(lines(&printed), vec!["hi! 1 hi", "42"]);
}

#[test]
fn io_bound_calls_block_the_script_until_done() {
    let started = Instant::now();
    let printed = output(Lua, "print(test.sleep(50), test.sleep(50))");
    assert_eq!(printed, "50 50\n");
    assert!(
        started.elapsed().as_millis() >= 100,
        "two sleeps of 50 ms ran in sequence"
    );
}

#[test]
fn coroutines_work_and_can_call_the_host() {
    let printed = output(
        Lua,
        r#"
        local co = coroutine.wrap(function(a)
          local b = coroutine.yield(test.add(a, 1))
          test.sleep(1)
          return b * 2
        end)
        print(co(1), co(21))
        local ok, e = coroutine.resume(coroutine.create(function() test.fail("boom", "in a coroutine") end))
        print(ok, e.code, e.message)
        "#,
    );
    assert_eq!(lines(&printed), vec!["2 42", "false boom in a coroutine"]);
}

#[test]
fn a_function_passed_through_the_host_stays_callable() {
    let printed = output(
        Lua,
        "local f = test.echo(function(x) return x end) print(type(f), f(3), rawequal(test.echo(print), print))",
    );
    assert_eq!(printed, "function 3 true\n");
}

#[test]
fn a_host_list_metatable_does_not_leak_into_maps() {
    let printed = output(
        Lua,
        r#"
        local l = test.echo({1, 2})
        l.extra = true
        print(test.echo(l))
        "#,
    );
    assert_eq!(printed, "{\"1\":1,\"2\":2,\"extra\":true}\n");
}

#[test]
fn coroutines_can_yield_across_pcall() {
    let printed = output(
        Lua,
        r#"
        local co = coroutine.wrap(function()
          local ok, value = pcall(function()
            local got = coroutine.yield("first")
            return got .. "!"
          end)
          coroutine.yield(tostring(ok) .. " " .. value)
          return "done"
        end)
        print(co(), co("second"), co())
        "#,
    );
    assert_eq!(printed, "first true second! done\n");
}

#[test]
fn a_callable_made_by_the_host_is_a_lua_function() {
    use std::sync::Arc;

    use llmspell_bridge::{Callable, Function, HostError, Module, Registry, RustFunction};
    use llmspell_runtime::{RunOptions, Spell};

    let mut registry = Registry::new();
    registry.add_module(Module::new("host", "Makes functions.").function(
        Function::new("doubler").sync(|_| {
            Ok(Value::Callable(Callable::new(RustFunction(
                |args: Vec<Value>| match args.first() {
                    Some(Value::Int(number)) => Ok(Value::Int(number * 2)),
                    _ => Err(HostError::invalid_argument("doubler: expects an int")),
                },
            ))))
        }),
    ));
    let spell = Spell::from_source(
        "test.lua",
        "local d = host.doubler()\nlocal ok, e = pcall(d, 'x')\nreturn { type(d), d(21), e.code }",
        Lua,
    );
    let value = llmspell_runtime::run(spell, Arc::new(registry), RunOptions::default()).unwrap();
    assert_eq!(
        value,
        Value::List(vec![
            Value::Str("function".into()),
            Value::Int(42),
            Value::Str("invalid_argument".into())
        ])
    );
}

#[test]
fn nils_inside_host_lists_survive_the_round_trip() {
    use llmspell_bridge::Value::{Int, List, Nil};

    let lists = [
        List(vec![Int(1), Nil, Int(3)]),
        List(vec![Nil]),
        List(vec![Int(1), Nil]),
        List(vec![Nil, Nil, Int(3)]),
    ];
    for list in lists {
        assert_eq!(
            round_trip_through_script(&list, "return test.echo(v)"),
            list
        );
    }
    // A script that removes the tail of such a list changes its length like any list.
    let shortened =
        round_trip_through_script(&List(vec![Int(1), Int(2), Nil]), "v[2] = nil return v");
    assert_eq!(shortened, List(vec![Int(1)]));
    let extended = round_trip_through_script(&List(vec![Int(1), Nil]), "v[3] = 3 return v");
    assert_eq!(extended, List(vec![Int(1), Nil, Int(3)]));
    let sparse = round_trip_through_script(&List(vec![Int(1), Nil]), "v[1000000] = 3 return v");
    assert!(matches!(sparse, Value::Map(_)));
}

/// Gives `value` to a script as the global `v` and returns what the script returns.
fn round_trip_through_script(value: &Value, code: &str) -> Value {
    use std::sync::Arc;

    use llmspell_bridge::Module;
    use llmspell_runtime::{RunOptions, Spell};

    let (mut registry, _) = common::test_registry();
    registry.add_module(Module::value("v", "The value under test.", value.clone()));
    let spell = Spell::from_source("test.lua", code, Lua);
    llmspell_runtime::run(spell, Arc::new(registry), RunOptions::default()).unwrap()
}
