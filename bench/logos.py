"""Logo detection measured like a detector, on a test set this script builds itself.

    python bench/logos.py [--seed 2 [4 ...]] [--positives 600] [--clean 1000] [--lookalikes 500]

Backgrounds are the photos that ship inside installed packages (scikit-image's `skimage.data`,
matplotlib's sample data): random crops, 400-800 px wide. Into some the stand-in logo (current
or retired version, from config/logos/) is pasted at 5-50% of the image width, recoloured, on
its own or on a light box, rotated up to 20 degrees, perspective-warped, sometimes partly
covered, then blurred and JPEG-compressed. Others get nothing, or a look-alike mark (ION3 beside
a gear, from config/logos/make_standin.py). A finding is right when its version is right and its
quadrilateral overlaps the pasted logo's by at least half (intersection over union).

Prints recall by logo width, by condition and by how far the logo's ink stands from its ground
(`ink_contrast`; some random recolourings leave a logo a person can barely see), precision,
false positives per 1,000 logo-free images (plain and look-alike) and milliseconds per image,
decode included, with OpenCV, OpenMP and OpenBLAS held to one thread. Two times are printed:
the process's CPU time (the cost on one core, which is what the goal states, as the process runs
one thread) and wall-clock time (inflated whenever other work shares the CPU).
The settings in monitor/media/logos.py were chosen on --seed 1 and --seed 3; the default --seed 2
reports on images the tuning never saw (docs/logo-detector.md says how often each seed was seen).
One seed's ~540 logos put its recall within about +/-2.5 points of the detector's own, so
recall carries its 95% interval, and several seeds (`--seed 2 4 5 6 7 8`) are run in turn and
pooled, each seed's recall printed under the pooled figure.
"""

from __future__ import annotations

import os

# One core, as the goal is stated; set before numpy and OpenCV load their thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from scipy.stats import binomtest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.media.logos import LogoDetector  # noqa: E402
from monitor.media.references import load_reference_logos  # noqa: E402

BUCKETS = ((0.05, 0.10), (0.10, 0.20), (0.20, 0.35), (0.35, 0.50))
TUNING_SEEDS = (1, 3)  # the detector's settings were chosen on these sets
CONTRASTS = ((0.0, 10.0), (10.0, 20.0), (20.0, 40.0), (40.0, float("inf")))
GOALS = "goals: recall >= 0.90 for logos >= 10% of the width, <= 5 FP per 1,000 logo-free, <= 50 ms/image"


def _standin_module():
    spec = importlib.util.spec_from_file_location(
        "make_standin", ROOT / "config" / "logos" / "make_standin.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def backgrounds() -> list[tuple[str, np.ndarray]]:
    """Every bundled photo usable as a background, as BGR uint8, named by where it came from."""
    import matplotlib.cbook
    import skimage.data

    found = []
    names = (
        "astronaut",
        "brick",
        "camera",
        "cell",
        "chelsea",
        "coffee",
        "coins",
        "grass",
        "gravel",
        "hubble_deep_field",
        "immunohistochemistry",
        "logo",
        "moon",
        "page",
        "text",
        "retina",
        "rocket",
        "colorwheel",
        "clock",
        "horse",
    )
    for name in names:
        found.append((f"skimage.data.{name}", getattr(skimage.data, name)()))
    found.append(("skimage.data.stereo_motorcycle", skimage.data.stereo_motorcycle()[0]))
    for name in ("grace_hopper.jpg", "Minduka_Present_Blue_Pack.png", "logo2.png"):
        with matplotlib.cbook.get_sample_data(name) as handle:
            data = np.frombuffer(handle.read(), np.uint8)
        found.append((f"matplotlib sample {name}", cv2.imdecode(data, cv2.IMREAD_COLOR)))
    out = []
    for name, image in found:
        image = np.asarray(image)
        if image.dtype == bool:
            image = image.astype(np.uint8) * 255
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            alpha = image[:, :, 3:4].astype(np.float32) / 255
            image = (image[:, :, :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)
        if not name.startswith("matplotlib"):
            image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
        out.append((name, np.ascontiguousarray(image)))
    return out


@dataclass
class Sample:
    jpeg: bytes
    width: int
    kind: str  # "logo", "clean" or "lookalike"
    version: str | None = None
    quad: np.ndarray | None = None
    fraction: float = 0.0
    conditions: tuple[str, ...] = ()  # how the mark was altered, for recall by condition
    contrast: float = float("nan")  # ink_contrast of a pasted logo


def _crop(rng: np.random.Generator, photo: np.ndarray) -> np.ndarray:
    height, width = photo.shape[:2]
    crop_w = int(rng.uniform(0.6, 1.0) * width)
    crop_h = min(height, int(crop_w * rng.uniform(0.6, 1.3)))
    x0 = int(rng.integers(0, width - crop_w + 1))
    y0 = int(rng.integers(0, height - crop_h + 1))
    crop = photo[y0 : y0 + crop_h, x0 : x0 + crop_w]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    target_w = int(rng.uniform(400, 800))
    return cv2.resize(
        crop, (target_w, max(32, round(crop_h * target_w / crop_w))), interpolation=cv2.INTER_AREA
    )


def _recolour(rng: np.random.Generator, logo_bgra: np.ndarray, conditions: list[str]) -> np.ndarray:
    logo = logo_bgra.copy()
    roll = rng.random()
    if roll < 0.35:  # the brand colours as drawn
        conditions.append("brand colours")
        return logo
    if roll < 0.7:  # one flat colour, as on a one-colour print
        logo[:, :, :3] = rng.integers(0, 256, 3)
        conditions.append("one flat colour")
        return logo
    conditions.append("hue turned")
    # hue turned round, as a volunteer re-colouring it to match a flyer
    hsv = cv2.cvtColor(np.ascontiguousarray(logo[:, :, :3]), cv2.COLOR_BGR2HSV)
    hsv[:, :, 0] = (hsv[:, :, 0].astype(int) + int(rng.integers(20, 160))) % 180
    logo[:, :, :3] = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)
    return logo


def _composite(scene: np.ndarray, logo: np.ndarray, warp: np.ndarray, scale: float) -> np.ndarray:
    """`logo` (BGRA) laid over `scene` where `warp` puts it, as design software draws it.

    Colour is weighted by alpha before resampling (premultiplied): interpolating an unweighted
    BGRA image mixes the colour of the logo's transparent pixels (white) into every edge, a pale
    outline no real flyer has. The logo is shrunk by area to about its size first, so the
    perspective warp does not alias fine strokes.
    """
    premultiplied = logo.astype(np.float32)
    premultiplied[:, :, :3] *= premultiplied[:, :, 3:4] / 255
    if scale < 1:
        premultiplied = cv2.resize(premultiplied, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        shrunk_h, shrunk_w = premultiplied.shape[:2]
        to_full = np.diag([logo.shape[1] / shrunk_w, logo.shape[0] / shrunk_h, 1.0])
        warp = warp @ to_full
    height, width = scene.shape[:2]
    warped = cv2.warpPerspective(premultiplied, warp, (width, height), flags=cv2.INTER_LINEAR)
    alpha = warped[:, :, 3:4] / 255
    return np.clip(warped[:, :, :3] + scene * (1 - alpha), 0, 255).astype(np.uint8)


def _paste(
    rng: np.random.Generator, scene: np.ndarray, logo_bgra: np.ndarray, fraction: float, conditions: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The scene with the logo warped in, and the logo's corners in the scene."""
    logo = _recolour(rng, logo_bgra, conditions)
    h, w = logo.shape[:2]
    boxed = rng.random() < 0.5
    conditions.append("on a light box" if boxed else "straight on the photo")
    if boxed:  # on a light box, as on a flyer; the box is not part of the truth quad
        pad = int(0.08 * w)
        box = np.zeros((h + 2 * pad, w + 2 * pad, 4), np.uint8)
        box[:, :] = (*rng.integers(200, 256, 3), 255)
        alpha = logo[:, :, 3:4].astype(np.float32) / 255
        inner = box[pad : pad + h, pad : pad + w]
        inner[:, :, :3] = (logo[:, :, :3] * alpha + inner[:, :, :3] * (1 - alpha)).astype(np.uint8)
        logo_corners = np.array([[pad, pad], [pad + w, pad], [pad + w, pad + h], [pad, pad + h]], np.float32)
        logo = box
    else:
        logo_corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    lh, lw = logo.shape[:2]
    scene_h, scene_w = scene.shape[:2]
    target_w = fraction * scene_w * lw / w  # the logo itself, not its box, is `fraction` of the width
    scale = target_w / lw
    angle = np.deg2rad(rng.uniform(-20, 20))
    src = np.array([[0, 0], [lw, 0], [lw, lh], [0, lh]], np.float32)
    dst = src * scale
    dst += rng.uniform(-0.08, 0.08, dst.shape).astype(np.float32) * np.array([lw, lh], np.float32) * scale
    centre = dst.mean(axis=0)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    dst = (dst - centre) @ rot.T
    lo, hi = dst.min(axis=0), dst.max(axis=0)
    span = hi - lo
    if span[0] >= scene_w or span[1] >= scene_h:
        dst *= 0.95 * min(scene_w / span[0], scene_h / span[1])
        lo, hi = dst.min(axis=0), dst.max(axis=0)
    offset = np.array(
        [rng.uniform(-lo[0], scene_w - hi[0]), rng.uniform(-lo[1], scene_h - hi[1])], np.float32
    )
    dst += offset
    warp = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    out = _composite(scene, logo, warp, scale)
    truth = cv2.perspectiveTransform(logo_corners.reshape(-1, 1, 2), warp).reshape(4, 2)
    if rng.random() < 0.3:  # partly covered: a sticker or a hand over up to a fifth of it
        conditions.append("partly covered")
        x0, y0 = truth.min(axis=0)
        x1, y1 = truth.max(axis=0)
        cw, ch = (x1 - x0) * rng.uniform(0.15, 0.35), (y1 - y0) * rng.uniform(0.3, 0.6)
        cx, cy = rng.uniform(x0, x1 - cw), rng.uniform(y0, y1 - ch)
        cv2.rectangle(
            out,
            (int(cx), int(cy)),
            (int(cx + cw), int(cy + ch)),
            tuple(int(c) for c in rng.integers(0, 256, 3)),
            -1,
        )
    return out, truth


def _finish(rng: np.random.Generator, scene: np.ndarray, conditions: list[str]) -> bytes:
    sigma = rng.uniform(0, 1.5)
    if sigma > 0.3:
        scene = cv2.GaussianBlur(scene, (0, 0), sigma)
    conditions.append("blurred" if sigma > 0.75 else "sharp")
    quality = int(rng.integers(40, 91))
    conditions.append("JPEG quality < 60" if quality < 60 else "JPEG quality >= 60")
    ok, jpeg = cv2.imencode(".jpg", scene, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return jpeg.tobytes()


def ink_contrast(jpeg: bytes, alpha: np.ndarray, quad: np.ndarray) -> float:
    """How far a pasted logo's ink stands from the ground inside its outline, as finally encoded:
    the distance between their median colours in OpenCV's 8-bit Lab. Under 10 a person barely
    sees the logo (a colour a few levels from its light box, navy on a night sky: 5-7); 40 and
    over, it is plain."""
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    h, w = alpha.shape
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), quad.astype(np.float32))
    size = (image.shape[1], image.shape[0])
    placed = cv2.warpPerspective(alpha, warp, size)
    ink = placed > 200
    inside = cv2.warpPerspective(np.full_like(alpha, 255), warp, size) > 200
    ground = inside & (cv2.dilate(placed, np.ones((3, 3), np.uint8)) < 30)
    if ink.sum() < 10 or ground.sum() < 10:
        return float("nan")
    lab = cv2.cvtColor(image, cv2.COLOR_BGR2LAB).astype(np.float32)
    return float(np.linalg.norm(np.median(lab[ink], axis=0) - np.median(lab[ground], axis=0)))


def build_set(seed: int, positives: int, clean: int, lookalikes: int) -> list[Sample]:
    rng = np.random.default_rng(seed)
    photos = [image for _, image in backgrounds()]
    refs = load_reference_logos()
    logos = {ref.version: cv2.imread(str(ref.path), cv2.IMREAD_UNCHANGED) for ref in refs}
    lookalike_rgba = np.asarray(_standin_module().draw_lookalike())
    lookalike = cv2.cvtColor(lookalike_rgba, cv2.COLOR_RGBA2BGRA)
    samples = []
    for i in range(positives + clean + lookalikes):
        scene = _crop(rng, photos[int(rng.integers(len(photos)))])
        fraction = float(rng.uniform(0.05, 0.50))
        conditions: list[str] = []
        if i < positives:
            version = list(logos)[int(rng.integers(len(logos)))]
            scene, truth = _paste(rng, scene, logos[version], fraction, conditions)
            jpeg = _finish(rng, scene, conditions)
            contrast = ink_contrast(jpeg, logos[version][:, :, 3], truth)
            samples.append(
                Sample(jpeg, scene.shape[1], "logo", version, truth, fraction, tuple(conditions), contrast)
            )
        elif i < positives + clean:
            samples.append(Sample(_finish(rng, scene, conditions), scene.shape[1], "clean"))
        else:
            scene, _ = _paste(rng, scene, lookalike, fraction, conditions)
            samples.append(
                Sample(_finish(rng, scene, conditions), scene.shape[1], "lookalike", fraction=fraction)
            )
    return samples


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    if not (cv2.isContourConvex(a32.reshape(-1, 1, 2)) and cv2.isContourConvex(b32.reshape(-1, 1, 2))):
        return 0.0
    inter, _ = cv2.intersectConvexConvex(a32, b32)
    union = cv2.contourArea(a32) + cv2.contourArea(b32) - inter
    return inter / union if union > 0 else 0.0


def run(samples: list[Sample], detector: LogoDetector) -> dict[str, object]:
    hits = {bucket: [0, 0] for bucket in BUCKETS}
    by_condition: dict[str, list[int]] = {}  # logos >= 10% of the width only
    by_contrast = {band: [0, 0] for band in CONTRASTS}  # logos >= 10% of the width only
    true_findings = false_findings = wrong_version = 0
    false_images = {"clean": 0, "lookalike": 0}
    counts = {"clean": 0, "lookalike": 0}
    times, cpu_times = [], []
    for sample in samples:
        start, cpu_start = time.perf_counter(), time.process_time()
        findings = detector.detect(sample.jpeg)
        cpu_times.append(time.process_time() - cpu_start)
        times.append(time.perf_counter() - start)
        if sample.kind == "logo":
            bucket = next(b for b in BUCKETS if b[0] <= sample.fraction < b[1] or b == BUCKETS[-1])
            hits[bucket][1] += 1
            found = False
            for finding in findings:
                overlap = _iou(np.array(finding.quad), sample.quad)
                if overlap >= 0.5 and finding.version == sample.version and not found:
                    found = True
                    true_findings += 1
                else:
                    false_findings += 1
                    wrong_version += overlap >= 0.5
            hits[bucket][0] += found
            if sample.fraction >= 0.10:
                for condition in sample.conditions:
                    tally = by_condition.setdefault(condition, [0, 0])
                    tally[0] += found
                    tally[1] += 1
                for band in (b for b in CONTRASTS if b[0] <= sample.contrast < b[1]):
                    by_contrast[band][0] += found
                    by_contrast[band][1] += 1
        else:
            counts[sample.kind] += 1
            false_findings += len(findings)
            false_images[sample.kind] += bool(findings)
    return {
        "hits": hits,
        "by_condition": by_condition,
        "by_contrast": by_contrast,
        "true": true_findings,
        "false": false_findings,
        "wrong_version": wrong_version,
        "false_images": false_images,
        "counts": counts,
        "times": times,
        "cpu_times": cpu_times,
    }


def combine(results: list[dict[str, object]]) -> dict[str, object]:
    """Several sets' `run` results as one: every count and tally summed, every image's time kept."""

    def add(a: object, b: object) -> object:
        if isinstance(a, dict):
            merged = dict(a)
            for key, value in b.items():  # a condition one set never drew is in the other only
                merged[key] = add(merged[key], value) if key in merged else value
            return merged
        if isinstance(a, list):
            return [x + y for x, y in zip(a, b, strict=True)]  # [found, total] tallies
        return a + b

    combined = dict(results[0])
    for result in results[1:]:
        for key in combined:
            timing = key in ("times", "cpu_times")
            combined[key] = combined[key] + result[key] if timing else add(combined[key], result[key])
    return combined


def _big_recall(result: dict[str, object]) -> tuple[int, int]:
    """Logos >= 10% of the width found, and in all."""
    hits = result["hits"]
    return (
        sum(h for (lo, _), (h, _t) in hits.items() if lo >= 0.10),
        sum(t for (lo, _), (_h, t) in hits.items() if lo >= 0.10),
    )


def _seeds_label(seeds: list[int]) -> str:
    tuning = [seed for seed in seeds if seed in TUNING_SEEDS]
    if len(seeds) == 1:
        return f"seed {seeds[0]}, {'a tuning seed' if tuning else 'not a tuning seed'}"
    named = ", ".join(map(str, seeds))
    if not tuning:
        return f"seeds {named}, none a tuning seed"
    return f"seeds {named}; tuning seeds among them: {', '.join(map(str, tuning))}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seed",
        type=int,
        nargs="+",
        default=[2],
        help="1 and 3 are the tuning sets; report on any other. Several seeds are pooled: one "
        "set's ~540 logos put its recall within about +/-2.5 points of the detector's own",
    )
    parser.add_argument("--positives", type=int, default=600)
    parser.add_argument("--clean", type=int, default=1000)
    parser.add_argument("--lookalikes", type=int, default=500)
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    start = time.perf_counter()
    sets = {seed: build_set(seed, args.positives, args.clean, args.lookalikes) for seed in args.seed}
    detector = LogoDetector()
    print(
        f"built {sum(map(len, sets.values())):,} images from {len(backgrounds())} bundled photos "
        f"({_seeds_label(args.seed)}) in {time.perf_counter() - start:.1f} s"
    )
    print(GOALS)
    per_seed = {seed: run(samples, detector) for seed, samples in sets.items()}
    result = combine(list(per_seed.values()))
    print("\nrecall by logo width (share of the image width):")
    for (lo, hi), (hit, total) in result["hits"].items():
        rate = hit / total if total else float("nan")
        print(f"  {lo:>4.0%}-{hi:<4.0%}: {rate:.3f} ({hit}/{total})")
    big_hit, big_total = _big_recall(result)
    # How far this set's recall may sit from the detector's own, by sampling alone (Wilson).
    interval = binomtest(big_hit, max(big_total, 1)).proportion_ci(method="wilson")
    print(
        f"  >= 10%   : {big_hit / max(big_total, 1):.3f} ({big_hit}/{big_total}; "
        f"95% interval {interval.low:.3f}-{interval.high:.3f})"
    )
    if len(per_seed) > 1:
        for seed, seed_result in per_seed.items():
            hit, total = _big_recall(seed_result)
            print(f"    seed {seed}: {hit / max(total, 1):.3f} ({hit}/{total})")
    print("recall by condition, logos >= 10% of the width:")
    for condition, (hit, total) in sorted(result["by_condition"].items()):
        print(f"  {condition:<22}: {hit / total:.3f} ({hit}/{total})")
    print("recall by ink contrast (ink_contrast: 8-bit Lab distance to the ground), logos >= 10%:")
    for (lo, hi), (hit, total) in result["by_contrast"].items():
        label = f"{lo:.0f}-{hi:.0f}" if hi < float("inf") else f">= {lo:.0f}"
        rate = hit / total if total else float("nan")
        print(f"  {label:<6}: {rate:.3f} ({hit}/{total})")
    found = result["true"] + result["false"]
    print(
        f"\nprecision: {result['true'] / max(found, 1):.3f} ({result['true']}/{found} findings; "
        f"{result['wrong_version']} on a logo but naming the wrong version)"
    )
    for kind, label in (("clean", "no logo"), ("lookalike", "a look-alike mark")):
        n = result["counts"][kind]
        fp = result["false_images"][kind]
        print(f"false positives per 1,000 images with {label}: {1000 * fp / max(n, 1):.1f} ({fp}/{n})")
    n_free = sum(result["counts"].values())
    fp_free = sum(result["false_images"].values())
    rate = 1000 * fp_free / max(n_free, 1)
    print(f"false positives per 1,000 logo-free images: {rate:.1f} ({fp_free}/{n_free})")
    print()
    for key, label in (("cpu_times", "CPU time, one thread"), ("times", "wall clock")):
        ms = sorted(1000 * t for t in result[key])
        print(
            f"ms per image ({label}, JPEG decode included): mean {statistics.fmean(ms):.1f}, "
            f"median {statistics.median(ms):.1f}, 95th percentile {ms[int(0.95 * (len(ms) - 1))]:.1f}"
        )
    print(f"load average while it ran (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
