//! Lua engine: the sandbox. Every escape attempt fails with Lua's usual "nil" behaviour or a
//! `sandbox_denied` error, never a crash, and nothing a spell does reaches the host or the next
//! spell.

mod common;

use std::time::Duration;

use common::{output, run, run_with};
use llmspell_runtime::EngineKind::Lua;
use llmspell_runtime::Limits;

/// Runs `attempt` inside `pcall` and prints whether it worked and what it raised.
fn attempt(code: &str) -> String {
    let wrapped = format!(
        "local ok, e = pcall(function()\n{code}\nend)\nprint(ok, type(e) == 'table' and e.code or tostring(e))"
    );
    output(Lua, &wrapped)
}

#[test]
fn removed_globals_are_plain_nils() {
    let printed = output(
        Lua,
        r#"
        print(io, debug, package, require, dofile, loadfile, module, rawget(_G, "io"), _G.debug)
        print(os.execute, os.exit, os.getenv, os.remove, os.rename, os.tmpname, string.dump)
        print(type(os.time()), type(os.clock()), type(os.date("%Y")))
        "#,
    );
    assert_eq!(
        printed,
        "nil nil nil nil nil nil nil nil nil\nnil nil nil nil nil nil nil\nnumber number string\n"
    );
}

#[test]
fn io_open_fails() {
    assert_eq!(
        attempt("return io.open('/etc/passwd')"),
        "false test.lua:2: attempt to index a nil value (global 'io')\n"
    );
}

#[test]
fn os_execute_and_friends_fail() {
    assert_eq!(
        attempt("return os.execute('echo pwned')"),
        "false test.lua:2: attempt to call a nil value (field 'execute')\n"
    );
    assert_eq!(
        attempt("return os.getenv('HOME')"),
        "false test.lua:2: attempt to call a nil value (field 'getenv')\n"
    );
    assert_eq!(
        attempt("os.exit(1)"),
        "false test.lua:2: attempt to call a nil value (field 'exit')\n"
    );
}

#[test]
fn require_dofile_and_loadfile_fail() {
    assert_eq!(
        attempt("return require('os')"),
        "false test.lua:2: attempt to call a nil value (global 'require')\n"
    );
    assert_eq!(
        attempt("return dofile('/etc/passwd')"),
        "false test.lua:2: attempt to call a nil value (global 'dofile')\n"
    );
    assert_eq!(
        attempt("return loadfile('/etc/passwd')"),
        "false test.lua:2: attempt to call a nil value (global 'loadfile')\n"
    );
}

#[test]
fn package_loadlib_fails() {
    assert_eq!(
        attempt("return package.loadlib('libc.so.6', 'system')"),
        "false test.lua:2: attempt to index a nil value (global 'package')\n"
    );
}

#[test]
fn binary_chunks_cannot_be_loaded() {
    assert_eq!(
        attempt("return string.dump(function() end)"),
        "false test.lua:2: attempt to call a nil value (field 'dump')\n"
    );
    // A hand-made binary chunk, even when `load` is asked for binary mode.
    let printed = output(
        Lua,
        r#"
        local f, message = load("\27Lua\84\0\25\147\13\10\26\10\4\8\8", "x", "b")
        print(f, message)
        local g, message2 = load(function() return nil end, "=empty", "bt")
        print(type(g), message2)
        print(load("return 1 + 1")())
        print(load("return x", "=env", "t", { x = "own env" })())
        "#,
    );
    assert_eq!(
        printed,
        "nil attempt to load a binary chunk (mode is 't')\nfunction nil\n2\nown env\n"
    );
}

#[test]
fn the_debug_library_is_gone() {
    assert_eq!(
        attempt("debug.sethook(function() end, '', 1)"),
        "false test.lua:2: attempt to index a nil value (global 'debug')\n"
    );
    assert_eq!(
        attempt("return debug.getregistry()"),
        "false test.lua:2: attempt to index a nil value (global 'debug')\n"
    );
    // Nothing reachable from the globals leads back to it.
    let printed = output(
        Lua,
        r#"
        local found = {}
        local seen = {}
        local function walk(t, path, depth)
          if seen[t] or depth > 3 then return end
          seen[t] = true
          for k, v in pairs(t) do
            if v == nil then
            elseif type(v) == "table" then walk(v, path .. "." .. tostring(k), depth + 1)
            elseif k == "getlocal" or k == "sethook" or k == "getregistry" or k == "loadlib" then
              found[#found + 1] = path .. "." .. k
            end
          end
        end
        walk(_G, "_G", 0)
        print(#found)
        "#,
    );
    assert_eq!(printed, "0\n");
}

#[test]
fn collectgarbage_is_limited_to_harmless_options() {
    let printed = output(
        Lua,
        r#"
        print(type(collectgarbage("count")), collectgarbage("collect"), type(collectgarbage("step")))
        print(collectgarbage())
        for _, option in ipairs({ "stop", "restart", "setpause", "setstepmul", "incremental", "generational" }) do
          local ok, e = pcall(collectgarbage, option)
          print(option, ok, e.code, e.message)
        end
        "#,
    );
    assert_eq!(
        printed.lines().collect::<Vec<_>>(),
        vec![
            "number 0 boolean",
            "0",
            "stop false sandbox_denied collectgarbage('stop') is not allowed in a spell",
            "restart false sandbox_denied collectgarbage('restart') is not allowed in a spell",
            "setpause false sandbox_denied collectgarbage('setpause') is not allowed in a spell",
            "setstepmul false sandbox_denied collectgarbage('setstepmul') is not allowed in a spell",
            "incremental false sandbox_denied collectgarbage('incremental') is not allowed in a spell",
            "generational false sandbox_denied collectgarbage('generational') is not allowed in a spell",
        ]
    );
}

#[test]
fn the_string_metatable_is_hidden_and_tampering_stays_in_the_spell() {
    assert_eq!(
        attempt("getmetatable('').__index = function() return 'pwned' end"),
        "false test.lua:2: attempt to index a boolean value\n"
    );
    assert_eq!(
        attempt("setmetatable('', {})"),
        "false test.lua:2: bad argument #1 to 'setmetatable' (table expected, got string)\n"
    );
    // What a spell does to its own `string` table changes nothing outside it.
    let printed = output(
        Lua,
        "string.upper = function() return 'pwned' end\nprint(('x'):upper(), test.echo('ok'))",
    );
    assert_eq!(printed, "pwned ok\n");
    assert_eq!(output(Lua, "print(('x'):upper())"), "X\n");
}

#[test]
fn host_metatables_are_protected() {
    let printed = output(
        Lua,
        r#"
        print(getmetatable(test.counter("c")), getmetatable(test.echo({1})))
        local ok, e = pcall(function() local _, e = pcall(test.fail, "x", "y") return getmetatable(e) end)
        print(ok, e)
        print(pcall(setmetatable, test.echo({1}), {}))
        "#,
    );
    assert_eq!(
        printed,
        "false false\ntrue false\nfalse cannot change a protected metatable\n"
    );
}

#[test]
fn finalizers_are_refused() {
    // Lua runs `__gc` with hooks off: a looping finalizer could never be stopped.
    let printed = output(
        Lua,
        r#"
        local ok, e = pcall(setmetatable, {}, { __gc = function() while true do end end })
        print(ok, e.code, e.message)
        print(type(setmetatable({}, { __index = {} })))
        "#,
    );
    assert_eq!(
        printed,
        "false sandbox_denied __gc metamethods are not allowed in a spell\ntable\n"
    );
}

#[test]
fn print_goes_to_the_host_not_stdout() {
    let (printed, result) = run(Lua, "print('through the host')");
    assert!(result.is_ok());
    assert_eq!(printed, "through the host\n");
}

#[test]
fn replacing_globals_and_env_only_affects_the_spell() {
    let (_, result) = run(Lua, "_ENV = nil\nreturn 1");
    assert!(result.is_ok());
    let (_, result) = run(
        Lua,
        "pcall = nil\nerror = nil\ntest = nil\nprint = nil\nlocal x = undefined_thing\nreturn x",
    );
    assert!(result.is_ok());
    assert_eq!(output(Lua, "print(pcall(test.add, 1, 2))"), "true 3\n");
}

#[test]
fn odd_library_calls_fail_cleanly() {
    assert_eq!(
        attempt("return os.date('%Ez')"),
        "false test.lua:2: bad argument #1 to 'date' (invalid conversion specifier '%Ez')\n"
    );
    assert_eq!(attempt("return string.rep('x', -1)"), "true \n");
    assert_eq!(
        attempt("return string.format('%d', 'x')"),
        "false test.lua:2: bad argument #2 to 'format' (number expected, got string)\n"
    );
    let (_, result) = run_with(
        Lua,
        "local s = string.rep('ab', 1 << 26)",
        Limits {
            memory: Some(8 << 20),
            ..Limits::default()
        },
    );
    assert_eq!(result.unwrap_err().code, "memory_limit");
}

#[test]
fn a_spell_cannot_outlive_its_timeout_through_the_wrappers() {
    // Replacing the wrappers or the string library does not reopen a way around the limits.
    let (_, result) = run_with(
        Lua,
        "local p = pcall\npcall = function(f) return p(f) end\nwhile true do pcall(function() while true do end end) end",
        Limits {
            timeout: Some(Duration::from_millis(100)),
            ..Limits::default()
        },
    );
    assert_eq!(result.unwrap_err().code, "timeout");
}

#[test]
fn wrapped_library_functions_report_errors_like_the_originals() {
    let printed = output(
        Lua,
        r#"
        print(pcall(setmetatable, 1, {}))
        print(pcall(function() setmetatable({}, 1) end))
        print(pcall(load, {}))
        print(pcall(function() collectgarbage("step", "x") end))
        print(pcall(function() xpcall(print) end))
        print(pcall(function() coroutine.resume(1) end))
        print(pcall(coroutine.close, "x"))
        "#,
    );
    assert_eq!(
        printed.lines().collect::<Vec<_>>(),
        vec![
            "false bad argument #1 to 'setmetatable' (table expected, got number)",
            "false test.lua:3: bad argument #2 to 'setmetatable' (nil or table expected, got number)",
            "false bad argument #1 to 'load' (function expected, got table)",
            "false test.lua:5: bad argument #2 to 'collectgarbage' (number expected, got string)",
            "false test.lua:6: bad argument #2 to 'xpcall' (function expected, got nil)",
            "false test.lua:7: bad argument #1 to 'resume' (coroutine expected, got number)",
            "false bad argument #1 to 'close' (coroutine expected, got string)",
        ]
    );
}
