#!/usr/bin/env bash
# The layering of DESIGN.md and issue 12 item 3, checked on the includes themselves:
# - each layer includes only the layers below it (core at the bottom; common above core; hal/logic alone;
#   hal/io above common; app above core, common and hal; the host tool above all but the daemon's inside);
# - the daemon's files are seen from outside only through app/daemon/daemon.h, and only by main.c;
# - no include cycle between files (a .c and its .h are one unit), none between the host tool's folders.
# A rule broken prints the file and the include that breaks it.
set -u
cd "$(dirname "$0")/../.."
passed=0 failed=0
check() { if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi; }
command -v tsort >/dev/null || { echo "SKIP: no tsort" >&2; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "file include" pairs for every project include (quoted, with a folder) in the given trees.
includes() { grep -rHo --include='*.[ch]' '^#include "[a-z_]*/[^"]*"' "$@" | sed 's/:#include "/ /; s/"$//'; }

# Layer rule: files under $1 may include only headers under the listed prefixes.
layer() {
	local dir=$1; shift
	local allowed bad
	allowed=$(printf '%s\n' "$@" | sed 's/[.]/[.]/g; s/^/^/' | paste -sd'|')
	bad=$(includes "$dir" | awk -v ok="$allowed" '$2 !~ ok { print "    " $1 " includes " $2 }')
	[ -n "$bad" ] && printf '%s\n' "$bad" >&2
	check "$dir includes only ${*}" $([ -z "$bad" ]; echo $?)
}
layer firmware/core core/
layer firmware/common common/ core/
layer hal/logic hal/logic/ common/
layer hal/io hal/io/ common/
layer firmware/app app/ core/ common/ hal/
layer tools/edgebox tools/edgebox/ app/ core/ common/ hal/

# The daemon's inside: only its own files, and main.c through daemon.h.
bad=$(includes firmware tools hal | awk '$2 ~ /^app\/daemon\// && $1 !~ /^firmware\/app\/daemon\// &&
	!($1 == "firmware/app/main.c" && $2 == "app/daemon/daemon.h")')
[ -n "$bad" ] && printf '    %s\n' "$bad" >&2
check "app/daemon/ is reached only through daemon.h from main.c" $([ -z "$bad" ]; echo $?)

# A unit is a path without its extension: a .c and its .h are one unit, and an include points from the
# unit of the file to the unit of the header (firmware/ and the repository root are both include roots).
# A header with no .c of its own that includes X.h and is included by X.c is X's private header (e.g.
# journal_internal.h, gpio_backend.h): it is counted as part of X. Self-edges are dropped.
unit_edges() {
	includes firmware hal tools | awk '{
		from = $1; sub(/\.[ch]$/, "", from)
		to = $2; sub(/\.h$/, "", to)
		if (to !~ /^(hal|tools)\//) to = "firmware/" to
		if (from != to) print from, to
	}' | sort -u > "$tmp/edges"
	find firmware hal tools -name '*.c' | sed 's/\.c$//' | sort > "$tmp/with_c"
	awk 'FNR == NR { has_c[$1] = 1; next } { e[$1 " " $2] = 1; out[$1] = out[$1] " " $2; list[++n] = $0 }
	END {
		for (h in out) if (!(h in has_c)) {
			k = split(out[h], to, " ")
			for (i = 1; i <= k; i++) if ((to[i] in has_c) && ((to[i] " " h) in e)) owner[h] = to[i]
		}
		for (i = 1; i <= n; i++) {
			split(list[i], p, " ")
			a = (p[1] in owner) ? owner[p[1]] : p[1]; b = (p[2] in owner) ? owner[p[2]] : p[2]
			if (a != b) print a, b
		}
	}' "$tmp/with_c" "$tmp/edges" | sort -u
}
# tsort reports a cycle on stderr ("input contains a loop") with its members.
cycles=$(unit_edges | tsort 2>&1 >/dev/null | grep -v 'input contains a loop' | sed 's/^tsort: //')
[ -n "$cycles" ] && printf '    in a cycle: %s\n' $cycles >&2
check "no include cycle between files" $([ -z "$cycles" ]; echo $?)

folders=$(includes tools/edgebox | awk '{
	split($1, a, "/"); split($2, b, "/")
	if (b[1] == "tools" && a[3] != b[3]) print a[3], b[3]
}' | sort -u)
cycles=$(printf '%s\n' "$folders" | sed '/^$/d' | tsort 2>&1 >/dev/null | grep -v 'input contains a loop' | sed 's/^tsort: //')
[ -n "$cycles" ] && printf '    tools/edgebox folders in a cycle: %s\n' $cycles >&2
check "no cycle between the host tool's folders" $([ -z "$cycles" ]; echo $?)
check "the host tool has its folders" $([ "$(printf '%s\n' "$folders" | wc -l)" -ge 3 ]; echo $?)

echo "$passed passed, $failed failed, 0 skipped"
[ $failed = 0 ]
