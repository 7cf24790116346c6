# regula.bash -- bash completion for regula(1), installed by `make install` as
# share/bash-completion/completions/regula. It asks the regula being completed
# for its commands (`regula --help`) and each command's options (`regula CMD
# --help`), so it never lists what that regula lacks; it completes packs
# (directories, .rg and .rgc files), claims files (.jsonl) and option values.

# The commands: the lines "  NAME  summary" of `regula --help` (read in English,
# whatever the language of messages).
_regula_commands() {
    "$1" --lang en --help 2>/dev/null | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'
}

# The options of command CMD: every -x and --word its --help names, and --help.
_regula_options() {
    { "$1" --lang en "$2" --help 2>/dev/null | grep -oE '(^|[][ |,(])--?[a-zA-Z][-a-zA-Z]*' | sed 's/^[][ |,(]//'; echo --help; } | sort -u
}

# Directories, and files ending in one of the extensions given ("rg rgc").
_regula_files() {
    local cur=$1 ext
    shift
    local IFS=$'\n'
    COMPREPLY+=($(compgen -d -S / -- "$cur"))
    for ext in "$@"; do
        COMPREPLY+=($(compgen -f -X "!*.$ext" -- "$cur"))
    done
    compopt -o nospace -o filenames 2>/dev/null
}

_regula() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} regula=${COMP_WORDS[0]}
    COMPREPLY=()
    # --lang LANG may come first: the command is the word after it
    local first=1
    [[ ${COMP_WORDS[1]} == --lang ]] && first=3
    [[ ${COMP_WORDS[1]} == --lang=* ]] && first=2
    if ((COMP_CWORD == first)); then
        COMPREPLY=($(compgen -W "$(_regula_commands "$regula") --help --version --lang" -- "$cur"))
        return
    fi
    local cmd=${COMP_WORDS[first]}
    case $prev in
    --lang) COMPREPLY=($(compgen -W "zh en" -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --only) COMPREPLY=($(compgen -W "settle e2e" -- "$cur")); return ;;
    --passes | --top | --run | --by) return ;;
    --pack) _regula_files "$cur" rg rgc; return ;;
    --out | --html | -o | --allow-extern) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
    --sign) _regula_files "$cur" key; return ;;
    --public-key) _regula_files "$cur" pub; return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_regula_options "$regula" "$cmd")" -- "$cur"))
        return
    fi
    # which operand this word is: the words before it that are not options or their values
    local i n=0
    for ((i = first + 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --lang | --format | --only | --passes | --top | --run | --by | --pack | --out | --html | -o | --allow-extern | \
            --sign | --public-key) ((i++)) ;;
        -*) ;;
        *) ((n++)) ;;
        esac
    done
    case $cmd in
    run | bench) _regula_files "$cur" jsonl ;;
    diff) if ((n < 2)); then _regula_files "$cur" rg rgc; else _regula_files "$cur" jsonl; fi ;;
    test) if ((n < 1)); then _regula_files "$cur" rg rgc; else _regula_files "$cur" rg; fi ;;
    fmt) _regula_files "$cur" rg ;;
    lsp) ;; # started by an editor: no operands
    keygen) ;; # a new name: nothing to complete
    *) _regula_files "$cur" rg rgc ;;
    esac
}

complete -F _regula regula
