#!/usr/bin/env bash
# The project's test command. Extra arguments go to `dotnet test`, e.g. ./test.sh --filter Territory
#
# Tests get a throwaway PostgreSQL in ONEGRID_TEST_POSTGRES (an Npgsql connection string whose
# user may CREATE DATABASE). TRX results land in artifacts/test-results. The last line is always
#   tests: N passed, N failed, N skipped
# The run fails if dotnet test fails or no test ran; with CI=true a skipped test fails it too,
# because on CI a test that silently stopped running is indistinguishable from a deleted one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

results=artifacts/test-results

# Build nodes kept alive for reuse outlive the run, and a CI job waiting on its processes would
# wait for them; a one-shot run gains nothing from them anyway.
export MSBUILDDISABLENODEREUSE=${MSBUILDDISABLENODEREUSE:-1}
export DOTNET_CLI_USE_MSBUILD_SERVER=${DOTNET_CLI_USE_MSBUILD_SERVER:-0}
export DOTNET_NOLOGO=${DOTNET_NOLOGO:-1}
export DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}

# shellcheck source=scripts/lib/browser.sh
source scripts/lib/browser.sh
ensure_browser_tools

# shellcheck source=scripts/lib/pg.sh
source scripts/lib/pg.sh
start_throwaway_postgres onegrid-pg
export ONEGRID_TEST_POSTGRES=$PG_CONNECTION

# Stale TRX files from an earlier run would be counted as this run's results.
rm -rf "$results"
mkdir -p "$results"

args=(test OneGrid.slnx -c Release --logger trx --results-directory "$results")
# On CI, restore exactly what the lock files pin, and fail if they are out of date.
[[ ${CI:-} != true ]] || args+=(-p:RestoreLockedMode=true)
rc=0
dotnet "${args[@]}" "$@" || rc=$?

# Stopped here rather than left to the trap, so the summary really is the last line.
stop_postgres

mapfile -t trx < <(find "$results" -name '*.trx' -type f)

# Sums the <Counters .../> of every TRX file; VSTest writes that element on one line.
# xUnit's skipped tests are counted neither in "executed" nor in "notExecuted", so skipped is
# total - executed, and anything executed that did not pass counts as failed.
read -r total executed passed < <(
    cat /dev/null "${trx[@]}" | awk '
        /<Counters / {
            for (i = 1; i <= NF; i++)
                if (split($i, kv, "=") == 2) { gsub(/[^0-9]/, "", kv[2]); n[kv[1]] += kv[2] }
        }
        END { print n["total"] + 0, n["executed"] + 0, n["passed"] + 0 }'
)
failed=$((executed - passed))
skipped=$((total - executed))

# Names (and reasons) of tests with outcome NotExecuted, one per line.
list_skipped() {
    cat /dev/null "${trx[@]}" | awk '
        function unxml(s) {
            gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s)
            gsub(/&apos;/, "\047", s); gsub(/&amp;/, "\\&", s); return s
        }
        /<UnitTestResult / && /outcome="NotExecuted"/ {
            name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name); name = unxml(name)
            reason = ""; open = ($0 !~ /\/>[ \t\r]*$/)
            if (!open) print "  " name
            next
        }
        open && /<Message>/ && reason == "" {
            reason = $0; sub(/.*<Message>/, "", reason); sub(/<\/Message>.*/, "", reason); reason = unxml(reason)
        }
        open && /<\/UnitTestResult>/ {
            print "  " name (reason == "" ? "" : " (" reason ")"); open = 0
        }'
}

status=0
if ((rc != 0)); then
    echo "test.sh: dotnet test failed (exit $rc)" >&2
    status=1
fi
if ((executed == 0)); then
    echo "test.sh: no test ran" >&2
    status=1
fi
if [[ ${CI:-} == true ]] && ((skipped > 0)); then
    echo "test.sh: CI=true and $skipped test(s) were skipped or not executed:" >&2
    list_skipped >&2
    status=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
