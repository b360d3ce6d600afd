"""The tour behind ``python -m sklearn_kexue`` covers every exported estimator."""

import subprocess
import sys

from sklearn_kexue._tour import TOUR_STEPS
from sklearn_kexue.utils import all_estimators


def test_every_exported_estimator_has_a_tour_step():
    assert {name for name, _ in all_estimators()} <= set(TOUR_STEPS)


def test_tour_runs_and_reports_every_estimator():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_kexue"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    for name, _ in all_estimators():
        assert f"\n{name}\n" in result.stdout
    assert result.stdout.count("test      accuracy") == len(all_estimators())
    # The tour's findings are real fits: digits are easy, hashing keeps most of it.
    accuracies = [
        float(line.split("accuracy ")[1].split()[0])
        for line in result.stdout.splitlines()
        if line.startswith("  test")
    ]
    assert min(accuracies) > 0.8
