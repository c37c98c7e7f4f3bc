# bash completion for the tempo toolkit (tempo-*).  Installed as
# share/bash-completion/completions/tempo with a link per program.

# _tempo_opts prints the long options of program $1 beyond the common ones.
_tempo_opts()
{
	case $1 in
	tempo-gen)
		echo "--batch --depth --duration --endpoint --error-rate --fanout
		    --header --huge-attr --huge-trace --instances --rate --seed
		    --services --spans --traces --zstd" ;;
	tempo-get)
		echo "--explain --inspect --list" ;;
	tempo-pack)
		echo "--dedicated --max-attr-bytes --max-block-bytes
		    --max-block-duration --max-live-bytes --max-trace-bytes
		    --row-group-bytes --skip-bad --trace-idle --wal" ;;
	tempo-put)
		echo "--endpoint --insecure --retries" ;;
	tempo-ql)
		echo "--ast --check --expr --file --limit --print --query --repl
		    --scope --spss --tag-values --tags --threads" ;;
	tempo-recv)
		echo "--listen --max-body --otlp-http --queue-size --skip-bad
		    --threads --timeout --zipkin" ;;
	esac
}

# _tempo_formats prints the -f values program $1 accepts.
_tempo_formats()
{
	case $1 in
	tempo-get) echo "json proto tree table" ;;
	tempo-ql) echo "json jsonl stream table" ;;
	*) echo "proto json" ;;
	esac
}

_tempo()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local prog=${COMP_WORDS[0]##*/}
	local common="--end --format --help --output --quiet --start --store
	    --tenant --verbose --version"

	COMPREPLY=()
	case $prev in
	-f|--format)
		mapfile -t COMPREPLY < <(compgen -W "$(_tempo_formats "$prog")" -- "$cur")
		return ;;
	-o|--output)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--wal)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	--dedicated)
		mapfile -t COMPREPLY < <(compgen -W "span: resource:" -- "$cur")
		return ;;
	-s|--store)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	-F|--file)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--scope)
		mapfile -t COMPREPLY < <(compgen -W "intrinsic resource span
		    event link instrumentation" -- "$cur")
		return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$common $(_tempo_opts "$prog")" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -F _tempo tempo-gen tempo-get tempo-pack tempo-put tempo-ql tempo-recv
