#!/usr/bin/env bash
# Bootstraps a fresh Debian machine that has only the .NET SDK, then hands over to build.ps1.
# Usage: ./build.sh build | test | demo [-Stop] | package
set -euo pipefail
cd "$(dirname "$0")"

task="${1:-build}"
shift || true

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing redis-server and redis-tools from apt..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
    else
        echo "redis-server and redis-cli are needed: install them (apt-get install redis-server redis-tools)." >&2
        [ "$task" = "build" ] || [ "$task" = "package" ] || exit 1
    fi
fi

# The SSH deployment tests start their own sshd and deploy through it; sudo is for the non-root user's path.
if [ ! -x /usr/sbin/sshd ] || ! command -v ssh-keygen >/dev/null 2>&1 || ! command -v sudo >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing openssh-server, openssh-client and sudo from apt..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client sudo >/dev/null
    else
        echo "The SSH deployment tests need sshd, ssh-keygen and sudo: install them (apt-get install openssh-server openssh-client sudo)." >&2
        if [ "$task" = "test" ]; then exit 1; fi
    fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off
dotnet tool restore >/dev/null

case "$task" in
    build)   ps_task=Build ;;
    test)    ps_task=Test ;;
    demo)    ps_task=Demo ;;
    package) ps_task=Package ;;
    *) echo "unknown task '$task' (build, test, demo, package)" >&2; exit 2 ;;
esac
exec dotnet pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 -Task "$ps_task" "$@"
