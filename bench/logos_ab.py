"""The logo detector against an earlier commit's, image by image, alternating in one process.

    python bench/logos_ab.py [--base HEAD~1] [--seed 2] [--every 2] [--positives 600 ...]

This VM's speed drifts by 10-20% over minutes, more than most changes to the detector are worth,
so two runs of bench/logos.py one after the other cannot tell a 5% change from the drift. Here
the base commit's monitor/media/logo*.py are loaded under another package name beside the
working tree's, and the two detect every image of bench/logos.py's set in turn (which goes first
alternates), so both see the same spells of load. Prints each one's mean CPU ms per image, the
ratio, and how many images' findings differ (0 for a change meant to be faster only).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one core, before numpy and OpenCV load their thread pools

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import importlib  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MODULES = ("logos", "logo_features", "logo_verify")


def load_base(revision: str, folder: Path):
    """The base commit's LogoDetector, as package `base_media` (its own modules, not ours)."""
    package = folder / "base_media"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name in MODULES:
        source = subprocess.run(
            ["git", "show", f"{revision}:monitor/media/{name}.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for other in MODULES:
            source = source.replace(f"monitor.media.{other} ", f"base_media.{other} ")
        (package / f"{name}.py").write_text(source, encoding="utf-8")
    sys.path.insert(0, str(folder))
    return importlib.import_module("base_media.logos").LogoDetector


def findings(detector, jpeg: bytes) -> list[tuple]:
    """Every field of every finding (the base's LogoFinding is another class, so as tuples)."""
    return [dataclasses.astuple(f) for f in detector.detect(jpeg)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="HEAD~1", help="the commit to compare with (git revision)")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--every", type=int, default=2, help="take every n-th image of the set")
    parser.add_argument("--positives", type=int, default=600)
    parser.add_argument("--clean", type=int, default=1000)
    parser.add_argument("--lookalikes", type=int, default=500)
    args = parser.parse_args(argv)
    import cv2
    import logos as bench

    from monitor.media.logos import LogoDetector

    cv2.setNumThreads(1)
    samples = bench.build_set(args.seed, args.positives, args.clean, args.lookalikes)[:: args.every]
    with tempfile.TemporaryDirectory() as folder:
        base_class = load_base(args.base, Path(folder))
        base, ours = base_class(), LogoDetector()
        for sample in samples[:20]:  # warm both before timing
            base.detect(sample.jpeg)
            ours.detect(sample.jpeg)
        spent = {"base": 0.0, "ours": 0.0}
        differ: list[tuple[int, list[tuple], list[tuple]]] = []
        for i, sample in enumerate(samples):
            order = [("base", base), ("ours", ours)]
            found = {}
            for name, detector in order if i % 2 == 0 else order[::-1]:
                start = time.process_time()
                found[name] = findings(detector, sample.jpeg)
                spent[name] += time.process_time() - start
            if found["base"] != found["ours"]:
                differ.append((i * args.every, found["base"], found["ours"]))
    n = len(samples)
    print(f"{n:,} images (seed {args.seed}, every {args.every}), CPU time per image, one thread:")
    print(f"  {args.base:<12} {1000 * spent['base'] / n:6.1f} ms")
    print(f"  working tree {1000 * spent['ours'] / n:6.1f} ms  ({spent['ours'] / spent['base']:.3f}x)")
    print(f"images whose findings differ: {len(differ)}")
    for index, before, after in differ[:10]:  # the fields say whether it is rounding or a new logo
        print(f"  image {index}:\n    {args.base}: {before}\n    working tree: {after}")


if __name__ == "__main__":
    main()
