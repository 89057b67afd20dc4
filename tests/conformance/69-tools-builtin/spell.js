// Built-in tools: calculator, json_query, datetime (deterministic with a timestamp), files.
print(tools.list().map((t) => t.name).join(" "));
print(await tools.call("calculator", { expression: "(2 + 3) * 4 ^ 2" }));
print(await tools.call("calculator", { expression: "7 / 2" }), await tools.call("calculator", { expression: "sqrt(16) + max(1, -5, 2) % 3" }));
const data = { user: { name: "Ada" }, items: [{ n: 1 }, { n: 2 }] };
print(await tools.call("json_query", { data: data, path: "user.name" }));
print(json.encode(await tools.call("json_query", { data: data, path: "items[*].n" })));
print(await tools.call("json_query", { json: "[10, 20, 30]", path: "[-1]" }));
print(await tools.call("datetime", { timestamp: 0, format: "%F %T %A" }));
print(await tools.call("datetime", { timestamp: 1795627157 }));
const written = await tools.call("file_write", { path: "notes/a.txt", content: "hello" });
print(written.path, written.bytes);
print(await tools.call("file_read", { path: "notes/a.txt" }));
print(json.encode(await tools.call("file_list", { dir: "notes" })));
const calc = tools.get("calculator");
print(calc.name, await calc.call({ expression: "-2 ^ 2" }), tools.get("nope") === null);
try { await tools.call("file_read", { path: "../outside.txt" }); } catch (e) { print(e.code); }
try { await tools.call("calculator", { expression: "1 / 0" }); } catch (e) { print(e.code, e.message); }
