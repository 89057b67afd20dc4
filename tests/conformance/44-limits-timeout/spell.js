// An endless loop ends with the wall-clock limit; output before it is kept.
print("start");
while (true) {}
