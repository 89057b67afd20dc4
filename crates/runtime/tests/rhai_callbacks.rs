//! Rhai: script functions called back by the host (re-entrantly and from other threads),
//! and I/O-bound host calls.

mod common;

use std::time::{Duration, Instant};

use llmspell_runtime::{EngineKind, StackEntry};

fn check(code: &str, expected: &str) {
    assert_eq!(common::output(EngineKind::Rhai, code), expected, "spell:\n{code}");
}

#[test]
fn host_calls_back_named_functions_closures_and_pointers() {
    check("fn add(a, b) { a + b } print(test.call(add, 1, 2))", "3\n");
    check(r#"fn add(a, b) { a + b } print(test.call(Fn("add"), 2, 3))"#, "5\n");
    check("print(test.call(|x| x * 2, 21))", "42\n");
    check("let k = 10; print(test.call(|x| x + k, 1))", "11\n");
    check("let f = |a, b| a + b; let g = f.curry(5); print(test.call(g, 1))", "6\n");
    check("print(test::call(|| \"static\"))", "static\n");
}

#[test]
fn callbacks_share_state_with_the_script() {
    check(
        "let seen = []; test.call(|x| seen.push(x), 1); test.call(|x| seen.push(x), 2); print(seen)",
        "[1,2]\n",
    );
}

#[test]
fn callbacks_are_reentrant() {
    check("print(test.call(|x| test.call(|y| test.add(y, 1), x * 10), 4))", "41\n");
    check("fn down(n) { if n == 0 { 0 } else { 1 + test.call(down, n - 1) } } print(down(20))", "20\n");
}

#[test]
fn callbacks_see_module_objects_and_script_functions() {
    check("fn twice(x) { x * 2 } print(test.call(|x| twice(test.echo(x)), 4))", "8\n");
}

#[test]
fn a_script_function_round_trips_as_itself() {
    check("fn f(x) { x + 1 } let g = test.echo(f); print(type_of(g), g.call(1))", "Fn 2\n");
    check("let f = |x| x * 3; print(test.echo(f).call(3))", "9\n");
}

#[test]
fn callbacks_from_other_threads_run_on_the_spell_thread() {
    check("print(test.call_later(|x| x + 1, 41))", "42\n");
    check(
        "let log = []; let r = test.call_later(|x| { log.push(x); test.add(x, 1) }, 1, 20); print(r, log)",
        "2 [1]\n",
    );
    check("fn f(x) { `later ${x}` } print(test.call_later(f, \"on\"))", "later on\n");
}

#[test]
fn callback_errors_reach_the_script() {
    check(
        r#"try { test.call(|| test.fail("inner", "from the callback")) } catch (e) { print(e.code, e.message) }"#,
        "inner from the callback\n",
    );
    check(r#"try { test.call(|| { throw "thrown" }) } catch (e) { print(e) }"#, "thrown\n");
    check(
        r#"try { test.call_later(|x| test.fail("late", `x=${x}`), 3) } catch (e) { print(e.code, e.message) }"#,
        "late x=3\n",
    );
}

#[test]
fn uncaught_callback_error_keeps_the_callback_frames() {
    let code = "fn cb(x) {\n  throw `bad ${x}`;\n}\n\ntest.call(cb, 1);\n";
    let (_, result) = common::run(EngineKind::Rhai, code);
    let error = result.unwrap_err();
    assert_eq!((error.code.as_str(), error.message.as_str(), error.line), ("runtime", "bad 1", Some(2)));
    let frames: Vec<(String, u32)> =
        error.stack.iter().map(|StackEntry { function, line, .. }| (function.clone(), *line)).collect();
    assert_eq!(frames, vec![("cb".to_owned(), 2), ("<main>".to_owned(), 5)]);
}

#[test]
fn io_bound_calls_block_the_script_until_done() {
    let started = Instant::now();
    check("let a = test.sleep(60); let b = test.sleep(40); print(a + b)", "100\n");
    assert!(started.elapsed() >= Duration::from_millis(100), "{:?}", started.elapsed());
}

#[test]
fn io_bound_calls_work_inside_callbacks_and_functions() {
    check("fn nap(ms) { test.sleep(ms) } print(test.call(|| nap(5)))", "5\n");
    check("print(test.call_later(|ms| test.sleep(ms), 5))", "5\n");
}

/// A registry with a host function that returns a host-made callable.
fn registry_with_host_callable() -> (llmspell_bridge::Registry, std::sync::Arc<std::sync::Mutex<String>>) {
    use llmspell_bridge::{Callable, Function, Module, RustFunction, Type, Value};
    let (mut registry, output) = common::test_registry();
    registry.add_module(Module::new("maker", "Makes host functions.").function(
        Function::new("adder").param("n", Type::Int, "").returns(Type::Fn, "").sync(|args| {
            let n = args.int(0)?;
            Ok(Value::Callable(Callable::new(RustFunction(move |values: Vec<Value>| {
                Ok(Value::Int(n + values.first().and_then(Value::as_int).unwrap_or(0)))
            }))))
        }),
    ));
    (registry, output)
}

#[test]
fn host_made_callables_are_callable_from_the_script() {
    let (registry, output) = registry_with_host_callable();
    let code = "let add10 = maker.adder(10); print(type_of(add10), add10.call(5), test.call(add10, 1), [1, 2].map(add10))";
    let spell = llmspell_runtime::Spell::from_source("test.rhai", code, EngineKind::Rhai);
    let result = llmspell_runtime::run(spell, std::sync::Arc::new(registry), Default::default());
    result.unwrap();
    assert_eq!(output.lock().unwrap().as_str(), "Fn 15 11 [11,12]\n");
}
