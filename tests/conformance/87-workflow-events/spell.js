// Workflows emit workflow.start/end and workflow.step.start/end with their names.
events.on("workflow.*", (event) => {
  const d = event.data;
  let line = event.name + " " + d.workflow;
  if (d.step) { line = line + " " + d.step; }
  if (d.kind) { line = line + " " + d.kind; }
  if (d.ok !== undefined && d.ok !== null) { line = line + " ok=" + d.ok; }
  if (d.attempts) { line = line + " attempts=" + d.attempts; }
  if (d.error) { line = line + " error=" + d.error.code; }
  print(line);
});
const inner = workflow.sequential({ name: "inner", steps: [(s) => "x"] });
const outer = workflow.sequential({
  name: "outer",
  steps: [
    inner,
    { name: "shaky", run: (s) => { throw new Error("no"); }, on_error: { retry: 1 } },
  ],
});
let ok = true;
try { await outer.run("go"); } catch (e) { ok = false; }
print(ok);
