#!/usr/bin/env bats
# options.bats: what every program promises about its command line
# (DESIGN.md §1, STYLE.md §6 and §10): --help, --version, usage errors, and
# every long option documented in the man page and both completions.
load helper

programs() {
	local p
	for p in "$TQ_BUILD"/bin/tempo-*; do basename "$p"; done
}

@test "options: every program has a man page" {
	local p missing=""
	for p in $(programs); do
		[ -f "$TQ_TOP/man/$p.1" ] || missing="$missing $p"
	done
	[ -z "$missing" ] || fail "no man page for:$missing"
}

@test "options: -h and --help print usage on stdout and exit 0" {
	local p
	for p in $(programs); do
		run -0 --separate-stderr "$p" --help
		[[ $output == *"usage: $p"* ]] || fail "$p --help: no usage line"
		[ -z "$stderr" ] || fail "$p --help wrote to stderr: $stderr"
		run -0 --separate-stderr "$p" -h
		[[ $output == *"usage: $p"* ]] || fail "$p -h: no usage line"
	done
}

@test "options: -V and --version print the name and version" {
	local p want
	want=$(sed -n 's/^VERSION = //p' "$TQ_TOP/Makefile")
	for p in $(programs); do
		run -0 --separate-stderr "$p" --version
		[ "$output" = "$p $want" ] || fail "$p --version printed '$output'"
		run -0 --separate-stderr "$p" -V
		[ "$output" = "$p $want" ] || fail "$p -V printed '$output'"
	done
}

@test "options: an unknown option is a usage error (exit 2, usage on stderr)" {
	local p
	for p in $(programs); do
		run -2 --separate-stderr "$p" --no-such-option
		[ -z "$output" ] || fail "$p wrote to stdout on a usage error"
		[[ $stderr == *"usage: $p"* ]] || fail "$p: no usage on stderr: $stderr"
	done
}

@test "options: every long option in --help is in the man page and both completions" {
	local p o missing=""
	for p in $(programs); do
		for o in $("$p" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
			grep -q -- "Fl ${o#-}\\b" "$TQ_TOP/man/$p.1" ||
				missing="$missing $p:$o(man)"
			grep -q -- "$o\\b" "$TQ_TOP/completions/tempo.bash" ||
				missing="$missing $p:$o(bash)"
			grep -q -- "$o\\b" "$TQ_TOP/completions/_tempo" ||
				missing="$missing $p:$o(zsh)"
		done
	done
	[ -z "$missing" ] || fail "undocumented:$missing"
}

@test "options: man pages pass mandoc -Tlint" {
	run mandoc -Tlint -W warning "$TQ_TOP"/man/*.[157]
	[ "$status" -eq 0 ] || fail "$output"
}

@test "options: bash completion offers each program's options and formats" {
	local p o
	source "$TQ_TOP/completions/tempo.bash"
	for p in $(programs); do
		for o in $("$p" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
			COMP_WORDS=("$p" "${o:0:5}")
			COMP_CWORD=1
			_tempo
			[[ " ${COMPREPLY[*]} " == *" $o "* ]] ||
				fail "$p ${o:0:5}<TAB> does not offer $o: ${COMPREPLY[*]}"
		done
	done
	COMP_WORDS=(tempo-recv -f j)
	COMP_CWORD=2
	_tempo
	[ "${COMPREPLY[*]}" = json ] || fail "-f j<TAB> gave ${COMPREPLY[*]}"
}

@test "options: the zsh completion parses" {
	run -0 zsh -n "$TQ_TOP/completions/_tempo"
}
