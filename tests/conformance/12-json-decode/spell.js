// json.decode gives maps, lists, strings, integers, floats, booleans and nil.
const v = json.decode("{\"name\":\"Ada\",\"age\":36,\"score\":9.5,\"tags\":[\"x\",\"y\"],\"nested\":{\"ok\":true,\"none\":null}}");
print(v.name, v.age, v.score);
print(v.tags);
print(v.nested.ok);
print(v.nested.none);
print(json.decode("42"), json.decode("-7"), json.decode("3.25"), json.decode("\"s\""));
print(json.decode("  [1, [2, [3]]]  "));
print(json.decode("{\"b\":2,\"a\":1}"));
print(json.decode("\"line\\nbreak\""));
print(json.decode("[\"tab\\there\", \"quote\\\"\"]"));
