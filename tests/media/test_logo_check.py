"""The logo check's pose fit and its threshold, on points and numbers rather than pictures."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from monitor.media.logo_verify import corners, fit_pose, plausible_shape
from monitor.media.logos import DetectorSettings

REFERENCE_SIZE = (640, 210)
# The reference shrunk to 83 px wide, turned 8 degrees and moved: a small logo's true pose.
_TURN = np.deg2rad(8)
SMALL_POSE = np.array(
    [
        [0.13 * np.cos(_TURN), -0.13 * np.sin(_TURN), 100.0],
        [0.13 * np.sin(_TURN), 0.13 * np.cos(_TURN), 80.0],
        [0.0, 0.0, 1.0],
    ]
)


@pytest.mark.parametrize("seed", [1, 3, 6, 11])
def test_matches_crowded_into_one_band_of_the_logo_do_not_fold_its_far_corners(seed):
    # Ten corners along one band of the wordmark, placed within a pixel: least squares fits a
    # homography to them that throws the logo's far corners 87-374 px away (the fit before
    # this check did, for these seeds). The similarity they agree on is kept instead.
    rng = np.random.default_rng(seed)
    src = np.column_stack([rng.uniform(230, 600, 10), rng.uniform(60, 95, 10)]).astype(np.float32)
    placed = cv2.perspectiveTransform(src.reshape(-1, 1, 2), SMALL_POSE).reshape(-1, 2)
    dst = (placed + rng.normal(0, 0.7, src.shape)).astype(np.float32)
    pose = fit_pose(src, dst, src, dst, REFERENCE_SIZE, DetectorSettings())
    assert pose is not None and pose.inliers >= 9
    quad = corners(REFERENCE_SIZE, pose.homography)
    assert plausible_shape(quad)
    assert np.abs(quad - corners(REFERENCE_SIZE, SMALL_POSE)).max() < 3


def test_a_group_of_five_seeds_a_pose_that_the_logo_other_matches_confirm():
    # Five agreeing corners in the Hough group; five more right matches of the same logo fell
    # into a neighbouring bin (their scale or turn estimated across a bin edge), among matches
    # to nowhere. The group's similarity seeds the fit, the other five confirm it.
    rng = np.random.default_rng(7)
    right = np.column_stack([rng.uniform(20, 620, 10), rng.uniform(20, 190, 10)]).astype(np.float32)
    elsewhere = np.column_stack([rng.uniform(0, 640, 30), rng.uniform(0, 210, 30)]).astype(np.float32)
    src = np.vstack([right, elsewhere])
    dst = np.vstack(
        [
            cv2.perspectiveTransform(right.reshape(-1, 1, 2), SMALL_POSE).reshape(-1, 2),
            rng.uniform(0, 300, (30, 2)),
        ]
    ).astype(np.float32)
    pose = fit_pose(src[:5], dst[:5], src, dst, REFERENCE_SIZE, DetectorSettings())
    assert pose is not None and pose.inliers >= 10
    assert np.abs(corners(REFERENCE_SIZE, pose.homography) - corners(REFERENCE_SIZE, SMALL_POSE)).max() < 1
    assert fit_pose(src[:5], dst[:5], src, dst, REFERENCE_SIZE, DetectorSettings(seed_inliers=7)) is None


def test_a_narrow_region_must_score_higher_than_a_wide_one():
    settings = DetectorSettings(min_score=1.05, min_score_wide=0.9, score_widths=(70.0, 140.0))
    assert settings.threshold(40) == settings.threshold(70) == 1.05
    assert settings.threshold(140) == settings.threshold(400) == 0.9
    # Halfway in log width (99 px) is halfway in score.
    assert settings.threshold(70 * 2**0.5) == pytest.approx(0.975)
    assert settings.threshold(90) > settings.threshold(120)


def test_one_width_for_both_scores_is_a_step():
    settings = DetectorSettings(min_score=1.0, min_score_wide=0.8, score_widths=(100.0, 100.0))
    assert (settings.threshold(100), settings.threshold(100.5)) == (1.0, 0.8)


def test_a_seed_larger_than_the_pose_needs_is_refused_by_name():
    with pytest.raises(ValueError, match=r"seed_inliers=8: use 2 to min_inliers \(7\) corners"):
        DetectorSettings(seed_inliers=8)


@pytest.mark.parametrize("widths", [(140.0, 70.0), (0.0, 100.0)])
def test_score_widths_that_cannot_work_are_refused_by_name(widths):
    with pytest.raises(ValueError, match=r"score_widths=\(.*\): use two widths in pixels, smaller first"):
        DetectorSettings(score_widths=widths)
