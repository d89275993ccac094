#!/usr/bin/env bash
# Checks that a built engine module is what the product promises: it contains simd128
# instructions, and its memory is shared (the threaded build: `shared`) or not (the
# single-threaded build: `unshared`). A few lines of Python read the binary, so no extra tool
# is needed. Usage: check-wasm.sh FILE shared|unshared
set -euo pipefail
python3 - "$1" "$2" <<'PY'
import sys

path, expected = sys.argv[1], sys.argv[2]
assert expected in ("shared", "unshared"), "usage: check-wasm.sh FILE shared|unshared"
data = open(path, "rb").read()
assert data[:4] == b"\0asm", f"{path} is not a wasm module"

def leb(buf, i):
    value = shift = 0
    while True:
        b = buf[i]; i += 1
        value |= (b & 0x7F) << shift; shift += 7
        if b < 0x80:
            return value, i

def limits(buf, j):
    flags = buf[j]; j += 1
    _, j = leb(buf, j)
    if flags & 1:
        _, j = leb(buf, j)
    return flags, j

shared_memory, code, i = False, b"", 8
# An unshared memory may be defined by the module itself (section 5): that is never shared.
while i < len(data):
    section = data[i]
    size, i = leb(data, i + 1)
    body = data[i:i + size]
    if section == 2:  # imports
        count, j = leb(body, 0)
        for _ in range(count):
            for _ in range(2):  # module and field names
                n, j = leb(body, j); j += n
            kind = body[j]; j += 1
            if kind == 0:   # function: type index
                _, j = leb(body, j)
            elif kind == 1:  # table: element type, limits
                _, j = limits(body, j + 1)
            elif kind == 2:  # memory: limits; bit 1 of the flags = shared
                flags, j = limits(body, j)
                shared_memory |= bool(flags & 2)
            elif kind == 3:  # global: value type, mutability
                j += 2
            else:
                break
    elif section == 10:
        code = body
    i += size

# simd128 opcodes are 0xFD-prefixed: f32x4.add is FD E4 01, f32x4.mul FD E6 01. Counting the
# byte patterns can over-count (immediates), never under-count a module that has none.
simd_ops = code.count(b"\xfd\xe4\x01") + code.count(b"\xfd\xe6\x01")
print(f"{path}: imports a shared memory: {shared_memory}; f32x4.add/mul patterns: {simd_ops}")
if expected == "shared":
    assert shared_memory, "the threaded engine must import a shared memory"
else:
    assert not shared_memory, "the single-threaded engine must not use a shared memory"
assert simd_ops > 0, "the engine must contain simd128 instructions"
PY
