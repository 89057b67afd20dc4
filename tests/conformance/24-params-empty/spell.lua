-- Without -p, `params` is an empty map.
print(params)
print(json.encode(params))
print(params.topic)
print(params.topic or "world")
