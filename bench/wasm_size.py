"""Where a WebAssembly module's bytes go (not a test): section sizes raw and gzipped, and, when
the module has a names section (rustc's output before wasm-bindgen/wasm-opt has one), the
function-body bytes per crate and the largest functions. Figures in docs/build.md come from it.

    python3 bench/wasm_size.py target/wasm32-unknown-unknown/release/gan_playground.wasm [--top 20]
"""
import collections
import gzip
import re
import sys

SECTIONS = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global",
            7: "export", 8: "start", 9: "elem", 10: "code", 11: "data", 12: "datacount"}


def leb(b, i):
    value, shift = 0, 0
    while True:
        x = b[i]
        i += 1
        value |= (x & 0x7F) << shift
        shift += 7
        if x < 0x80:
            return value, i


def skip_name(b, i):
    n, i = leb(b, i)
    return i + n


def main():
    path = sys.argv[1]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 20
    b = open(path, "rb").read()
    i, imported, bodies, names = 8, 0, [], {}
    print(f"{'section':32} {'bytes':>10} {'gzipped':>10}")
    while i < len(b):
        sid = b[i]
        size, start = leb(b, i + 1)
        name = SECTIONS.get(sid, str(sid))
        if sid == 0:
            n, j = leb(b, start)
            name = "custom:" + b[j:j + n].decode(errors="replace")
            if name == "custom:name":
                j += n
                while j < start + size:
                    sub, j = b[j], j + 1
                    sub_size, j = leb(b, j)
                    if sub == 1:  # function names
                        count, k = leb(b, j)
                        for _ in range(count):
                            index, k = leb(b, k)
                            n, k = leb(b, k)
                            names[index] = b[k:k + n].decode(errors="replace")
                            k += n
                    j += sub_size
        elif sid == 2:  # imports: count the imported functions (they come first in the index space)
            count, j = leb(b, start)
            for _ in range(count):
                j = skip_name(b, skip_name(b, j))
                kind, j = b[j], j + 1
                if kind == 0:
                    _, j = leb(b, j)
                    imported += 1
                elif kind == 1:  # table: reftype, limits
                    flags, j = leb(b, j + 1)
                    _, j = leb(b, j)
                    if flags & 1:
                        _, j = leb(b, j)
                elif kind == 2:  # memory: limits
                    flags, j = leb(b, j)
                    _, j = leb(b, j)
                    if flags & 1:
                        _, j = leb(b, j)
                else:  # global: valtype, mutability
                    j += 2
        elif sid == 10:
            count, j = leb(b, start)
            for _ in range(count):
                n, j = leb(b, j)
                bodies.append(n)
                j += n
        print(f"{name:32} {size:>10} {len(gzip.compress(b[start:start + size], 9)):>10}")
        i = start + size
    print(f"{'total':32} {len(b):>10} {len(gzip.compress(b, 9)):>10}")
    if not names:
        print("\nno names section: per-crate figures need rustc's module (before wasm-bindgen)")
        return
    per_crate, largest = collections.Counter(), []
    for f, n in enumerate(bodies):
        symbol = names.get(imported + f, "?")
        # the first path segment of a mangled name, or of the first path inside an `<impl …>`
        crate = next(iter(re.findall(r"(?:_ZN\d+|\.\.|\$LT\$)([a-z][a-z0-9_]*?)(?:\.\.|\d)", symbol)), symbol.split("::")[0][:30])
        per_crate[crate] += n
        largest.append((n, symbol))
    total = sum(bodies)
    print(f"\nfunction bodies by crate ({total} bytes in all)")
    for crate, n in per_crate.most_common(top):
        print(f"{n:>10} {100 * n / total:5.1f} %  {crate}")
    print("\nlargest functions")
    for n, symbol in sorted(largest, reverse=True)[:top]:
        print(f"{n:>10}  {symbol[:150]}")


if __name__ == "__main__":
    main()
