"""scripts/scaling_model.py against hand arithmetic on the SDFE-LV-sized project."""

from __future__ import annotations

import pytest

from scripts.scaling_model import HUNDREDFOLD, SDFE_LV, estimate, main


def test_sdfe_lv_figures_match_hand_arithmetic() -> None:
    result = estimate(SDFE_LV)
    # 1,191 videos x 2 min = 2,382 min of 720p30; 14.2 s on 2 cores a minute.
    assert result.ingest_core_h == pytest.approx(2_382 * 14.2 * 2 / 3600)  # 18.79 h
    # 1,191 x 120 s x 30 fps = 4,287,600 frames at 92.1 frames per core-second.
    assert result.features_core_h == pytest.approx(4_287_600 / 92.1 / 3600)  # 12.93 h
    assert result.features_bytes == pytest.approx(4_287_600 * (6 * 4 + 1))
    # 142,920 s of video at 4 Mbit/s.
    assert result.source_bytes == pytest.approx(142_920 * 4e6 / 8)
    # The measured project recompute and exports come back at the measured scale.
    assert result.agreement_s == pytest.approx(1.72)
    assert result.exports_s == pytest.approx(2.7 * 1_191 * 5 * 2.4 / 14_227)
    assert result.database_rows["segment"] == pytest.approx(14_292)
    # 31.7 core-hours of media work in 24 h need 2 cores.
    assert result.media_cores == 2


def test_a_hundred_times_larger_scales_linearly() -> None:
    small, large = estimate(SDFE_LV), estimate(HUNDREDFOLD)
    assert large.storage_bytes == pytest.approx(100 * small.storage_bytes)
    assert large.media_core_h == pytest.approx(100 * small.media_core_h)
    assert large.media_cores == 133  # ceil(3,173.4 core-hours / 24 h)


def test_the_table_prints(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--videos", "10", "--duration-min", "1"])
    out = capsys.readouterr().out
    assert "| ingest, core-hours | 0.08 h |" in out
    assert "| training, CUDA | not measured |" in out
