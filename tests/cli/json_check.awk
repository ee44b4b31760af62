# json_check.awk - exits 0 when the input is exactly one line holding one
# JSON value (RFC 8259 grammar; the bytes inside strings are not checked as
# UTF-8), else 1. So the tests need no JSON tool: awk is in every Debian.
#
#   awk -f json_check.awk < output

function skip_ws() {
    while (pos <= n && (substr(s, pos, 1) == " " || substr(s, pos, 1) == "\t"))
        pos++
}

function value(    c) {
    skip_ws()
    c = substr(s, pos, 1)
    if (c == "{")
        return object()
    if (c == "[")
        return array()
    if (c == "\"")
        return string()
    if (c == "-" || (c >= "0" && c <= "9"))
        return number()
    if (substr(s, pos, 4) == "true" || substr(s, pos, 4) == "null") {
        pos += 4
        return 1
    }
    if (substr(s, pos, 5) == "false") {
        pos += 5
        return 1
    }
    return 0
}

function object(    c) {
    pos++
    skip_ws()
    if (substr(s, pos, 1) == "}") {
        pos++
        return 1
    }
    for (;;) {
        skip_ws()
        if (!string())
            return 0
        skip_ws()
        if (substr(s, pos, 1) != ":")
            return 0
        pos++
        if (!value())
            return 0
        skip_ws()
        c = substr(s, pos++, 1)
        if (c == "}")
            return 1
        if (c != ",")
            return 0
    }
}

function array(    c) {
    pos++
    skip_ws()
    if (substr(s, pos, 1) == "]") {
        pos++
        return 1
    }
    for (;;) {
        if (!value())
            return 0
        skip_ws()
        c = substr(s, pos++, 1)
        if (c == "]")
            return 1
        if (c != ",")
            return 0
    }
}

function string(    c, e) {
    if (substr(s, pos, 1) != "\"")
        return 0
    pos++
    for (;;) {
        if (pos > n)
            return 0
        c = substr(s, pos, 1)
        if (c == "\"") {
            pos++
            return 1
        }
        if (c == "\\") {
            e = substr(s, pos + 1, 1)
            if (index("\"\\/bfnrt", e) > 0 && e != "") {
                pos += 2
            } else if (e == "u" &&
                       substr(s, pos + 2, 4) ~ /^[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]$/) {
                pos += 6
            } else {
                return 0
            }
            continue
        }
        if (c < " ")    # a raw control byte (LC_ALL=C compares bytes)
            return 0
        pos++
    }
}

function number() {
    if (!match(substr(s, pos), /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/))
        return 0
    pos += RLENGTH
    return 1
}

{
    lines++
    s = $0
    n = length(s)
    pos = 1
    if (!value()) {
        bad = 1
        exit
    }
    skip_ws()
    if (pos <= n) {
        bad = 1
        exit
    }
}

END {
    exit (bad || lines != 1) ? 1 : 0
}
