//! Members of host modules and host objects that a spell reads or calls, known or not: what the
//! editor needs to flag `agent.craete` and to colour the host API.

mod common;

use expect_test::{Expect, expect};
use llmspell_syntax::{HostOwner, Language, analyze, parse};

/// Every host access: owner, member with its position, the object's range, and whether it is
/// called.
fn check_accesses(language: Language, fixture: &str, expect: Expect) {
    let (text, _) = common::cursor(fixture);
    let analysis = analyze(&parse(language, &text), &common::host_api());
    let mut actual = String::new();
    for access in &analysis.host_accesses {
        let owner = match &access.owner {
            HostOwner::Module(name) => format!("module {name}"),
            HostOwner::Object(type_name) => format!("object {type_name}"),
        };
        actual += &format!(
            "{owner} .{} @{} object {}{}\n",
            access.member,
            common::range(&text, access.member_range),
            common::range(&text, access.object_range),
            if access.called { " called" } else { "" },
        );
        if access.assigned {
            actual.insert_str(actual.len() - 1, " assigned");
        }
    }
    expect.assert_eq(&actual);
}

#[test]
fn lua_known_and_unknown_members_of_modules_and_objects() {
    check_accesses(
        Language::Lua,
        r#"local a = agent.craete{ name = "x" }
local b = agent.create{ name = "y" }
b:run("hi")
b:rnu("hi")
print(b.name, spell.name)
local f = agent.create
"#,
        expect![[r#"
            module agent .craete @1:17-1:23 object 1:11-1:16 called
            module agent .create @2:17-2:23 object 2:11-2:16 called
            object Agent .run @3:3-3:6 object 3:1-3:2 called
            object Agent .rnu @4:3-4:6 object 4:1-4:2 called
            object Agent .name @5:9-5:13 object 5:7-5:8
            module agent .create @6:17-6:23 object 6:11-6:16
        "#]],
    );
}

#[test]
fn lua_shadowed_modules_and_untyped_values_are_not_host_accesses() {
    check_accesses(
        Language::Lua,
        r#"local agent = { craete = 1 }
print(agent.craete)
local t = {}
t.x = 1
string.format("%d", 1)
"#,
        expect![""],
    );
}

#[test]
fn lua_chained_call_on_a_host_result() {
    check_accesses(
        Language::Lua,
        "state.create({}):sett(\"k\", 1)\nfunction agent.helper() end\nagent.x, y = 1, 2\n",
        expect![[r#"
            module state .create @1:7-1:13 object 1:1-1:6 called
            object State .sett @1:18-1:22 object 1:1-1:17 called
            module agent .helper @2:16-2:22 object 2:10-2:15 assigned
            module agent .x @3:7-3:8 object 3:1-3:6 assigned
        "#]],
    );
}

#[test]
fn javascript_members_of_modules_and_objects() {
    check_accesses(
        Language::JavaScript,
        r#"const a = agent.create({ name: "x" });
await a.rnu("hi");
console.log(a.name);
const x = Agent.craete;
function f(agent) { return agent.craete(); }
const c = new Agent({ name: "c" });
c.rnu("x");
"#,
        expect![[r#"
            module agent .create @1:17-1:23 object 1:11-1:16 called
            object Agent .rnu @2:9-2:12 object 2:7-2:8 called
            object Agent .name @3:15-3:19 object 3:13-3:14
            module Agent .craete @4:17-4:23 object 4:11-4:16
            module Agent .new @6:11-6:14 object 6:15-6:20 called
            object Agent .rnu @7:3-7:6 object 7:1-7:2 called
        "#]],
    );
}

#[test]
fn rhai_members_fields_and_paths() {
    check_accesses(
        Language::Rhai,
        r#"let a = agent.craete(#{ name: "x" });
let b = agent::create(#{ name: "y" });
b.rnu("hi");
print(spell.name);
fn helper() { agent.list() }
"#,
        expect![[r#"
            module agent .craete @1:15-1:21 object 1:9-1:14 called
            module agent .create @2:16-2:22 object 2:9-2:14 called
            object Agent .rnu @3:3-3:6 object 3:1-3:2 called
            module agent .list @5:21-5:25 object 5:15-5:20 called
        "#]],
    );
}
