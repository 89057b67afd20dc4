// log.* writes structured records to stderr, never to stdout.
print("before");
log.info("info record from the spell", { key: "value" });
log.warn("warn record from the spell");
log.error("error record from the spell", { count: 7 });
log.debug("debug record from the spell");
print("after");
