-- Files prepared in the workspace before the run are readable and listable.
print(fs.read("data/in.txt"))
print(fs.exists("data/in.txt"), fs.exists("data"), fs.exists("data/nope.txt"))
print(fs.list("data"))
print(fs.read("data/other.txt") .. "!")
print(#fs.list("data"))
