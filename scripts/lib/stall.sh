# Watches a test run's event stream (swift-testing's --event-stream-output-path). When no test has started or
# ended for ACCORD_TEST_STALL_MINUTES (default 10; a full run takes about five), it prints the tests still
# running and every thread's stack, and ends the run, so a stalled run fails with evidence instead of hanging.

tests_still_running() {
    local events=$1
    comm -23 \
        <(sed -n 's/.*"kind":"testStarted".*"testID":"\([^"]*\)".*/\1/p' "$events" | sort -u) \
        <(sed -n 's/.*"kind":"testEnded".*"testID":"\([^"]*\)".*/\1/p' "$events" | sort -u)
}

watch_for_stall() {
    local runner=$1 events=$2
    local limit=$(( ${ACCORD_TEST_STALL_MINUTES:-10} * 60 ))
    local quiet=0 size=-1
    while kill -0 "$runner" 2>/dev/null; do
        sleep 15
        local now
        now=$(stat -c %s "$events" 2>/dev/null || echo 0)
        if [ "$now" != "$size" ]; then size=$now; quiet=0; continue; fi
        quiet=$((quiet + 15))
        [ "$quiet" -ge "$limit" ] || continue
        echo "error: no test started or ended for $((limit / 60)) minutes; the run has stalled. Still running:" >&2
        tests_still_running "$events" | sed -e 's#\\/#/#g' -e 's/^/    /' >&2
        local process
        process=$(pgrep -f 'PackageTests.xctest' | head -1 || true)
        if [ -n "$process" ] && command -v gdb >/dev/null; then
            echo "Threads of the test process $process:" >&2
            gdb -p "$process" -batch -ex 'thread apply all bt 12' 2>/dev/null | grep -E '^Thread|^#[0-9]+ ' | cut -c1-160 >&2 || true
        fi
        [ -n "$process" ] && kill -9 "$process" 2>/dev/null
        return 0
    done
}
