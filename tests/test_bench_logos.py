"""bench/logos.py still builds its set and prints every figure (the figures are not judged here)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import cv2
import numpy as np
from bench_runner import bench


def test_logo_bench_prints_recall_precision_false_positives_and_speed():
    out = bench("bench/logos.py", "--seed", "3", "--positives", "16", "--clean", "8", "--lookalikes", "4")
    assert "built 28 images from 24 bundled photos (seed 3, a tuning seed)" in out, out
    for bucket in (" 5%-10% ", "10%-20% ", "20%-35% ", "35%-50% ", ">= 10%   "):
        assert re.search(rf"{re.escape(bucket)}: (nan|[\d.]+) \(\d+/\d+[;)]", out), bucket
    assert re.search(r">= 10%   : [\d.]+ \(\d+/\d+; 95% interval [\d.]+-[\d.]+\)", out), out
    for band in ("0-10  ", "10-20 ", "20-40 ", ">= 40 "):
        assert re.search(rf"\n  {re.escape(band)}: (nan|[\d.]+) \(\d+/\d+\)", out), band
    assert re.search(r"precision: [\d.]+ \(\d+/\d+ findings", out)
    assert re.search(r"false positives per 1,000 images with no logo: [\d.]+ \(\d+/8\)", out)
    assert re.search(r"false positives per 1,000 images with a look-alike mark: [\d.]+ \(\d+/4\)", out)
    assert re.search(r"false positives per 1,000 logo-free images: [\d.]+ \(\d+/12\)", out)
    assert re.search(r"ms per image \(CPU time, one thread, JPEG decode included\): mean [\d.]+", out)
    assert re.search(r"ms per image \(wall clock, JPEG decode included\): mean [\d.]+", out)


def test_several_seeds_are_pooled_with_each_seed_recall_and_the_pooled_interval():
    out = bench("bench/logos.py", "--seed", "3", "9", "--positives", "8", "--clean", "4", "--lookalikes", "2")
    assert "built 28 images from 24 bundled photos (seeds 3, 9; tuning seeds among them: 3)" in out, out
    pooled = re.search(r">= 10%   : [\d.]+ \((\d+)/(\d+); 95% interval ([\d.]+)-([\d.]+)\)", out)
    seeds = re.findall(r"\n    seed (3|9): [\d.]+ \((\d+)/(\d+)\)", out)
    assert pooled and [seed for seed, _, _ in seeds] == ["3", "9"], out
    assert int(pooled[1]) == sum(int(hit) for _, hit, _ in seeds)
    assert int(pooled[2]) == sum(int(total) for _, _, total in seeds)
    assert float(pooled[3]) <= int(pooled[1]) / int(pooled[2]) <= float(pooled[4])
    assert re.search(r"false positives per 1,000 logo-free images: [\d.]+ \(\d+/12\)", out)


def test_pooled_results_sum_every_tally_and_keep_every_time():
    bench_logos = _bench_module()
    first = {
        "hits": {(0.1, 0.2): [3, 4]},
        "by_condition": {"sharp": [2, 2]},
        "true": 3,
        "false_images": {"clean": 1, "lookalike": 0},
        "times": [0.04, 0.05],
    }
    second = {
        "hits": {(0.1, 0.2): [1, 3]},
        "by_condition": {"blurred": [0, 1], "sharp": [1, 2]},
        "true": 1,
        "false_images": {"clean": 0, "lookalike": 2},
        "times": [0.06],
    }
    assert bench_logos.combine([first, second]) == {
        "hits": {(0.1, 0.2): [4, 7]},
        "by_condition": {"sharp": [3, 4], "blurred": [0, 1]},
        "true": 4,
        "false_images": {"clean": 1, "lookalike": 2},
        "times": [0.04, 0.05, 0.06],
    }
    assert first["hits"] == {(0.1, 0.2): [3, 4]}  # the inputs are left as they were


def test_the_side_by_side_bench_times_both_detectors_on_the_same_pictures():
    out = bench(
        "bench/logos_ab.py",
        *("--base", "HEAD", "--seed", "3", "--every", "1"),
        *("--positives", "6", "--clean", "3", "--lookalikes", "1"),
    )
    assert "10 images (seed 3, every 1), CPU time per image, one thread:" in out, out
    assert re.search(r"HEAD +[\d.]+ ms\n  working tree +[\d.]+ ms  \([\d.]+x\)", out), out
    assert re.search(r"images whose findings differ: \d+", out), out


def _bench_module():
    if "bench_logos" not in sys.modules:  # dataclasses look their module up by name
        path = Path(__file__).resolve().parent.parent / "bench" / "logos.py"
        spec = importlib.util.spec_from_file_location("bench_logos", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_logos"] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_logos"]


def test_the_pasted_logo_has_no_pale_outline_from_its_transparent_pixels():
    # Ink the colour of the scene, on transparent white: composited right, nothing shows at all.
    bench_logos = _bench_module()
    scene = np.full((300, 400, 3), (40, 90, 30), np.uint8)
    ink = np.zeros((220, 640), np.uint8)
    cv2.putText(ink, "IOM3", (20, 180), cv2.FONT_HERSHEY_SIMPLEX, 6, 255, 25)
    logo = np.zeros((220, 640, 4), np.uint8)
    logo[:, :] = (255, 255, 255, 0)
    logo[ink > 0] = (40, 90, 30, 255)
    scale = 0.3
    src = np.float32([[0, 0], [640, 0], [640, 220], [0, 220]])
    dst = np.float32([[50, 60], [240, 80], [235, 150], [45, 128]])
    warp = cv2.getPerspectiveTransform(src, dst)
    same = bench_logos._composite(scene, logo, warp, scale)
    assert np.abs(same.astype(int) - scene).max() <= 1
    # The same letters in another colour do show, where the warp puts them.
    logo[logo[:, :, 3] > 0, :3] = (200, 200, 250)
    shown = bench_logos._composite(scene, logo, warp, scale)
    assert (np.abs(shown.astype(int) - scene).max(axis=2) > 100).sum() > 500
    assert (shown[:, 260:] == scene[:, 260:]).all()


def test_ink_contrast_is_near_nothing_for_ink_the_colour_of_its_ground_and_large_for_navy_on_white():
    bench_logos = _bench_module()
    alpha = np.zeros((220, 640), np.uint8)
    cv2.putText(alpha, "IOM3", (20, 180), cv2.FONT_HERSHEY_SIMPLEX, 6, 255, 25)
    quad = np.float32([[50, 60], [290, 80], [285, 160], [45, 138]])
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [640, 0], [640, 220], [0, 220]]), quad)

    def pasted(ground: tuple[int, int, int], ink: tuple[int, int, int]) -> bytes:
        scene = np.full((300, 400, 3), ground, np.uint8)
        mask = cv2.warpPerspective(alpha, warp, (400, 300)) > 127
        scene[mask] = ink
        return cv2.imencode(".jpg", scene, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()

    assert bench_logos.ink_contrast(pasted((240, 240, 240), (240, 240, 240)), alpha, quad) < 3
    assert bench_logos.ink_contrast(pasted((240, 240, 240), (90, 40, 30)), alpha, quad) > 100
