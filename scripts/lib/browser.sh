# shellcheck shell=bash
# Sourced by ./test.sh: what the browser tests and the build's front-end restore need on a fresh machine.
#   - npm (the build restores Leaflet and ECharts with `npm ci`)
#   - Debian's Chromium, which Playwright drives (Playwright's own browser download cannot work here)
#   - a CJK font, or Chinese text renders as empty boxes in screenshots
# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

ensure_browser_tools() {
    local missing=()
    command -v npm >/dev/null || missing+=(nodejs npm)
    [[ -x ${ONEGRID_CHROMIUM:-/usr/bin/chromium} ]] || missing+=(chromium)
    fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy' || missing+=(fonts-wqy-microhei fontconfig)
    if ((${#missing[@]})); then
        apt_install "${missing[@]}"
    fi
}
