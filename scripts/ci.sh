#!/usr/bin/env bash
# CI (what .ci/run runs): make sure PostgreSQL and Redis are up (scripts/services.sh starts
# them if not), then run the README's test command with both required, so that their tests
# fail instead of being skipped. Run it by hand to test as CI does.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/services.sh)"
export ONEWINDOW_TEST_REQUIRE_SERVICES=1

# The shared BPMN corpus and DMN kit sit beside the repository (../shared); conformance tests
# read them from there and fail in CI when they are missing.
for kit in bpmn-corpus:ONEWINDOW_BPMN_CORPUS dmn-tck:ONEWINDOW_DMN_TCK; do
  dir=${kit%%:*} var=${kit##*:}
  if [ -z "${!var:-}" ]; then
    for d in ../shared/$dir ../../shared/$dir /work/shared/$dir; do
      if [ -d "$d" ]; then export "$var=$(cd "$d" && pwd)"; break; fi
    done
  fi
done

# Browser tests (tests/browser_test.go, tests/studio_browser_test.go): Debian's chromium and the
# pinned npm packages of web/ (playwright-core among them); required in CI so that a missing
# browser fails instead of skipping.
# fonts-noto-cjk so that the screenshots show Chinese text rather than empty boxes.
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
(cd web && npm ci --no-audit --no-fund --loglevel=error)
export ONEWINDOW_TEST_REQUIRE_BROWSER=1

go version
make test
