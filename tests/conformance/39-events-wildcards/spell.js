// `*` matches any run of characters (dots included); patterns without `*` match exactly.
events.on("job.*", (e) => print("job.*", e.name));
events.on("*.done", (e) => print("*.done", e.name));
events.on("job.build.*", (e) => print("job.build.*", e.name));
events.on("exact", (e) => print("exact", e.name));
events.on("a.*.c", (e) => print("a.*.c", e.name));
events.emit("job.start");
events.emit("job.done");
events.emit("deploy.done");
events.emit("job.build.step");
events.emit("exact");
events.emit("exactly");
events.emit("not.exact");
events.emit("a.b.c");
events.emit("a.c");
events.emit("nothing.matches");
print("end");
