# tok.awk - the bytes of base64url tokens, so that tests/cli/run.sh can
# craft tokens that `authz encode` never prints (empty lists, a bad version,
# bytes after the allow list) with a valid checksum. POSIX awk has no
# bitwise operators: XOR is done a bit at a time.
#
#   awk -v op=bytes -v text=TEXT -f tok.awk   the bytes TEXT stands for, in
#                                             decimal, separated by spaces
#   awk -v op=body -v text=TEXT -f tok.awk    the same without the CRC-32
#   awk -v op=seal -v bytes="B ..." -f tok.awk
#                                             base64url (unpadded) of the
#                                             bytes and their CRC-32
BEGIN {
    A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    if (op == "bytes" || op == "body") {
        acc = 0; bits = 0; n = 0
        for (i = 1; i <= length(text); i++) {
            acc = acc * 64 + index(A, substr(text, i, 1)) - 1
            bits += 6
            if (bits >= 8) {
                bits -= 8
                v[++n] = int(acc / 2 ^ bits)
                acc -= v[n] * 2 ^ bits
            }
        }
        if (op == "body")
            n -= 4
        out = ""
        for (i = 1; i <= n; i++)
            out = out (i > 1 ? " " : "") v[i]
        print out
    } else if (op == "seal") {
        n = split(bytes, v, " ")
        crc = 4294967295
        for (i = 1; i <= n; i++) {
            crc = xor(crc, v[i])
            for (k = 0; k < 8; k++)
                crc = crc % 2 ? xor(int(crc / 2), 3988292384) : int(crc / 2)
        }
        crc = xor(crc, 4294967295)
        for (k = 0; k < 4; k++) { # little-endian
            v[++n] = crc % 256
            crc = int(crc / 256)
        }
        out = ""
        for (i = 1; i + 2 <= n; i += 3) {
            x = v[i] * 65536 + v[i + 1] * 256 + v[i + 2]
            out = out c64(x / 262144) c64(x / 4096) c64(x / 64) c64(x)
        }
        if (n - i == 0)
            out = out c64(v[i] / 4) c64(v[i] * 16)
        else if (n - i == 1) {
            x = v[i] * 256 + v[i + 1]
            out = out c64(x / 1024) c64(x / 16) c64(x * 4)
        }
        print out
    }
}

# The character of the low six bits of int(x).
function c64(x) { return substr(A, int(x) % 64 + 1, 1) }

function xor(a, b,    r, bit) {
    r = 0; bit = 1
    while (a > 0 || b > 0) {
        if (a % 2 != b % 2)
            r += bit
        a = int(a / 2); b = int(b / 2); bit *= 2
    }
    return r
}
