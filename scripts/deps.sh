# Sourced by scripts/test.sh and scripts/demo.sh: the Debian packages the
# project needs, installed when run as root, otherwise the exact line to run.
# usage: need_packages PKG...
need_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages; run as root:" >&2
		echo "  apt-get install -y ${missing[*]}" >&2
		return 1
	fi
	echo "installing: ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq > /dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null || {
		echo "apt-get install -y ${missing[*]} failed" >&2
		return 1
	}
}

# nettle (over gmp) and jansson: the Mercure hub's JWTs, linked statically
BUILD_PACKAGES="gcc make libc6-dev zlib1g-dev libfcgi-dev pkg-config nettle-dev libgmp-dev libjansson-dev"
SERVER_PACKAGES="lighttpd apache2 nginx curl"
# acl: setfacl, for t1220-perms (the ACL case of doc/publishing.md);
# php-symfony-mercure: the real publisher of t3820 (Symfony's Hub, Update)
TEST_PACKAGES="bats strace procps psmisc python3 acl php-cli php-symfony-mercure"
# The browser acceptance suites (t3xxx): Debian's chromium, and node to run
# playwright-core (test/browser/package.json, installed there by npm ci).
BROWSER_PACKAGES="chromium nodejs"
# The hardening tests (test/harden/): libFuzzer targets built by clang,
# valgrind's memcheck on short runs of each program.
HARDEN_PACKAGES="clang libclang-rt-14-dev valgrind"

# need_npm: npm comes with nodesource's nodejs, separately with Debian's.
need_npm() {
	command -v npm > /dev/null || need_packages npm
}
