# Sourced by the scripts: puts the project's tools first on PATH.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$repo_root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
# shellcheck source=versions.env
. "$repo_root/scripts/versions.env"
cd "$repo_root"
