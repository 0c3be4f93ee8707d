"""`--set NAME=VALUE` for the benchmarks that read pages: a threshold of pipeline/tuning.py changed in this process
alone, to see whether a rule pays when turned off by a value it never meets (an ablation, never a setting of
luutru's; the pages read so name the changed values' digest in their provenance)."""

from __future__ import annotations

import argparse

from luutru.pipeline.tuning import TUNING


def add_set_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a threshold of pipeline/tuning.py set for this run (an ablation: min_marks=1000000 "
                             "turns the upside-down check off)")


def overrides_of(parser: argparse.ArgumentParser, options: argparse.Namespace) -> dict[str, str]:
    """The thresholds --set names, each known to pipeline/tuning.py (else the parser's error)."""
    overrides = dict(setting.split("=", 1) for setting in options.set)
    unknown = set(overrides) - set(vars(TUNING))
    if unknown:
        parser.error(f"no such threshold in pipeline/tuning.py: {', '.join(sorted(unknown))}")
    return overrides


def apply_overrides(overrides: dict[str, str]) -> None:
    """Change the one Tuning every module reads, in this process alone."""
    for name, value in overrides.items():
        object.__setattr__(TUNING, name, type(getattr(TUNING, name))(value))
