# shellcheck shell=bash
# Sourced by the scripts in scripts/: installs Debian packages a fresh CI machine may lack.
# Everything goes to stderr, because callers reserve stdout for what they print on purpose.

apt_install() {
    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "apt: need root (or sudo) to install: $*" >&2; return 1; }
        sudo=(sudo)
    fi
    # CI has no stdin and nobody to answer debconf questions.
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0)
    echo "apt: installing $*" >&2
    "${apt[@]}" update >&2
    "${apt[@]}" install --no-install-recommends "$@" >&2
}
