"""bench/logos.py still builds its set and prints every figure (the figures are not judged here)."""

from __future__ import annotations

import re

from bench_runner import bench


def test_logo_bench_prints_recall_precision_false_positives_and_speed():
    out = bench("bench/logos.py", "--seed", "3", "--positives", "16", "--clean", "8", "--lookalikes", "4")
    assert "built 28 images from 24 bundled photos (seed 3, not the tuning seed)" in out, out
    for bucket in (" 5%-10% ", "10%-20% ", "20%-35% ", "35%-50% ", ">= 10%   "):
        assert re.search(rf"{re.escape(bucket)}: (nan|[\d.]+) \(\d+/\d+\)", out), bucket
    assert re.search(r"precision: [\d.]+ \(\d+/\d+ findings", out)
    assert re.search(r"false positives per 1,000 images with no logo: [\d.]+ \(\d+/8\)", out)
    assert re.search(r"false positives per 1,000 images with a look-alike mark: [\d.]+ \(\d+/4\)", out)
    assert re.search(r"false positives per 1,000 logo-free images: [\d.]+ \(\d+/12\)", out)
    assert re.search(r"ms per image \(CPU time, one thread, JPEG decode included\): mean [\d.]+", out)
    assert re.search(r"ms per image \(wall clock, JPEG decode included\): mean [\d.]+", out)


def test_the_side_by_side_bench_times_both_detectors_on_the_same_pictures():
    out = bench(
        "bench/logos_ab.py",
        *("--base", "HEAD", "--seed", "3", "--every", "1"),
        *("--positives", "6", "--clean", "3", "--lookalikes", "1"),
    )
    assert "10 images (seed 3, every 1), CPU time per image, one thread:" in out, out
    assert re.search(r"HEAD +[\d.]+ ms\n  working tree +[\d.]+ ms  \([\d.]+x\)", out), out
    assert re.search(r"images whose findings differ: \d+", out), out
