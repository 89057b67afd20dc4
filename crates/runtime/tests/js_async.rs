//! JavaScript engine: I/O-bound host functions return Promises, top-level `await` works,
//! calls run concurrently, callbacks from other threads are marshalled onto the spell
//! thread, and the event loop ends only when nothing is left to do.

mod common;

use std::time::{Duration, Instant};

use common::{output, run};
use llmspell_runtime::EngineKind::Js;

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn io_bound_functions_return_promises_and_top_level_await_works() {
    let printed = output(
        Js,
        r#"
        const pending = test.sleep(5);
        print(pending instanceof Promise, typeof test.add(1, 2));
        print(await pending, await test.sleep(1));
        "#,
    );
    assert_eq!(lines(&printed), vec!["true number", "5 1"]);
}

#[test]
fn two_sleeps_awaited_together_run_concurrently() {
    // Functional check with a generous bound: sequential would take 200 ms.
    let start = Instant::now();
    let printed = output(Js, "print(await Promise.all([test.sleep(100), test.sleep(100)]))");
    let elapsed = start.elapsed();
    assert_eq!(printed, "[100,100]\n");
    assert!(elapsed < Duration::from_millis(190), "took {elapsed:?}");
}

#[test]
fn many_concurrent_calls_settle_in_order_of_completion() {
    let printed = output(
        Js,
        r#"
        const order = [];
        await Promise.all([30, 10, 20].map((ms) => test.sleep(ms).then((v) => order.push(v))));
        print(order);
        "#,
    );
    assert_eq!(printed, "[10,20,30]\n");
}

#[test]
fn callbacks_from_other_threads_run_on_the_spell_thread() {
    let printed = output(
        Js,
        r#"
        let calls = 0;
        const results = await Promise.all([1, 2, 3].map((x) => test.call_later((v) => { calls++; return v * 10 }, x, 5)));
        print(results, calls);
        const c = new Test("shared");
        await test.call_later(() => c.incr(5), null);
        print(c.get());
        "#,
    );
    assert_eq!(lines(&printed), vec!["[10,20,30] 3", "5"]);
}

#[test]
fn async_callbacks_are_awaited_by_the_host() {
    let printed = output(
        Js,
        r#"
        print(test.call(async (x) => { await test.sleep(5); return x + 1 }, 1));
        print(await test.call_later(async (x) => (await test.sleep(1)) + x, 10));
        try { test.call(async () => { await test.sleep(1); test.fail("late_fail", "after await") }) }
        catch (e) { print(e.code, e.message) }
        "#,
    );
    assert_eq!(lines(&printed), vec!["2", "11", "late_fail after await"]);
}

#[test]
fn the_spell_waits_for_pending_host_calls_after_its_last_line() {
    let printed = output(Js, "test.sleep(30).then((v) => print('late', v));\nprint('last line');");
    assert_eq!(lines(&printed), vec!["last line", "late 30"]);
}

#[test]
fn rejections_carry_the_host_error_code() {
    let printed = output(
        Js,
        r#"
        try { await test.sleep("x") } catch (e) { print(e.code) }
        const outcome = await test.sleep(1.5).then(() => "resolved", (e) => "rejected " + e.code);
        print(outcome);
        print(await test.sleep(1).then((v) => v + 1));
        "#,
    );
    assert_eq!(lines(&printed), vec!["invalid_argument", "rejected invalid_argument", "2"]);
}

#[test]
fn an_unhandled_rejection_ends_the_spell() {
    let (printed, result) = run(Js, "test.sleep('never');\nawait test.sleep(20);\nprint('not reached');");
    let error = result.unwrap_err();
    assert_eq!(error.code, "invalid_argument");
    assert_eq!(error.line, Some(1));
    assert_eq!(printed, "");
    // Handled later in the same turn is fine.
    let printed = output(Js, "const p = Promise.reject(new Error('x'));\np.catch((e) => print('handled', e.message));");
    assert_eq!(printed, "handled x\n");
}

#[test]
fn a_promise_that_never_settles_is_reported() {
    let start = Instant::now();
    let (_, result) = run(Js, "await new Promise(() => {});");
    let error = result.unwrap_err();
    assert_eq!(error.code, "runtime");
    assert!(error.message.contains("will ever settle"), "{}", error.message);
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn async_functions_and_microtasks_interleave_as_in_javascript() {
    let printed = output(
        Js,
        r#"
        const log = [];
        async function worker(name, ms) { log.push(name + " start"); await test.sleep(ms); log.push(name + " end"); return name }
        Promise.resolve().then(() => log.push("microtask"));
        const results = await Promise.all([worker("a", 20), worker("b", 5)]);
        log.push("done " + results.join(""));
        print(log.join(", "));
        "#,
    );
    assert_eq!(printed, "a start, b start, microtask, b end, a end, done ab\n");
}

#[test]
fn the_result_of_an_async_spell_is_its_default_export() {
    let (_, result) = run(Js, "const v = await test.sleep(3);\nexport default { v };");
    assert_eq!(result.unwrap(), llmspell_bridge::map_of([("v", llmspell_bridge::Value::Int(3))]));
}
