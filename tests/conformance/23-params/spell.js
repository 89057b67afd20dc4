// `-p key=value` parameters arrive as strings in the `params` map.
print(params.topic);
print(params.who);
print(params.expr);
print("[" + params.empty + "]");
print(params.missing);
print(params);
print(json.encode(params));
print(params.topic ?? "default", params.nothing ?? "default");
print(params.count + "1");
