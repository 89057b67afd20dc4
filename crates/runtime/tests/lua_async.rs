//! Lua engine: `async.all` runs functions as coroutines that interleave at I/O-bound host
//! calls, returns their results in order, ends with the first error, nests, keeps serving
//! callbacks from other threads, and keeps every limit and the debugger working.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{output, run, run_with, test_registry};
use llmspell_bridge::Value;
use llmspell_runtime::EngineKind::Lua;
use llmspell_runtime::{CancelToken, Limits, Resume, RunOptions, Spell, SpellError, debug_channel};

fn timed(code: &str) -> (String, Duration) {
    let started = Instant::now();
    let printed = output(Lua, code);
    (printed, started.elapsed())
}

fn fails(code: &str) -> SpellError {
    let (_, result) = run(Lua, code);
    result.expect_err("the spell should fail")
}

#[test]
fn two_sleeps_run_concurrently() {
    let (printed, elapsed) = timed(
        "local r = async.all({
           function() return test.sleep(200) end,
           function() return test.sleep(200) end,
         })
         print(#r, r[1], r[2])",
    );
    assert_eq!(printed, "2 200 200\n");
    // Sequential would take 400 ms.
    assert!(elapsed < Duration::from_millis(350), "took {elapsed:?}");
}

#[test]
fn eight_sleeps_run_concurrently() {
    let (printed, elapsed) = timed(
        "local fns = {}
         for i = 1, 8 do fns[i] = function() test.sleep(200); return i end end
         print(table.concat(async.all(fns), ','))",
    );
    assert_eq!(printed, "1,2,3,4,5,6,7,8\n");
    // Sequential would take 1.6 s.
    assert!(elapsed < Duration::from_millis(700), "took {elapsed:?}");
}

#[test]
fn results_come_in_order_whatever_finishes_first() {
    let printed = output(
        Lua,
        "local order = {}
         local r = async.all({
           function() test.sleep(120); order[#order + 1] = 'a'; return 'a' end,
           function() test.sleep(10); order[#order + 1] = 'b'; return 'b' end,
           function() test.sleep(60); order[#order + 1] = 'c'; return 'c' end,
         })
         print(table.concat(r, ' '), table.concat(order, ' '))",
    );
    assert_eq!(printed, "a b c b c a\n");
}

#[test]
fn mixed_sync_and_async_steps_interleave() {
    let printed = output(
        Lua,
        "local log = {}
         local function say(x) log[#log + 1] = x end
         local r = async.all({
           function()
             say('a1'); local n = test.add(1, 2); test.sleep(50); say('a2'); return n
           end,
           function()
             say('b1'); test.sleep(10); say('b2'); return test.echo({ k = 'v' })
           end,
           function() say('c'); return 42 end,
         })
         print(r[1], r[2].k, r[3])
         print(table.concat(log, ' '))",
    );
    assert_eq!(printed, "3 v 42\na1 b1 c b2 a2\n");
}

#[test]
fn outside_async_all_io_calls_still_block() {
    let (printed, elapsed) = timed(
        "print(test.sleep(100), test.sleep(100))
         local co = coroutine.wrap(function() return test.sleep(50) end)
         print(co())",
    );
    assert_eq!(printed, "100 100\n50\n");
    assert!(elapsed >= Duration::from_millis(250), "took {elapsed:?}");
}

#[test]
fn an_empty_list_gives_an_empty_list() {
    let printed = output(Lua, "local r = async.all({}); print(#r, test.echo(r))");
    assert_eq!(printed, "0 []\n");
}

#[test]
fn nil_results_leave_holes_and_extra_values_are_dropped() {
    let printed = output(
        Lua,
        "local r = async.all({ function() return nil end, function() return 1, 2 end })
         print(r[1], r[2], r[3])",
    );
    assert_eq!(printed, "nil 1 nil\n");
}

#[test]
fn a_host_error_ends_async_all_with_that_error() {
    let printed = output(
        Lua,
        "local resumed = false
         local ok, e = pcall(async.all, {
           function() test.sleep(10); test.fail('boom', 'it broke') end,
           function() test.sleep(200); resumed = true; return 1 end,
         })
         print(ok, e.code, e.message)
         test.sleep(300)
         print('sibling resumed:', resumed)",
    );
    assert_eq!(printed, "false boom it broke\nsibling resumed: false\n");
}

#[test]
fn the_pending_calls_of_cancelled_functions_are_aborted() {
    // Without the abort, `call_later` would still call back after 200 ms while the spell sleeps.
    let printed = output(
        Lua,
        "local called = false
         pcall(async.all, {
           function() test.sleep(10); error('stop') end,
           function() return test.call_later(function() called = true end, nil, 200) end,
         })
         test.sleep(400)
         print('called back:', called)",
    );
    assert_eq!(printed, "called back: false\n");
}

#[test]
fn an_error_ends_async_all_without_waiting_for_the_others() {
    let started = Instant::now();
    let printed = output(
        Lua,
        "local ok, e = pcall(async.all, {
           function() error('first') end,
           function() return test.sleep(2000) end,
         })
         print(ok, e)",
    );
    assert_eq!(printed, "false test.lua:2: first\n");
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[test]
fn an_uncaught_error_is_reported_where_it_was_raised() {
    let error = fails(
        "local function work()\n  test.sleep(10)\n  error({ code = 'bad', message = 'no good' })\nend\nasync.all({ work })\n",
    );
    assert_eq!(error.code, "bad");
    assert_eq!(error.message, "no good");
    assert_eq!(error.file.as_deref(), Some("test.lua"));
    assert_eq!(error.line, Some(3));
    // `work` runs as the coroutine's body, called by the engine: Lua cannot name it.
    assert_eq!(error.stack.first().map(|entry| entry.line), Some(3));

    let error = fails("async.all({\n  function() test.sleep(5) test.fail('nope', 'x') end,\n})\n");
    assert_eq!((error.code.as_str(), error.message.as_str()), ("nope", "x"));
    assert_eq!(error.line, Some(2));
}

#[test]
fn errors_inside_a_function_can_be_caught_there() {
    let printed = output(
        Lua,
        "local r = async.all({
           function()
             local ok, e = pcall(test.sleep, 'x')
             local ok2, e2 = pcall(function() test.sleep(5); test.fail('f', 'm') end)
             return e.code .. ' ' .. e2.code
           end,
           function() return test.sleep(20) end,
         })
         print(r[1], r[2])",
    );
    assert_eq!(printed, "invalid_argument f 20\n");
}

#[test]
fn bad_arguments_are_invalid_argument_errors() {
    let printed = output(
        Lua,
        "print(select(2, pcall(async.all, 3)).code)
         print(select(2, pcall(async.all, { function() end, 'x' })).message)",
    );
    assert_eq!(
        printed,
        "invalid_argument\nasync.all: item 2 is a string, not a function\n"
    );
}

#[test]
fn nested_async_all_runs_alongside_its_siblings() {
    let started = Instant::now();
    let printed = output(
        Lua,
        "local r = async.all({
           function()
             local inner = async.all({
               function() return test.sleep(200) end,
               function() test.sleep(200); return 'x' end,
             })
             return inner[1] .. inner[2]
           end,
           function() return test.sleep(200) end,
           function()
             return async.all({ function() return 'deep' end })[1]
           end,
         })
         print(r[1], r[2], r[3])",
    );
    assert_eq!(printed, "200x 200 deep\n");
    assert!(
        started.elapsed() < Duration::from_millis(350),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn an_error_in_a_nested_async_all_reaches_the_outer_one() {
    let printed = output(
        Lua,
        "local ok, e = pcall(async.all, {
           function()
             return async.all({ function() test.sleep(5); test.fail('inner', 'deep') end })
           end,
           function() return test.sleep(100) end,
         })
         print(ok, e.code, e.message)
         local r = async.all({
           function()
             local ok, e = pcall(async.all, { function() error({ code = 'c', message = 'm' }) end })
             return e.code
           end,
         })
         print(r[1])",
    );
    assert_eq!(printed, "false inner deep\nc\n");
}

#[test]
fn methods_and_callbacks_work_inside_tasks() {
    let printed = output(
        Lua,
        "local c = test.counter('n')
         local r = async.all({
           function()
             return test.call_later(function(x) c:incr(); return x * 2 end, 21, 100)
           end,
           function()
             test.sleep(20)
             return test.call(function(y) return test.sleep(y) end, 30)
           end,
           function() c:incr(5); return c:get() end,
         })
         print(r[1], r[2], r[3], c:get())",
    );
    assert_eq!(printed, "42 30 5 6\n");
}

#[test]
fn a_callback_from_another_thread_runs_while_tasks_wait() {
    let started = Instant::now();
    let printed = output(
        Lua,
        "local seen = {}
         local r = async.all({
           function() return test.call_later(function(x) seen[#seen + 1] = x; return x end, 'cb', 100) end,
           function() test.sleep(200); return #seen end,
         })
         print(r[1], r[2])",
    );
    assert_eq!(printed, "cb 1\n");
    assert!(started.elapsed() < Duration::from_millis(350));
}

#[test]
fn a_bare_yield_lets_the_others_run() {
    let printed = output(
        Lua,
        "local log = {}
         async.all({
           function() log[#log + 1] = 'a1'; coroutine.yield(); log[#log + 1] = 'a2' end,
           function() log[#log + 1] = 'b' end,
         })
         print(table.concat(log, ' '))",
    );
    assert_eq!(printed, "a1 b a2\n");
}

#[test]
fn a_timeout_while_waiting_ends_the_spell() {
    let started = Instant::now();
    let limits = Limits {
        timeout: Some(Duration::from_millis(300)),
        ..Limits::default()
    };
    let (_, result) = run_with(
        Lua,
        "pcall(async.all, {\n  function() return test.sleep(5000) end,\n  function() return test.sleep(5000) end,\n})\nprint('after')\n",
        limits,
    );
    let error = result.expect_err("timeout");
    assert_eq!(error.code, "timeout");
    assert_eq!(error.message, "the spell ran past its time limit of 300ms");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn a_busy_task_hits_the_timeout_and_pcall_cannot_swallow_it() {
    let limits = Limits {
        timeout: Some(Duration::from_millis(200)),
        ..Limits::default()
    };
    let (printed, result) = run_with(
        Lua,
        "local ok = pcall(async.all, {
           function() while true do pcall(function() end) end end,
           function() return test.sleep(10) end,
         })
         print('after', ok)",
        limits,
    );
    assert_eq!(result.expect_err("timeout").code, "timeout");
    assert_eq!(printed, "");
}

#[test]
fn the_instruction_budget_and_memory_limit_apply_inside_tasks() {
    let limits = Limits {
        max_instructions: Some(100_000),
        ..Limits::default()
    };
    let (_, result) = run_with(
        Lua,
        "async.all({ function() test.sleep(5); while true do end end })",
        limits,
    );
    assert_eq!(result.expect_err("instructions").code, "instruction_limit");

    let limits = Limits {
        memory: Some(8 << 20),
        ..Limits::default()
    };
    let (_, result) = run_with(
        Lua,
        "async.all({ function()
           test.sleep(5)
           local t = {}
           for i = 1, 1e8 do t[i] = ('x'):rep(64) .. i end
         end })",
        limits,
    );
    assert_eq!(result.expect_err("memory").code, "memory_limit");
    assert_eq!(
        output(
            Lua,
            "print(async.all({ function() return test.sleep(1) end })[1])"
        ),
        "1\n"
    );
}

#[test]
fn cancellation_while_waiting_terminates_the_spell() {
    let (registry, _) = test_registry();
    let cancel = CancelToken::new();
    let options = RunOptions {
        cancel: cancel.clone(),
        ..RunOptions::default()
    };
    let spell = Spell::from_source(
        "test.lua",
        "async.all({ function() return test.sleep(10000) end })",
        Lua,
    );
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        cancel.cancel();
    });
    let started = Instant::now();
    let result = llmspell_runtime::run(spell, Arc::new(registry), options);
    canceller.join().unwrap();
    assert_eq!(result.expect_err("terminated").code, "terminated");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn the_result_passes_to_the_host_as_a_list() {
    let (_, result) = run(
        Lua,
        "return async.all({ function() return test.sleep(1) end, function() return 'b' end })",
    );
    assert_eq!(
        result.unwrap(),
        Value::List(vec![Value::Int(1), Value::Str("b".into())])
    );
}

#[test]
fn a_debugger_steps_into_the_coroutines() {
    let code = "local function work(n)\n  local got = test.sleep(n)\n  return got + 1\nend\nlocal r = async.all({\n  function() return (work(10)) end,\n  function() return (work(20)) end,\n})\nprint(r[1], r[2])\n";
    let (hook, controller) = debug_channel(Resume::StepIn);
    let (registry, output) = test_registry();
    let spell = Spell::from_source("test.lua", code, Lua);
    let options = RunOptions {
        debug: Some(hook),
        ..RunOptions::default()
    };
    let runner =
        std::thread::spawn(move || llmspell_runtime::run(spell, Arc::new(registry), options));
    let mut stops = Vec::new();
    while let Some(stop) = controller.next_stop() {
        let locals: Vec<String> = stop
            .frames
            .first()
            .map(|frame| {
                frame
                    .locals
                    .iter()
                    .map(|(name, value)| format!("{name}={}", value.to_display()))
                    .collect()
            })
            .unwrap_or_default();
        stops.push((stop.event.line, stop.event.depth, locals));
        controller.resume(Resume::StepIn);
    }
    let result = runner.join().unwrap();
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(output.lock().unwrap().as_str(), "11 21\n");
    let lines: Vec<u32> = stops.iter().map(|(line, _, _)| *line).collect();
    // The list's closures are created (6, 7, 8), `async.all` is called (5); both coroutines
    // enter `work` (line 6 then 2, line 7 then 2) before either resumes after its sleep (3, 3).
    assert_eq!(
        lines,
        vec![4, 5, 6, 7, 8, 5, 6, 2, 7, 2, 3, 3, 9],
        "{stops:?}"
    );
    // Depth counts the frames of the coroutine: its function (1) and `work` (2).
    let depths: Vec<usize> = stops[6..12].iter().map(|(_, depth, _)| *depth).collect();
    assert_eq!(depths, vec![1, 2, 1, 2, 2, 2]);
    let in_work: Vec<_> = stops.iter().filter(|(line, _, _)| *line == 3).collect();
    assert_eq!(in_work[0].2, vec!["n=10".to_owned(), "got=10".to_owned()]);
    assert_eq!(in_work[1].2, vec!["n=20".to_owned(), "got=20".to_owned()]);
}

#[test]
fn the_debugger_can_stop_the_spell_inside_a_coroutine() {
    let code = "async.all({\n  function()\n    test.sleep(5)\n    return 1\n  end,\n})\n";
    let (hook, controller) = debug_channel(Resume::StepIn);
    let (registry, _) = test_registry();
    let spell = Spell::from_source("test.lua", code, Lua);
    let options = RunOptions {
        debug: Some(hook),
        ..RunOptions::default()
    };
    let runner =
        std::thread::spawn(move || llmspell_runtime::run(spell, Arc::new(registry), options));
    while let Some(stop) = controller.next_stop() {
        if stop.event.line == 4 {
            controller.resume(Resume::Stop);
        } else {
            controller.resume(Resume::StepIn);
        }
    }
    let error = runner.join().unwrap().expect_err("stopped");
    assert_eq!(error.code, "terminated");
    assert_eq!(error.line, Some(4));
}
