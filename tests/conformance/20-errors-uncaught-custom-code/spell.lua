-- A thrown table/object/map with a string `code` ends the spell with that code and message.
print("before")
error({ code = "quota_exceeded", message = "out of quota" })
print("after")
