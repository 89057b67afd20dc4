//! Rhai: values crossing the bridge, module objects, aliases, host objects, `print`.

mod common;

use llmspell_bridge::Value;
use llmspell_runtime::EngineKind;

/// Runs `code` and checks what it printed.
fn check(code: &str, expected: &str) {
    assert_eq!(common::output(EngineKind::Rhai, code), expected, "spell:\n{code}");
}

/// Runs `code` and returns its final value.
fn result(code: &str) -> Value {
    let (printed, result) = common::run(EngineKind::Rhai, code);
    result.unwrap_or_else(|error| panic!("spell failed: {error}\nprinted:\n{printed}"))
}

#[test]
fn print_writes_canonical_text() {
    check(r#"print("hello")"#, "hello\n");
    check("print(1)", "1\n");
    check("print(1.0)", "1.0\n");
    check("print(0.1)", "0.1\n");
    check("print(true)", "true\n");
    check("print(())", "nil\n");
    check("print('c')", "c\n");
    check(r#"print([1, 2.5, "x", (), [true]])"#, "[1,2.5,\"x\",null,[true]]\n");
    check(r#"print(#{b: 1, a: "x"})"#, "{\"a\":\"x\",\"b\":1}\n");
    check("print()", "\n");
}

#[test]
fn print_takes_several_arguments() {
    check(r#"print("a", 1, 2.0, (), [1])"#, "a 1 2.0 nil [1]\n");
    check(r#"let a = "x"; let b = #{k: [1]}; print(a, b)"#, "x {\"k\":[1]}\n");
}

#[test]
fn debug_statement_writes_through_the_host_print() {
    check(r#"debug("x")"#, "\"x\"\n");
}

#[test]
fn scalars_round_trip_through_the_host() {
    check("print(type_of(test.echo(1)))", "i64\n");
    check("print(type_of(test.echo(1.0)))", "f64\n");
    check("print(test.echo(1.0))", "1.0\n");
    check("print(test.echo(-7))", "-7\n");
    check("print(test.echo(true))", "true\n");
    check("print(test.echo(()) == ())", "true\n");
    check(r#"print(test.echo("héllo wörld ✓ 🎉"))"#, "héllo wörld ✓ 🎉\n");
    check("print(test.echo('é'))", "é\n");
}

#[test]
fn nested_values_round_trip_through_the_host() {
    check(
        r#"let v = #{list: [1, 2.5, "three", (), #{deep: [[]]}], map: #{z: 1, a: #{}}, unit: ()};
           let back = test.echo(v);
           print(back);
           print(back == v);
           print(type_of(back.list[1]), type_of(back.list[0]))"#,
        "{\"list\":[1,2.5,\"three\",null,{\"deep\":[[]]}],\"map\":{\"a\":{},\"z\":1},\"unit\":null}\ntrue\nf64 i64\n",
    );
    check("print(test.echo([]))", "[]\n");
    check("print(test.echo(#{}))", "{}\n");
}

#[test]
fn final_value_is_the_spell_result() {
    assert_eq!(result("40 + 2"), Value::Int(42));
    assert_eq!(result("1.5"), Value::Float(1.5));
    assert_eq!(result("()"), Value::Nil);
    assert_eq!(result(r#"[1, "a"]"#), Value::List(vec![Value::Int(1), Value::Str("a".into())]));
    assert_eq!(result("exit(5); 6"), Value::Int(5));
    assert_eq!(result("return 7; 8"), Value::Int(7));
}

#[test]
fn module_aliases_and_function_aliases() {
    check(r#"print(Test.echo("via alias"))"#, "via alias\n");
    check(r#"let c = test.new("x"); print(c.name)"#, "x\n");
    check(r#"let c = Test.counter("y", 5); print(c.name, c.get())"#, "y 5\n");
}

#[test]
fn static_module_calls() {
    check("print(test::add(2, 3))", "5\n");
    check(r#"print(Test::echo("s"))"#, "s\n");
    check(r#"let c = test::new("n", 1); print(c.incr())"#, "2\n");
    check("fn f() { test::add(1, 1) } print(f())", "2\n");
}

#[test]
fn module_objects_are_visible_inside_functions() {
    check("fn f(x) { test.add(x, 1) } print(f(41))", "42\n");
    check("fn g() { params.topic } print(g())", "rust\n");
    check("fn h() { let c = test.counter(\"in\"); c.incr(3) } print(h())", "3\n");
}

#[test]
fn script_variables_shadow_module_objects() {
    check("let test = 5; print(test)", "5\n");
    check("fn f() { let params = 1; params } print(f(), params.topic)", "1 rust\n");
}

#[test]
fn value_modules_are_plain_values() {
    check("print(params.topic)", "rust\n");
    check(r#"print(params["topic"], spell.name)"#, "rust t\n");
}

#[test]
fn host_objects_have_methods_and_fields() {
    check(
        r#"let c = test.counter("clicks");
           print(c.name);
           print(c["name"]);
           print(c.incr(), c.incr(2), c.get());
           print(c.nope == ());
           print(c);
           print(type_of(c))"#,
        "clicks\nclicks\n1 3 3\ntrue\n<Counter>\nhost\n",
    );
}

#[test]
fn host_objects_keep_their_identity() {
    check(
        r#"let c = test.counter("a"); let d = test.counter("a");
           print(test.same(c, c), test.same(c, d), c == c, c != d, c == d)"#,
        "true false true true false\n",
    );
    check(
        r#"let c = test.counter("a"); let back = test.echo([c])[0]; back.incr(); print(c.get(), test.same(back, c))"#,
        "1 true\n",
    );
}

#[test]
fn module_functions_are_values_too() {
    check("let add = test.add; print(add.call(2, 3))", "5\n");
    check(r#"let c = test.counter("m"); let incr = c.incr; incr.call(4); print(c.get())"#, "4\n");
    check("print(test.nope == ())", "true\n");
}

#[test]
fn print_shows_what_cannot_cross_the_bridge() {
    check("print(test, Test)", "<module test> <module test>\n");
}

#[test]
fn modules_are_not_values() {
    let (_, result) = common::run(EngineKind::Rhai, "test.echo(test)");
    let error = result.unwrap_err();
    assert_eq!(error.code, "invalid_argument");
    assert!(error.message.contains("module 'test'"), "{}", error.message);
}

#[test]
fn trailing_units_are_omitted_arguments() {
    check(r#"let c = test.counter("t", ()); print(c.incr(()))"#, "1\n");
}

#[test]
fn string_interpolation_of_host_values() {
    check(r#"let c = test.counter("i"); print(`${c}`)"#, "<Counter>\n");
    check("print(`${test}`)", "<module test>\n");
}
