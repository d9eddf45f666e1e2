# Lesson 5 of sigtui: a shell script that starts two sleeps.
# sigtui runs it as `/bin/sh groups.sh` in a new process group, with its
# lifeline as stdin and its report pipe as stdout (JSON lines).
sleep 600 </dev/null >/dev/null 2>&1 &
first=$!
sleep 601 </dev/null >/dev/null 2>&1 &
second=$!
printf '{"v":1,"type":"spawned","pid":%d,"name":"sleep"}\n' "$first" "$second"
printf '{"v":1,"type":"ready","pid":%d,"about":"a shell script; it started two sleeps"}\n' "$$"
# Where a script would `wait`, this one reads its lifeline: `read` returns at
# end of file, when sigtui leaves the lesson or is gone; the sleeps end too.
read -r _ || true
kill "$first" "$second" 2>/dev/null
exit 0
