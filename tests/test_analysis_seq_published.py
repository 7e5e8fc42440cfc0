"""``observer seq`` reproduces a published lag-sequential worked example to its printed decimals.

The example is the one O'Connor (1999) publishes for his SEQUENTIAL program:

    O'Connor, B. P. (1999). Simple and flexible SAS and SPSS programs for analyzing
    lag-sequential categorical data. Behavior Research Methods, Instruments, &
    Computers, 31(4), 718-726. doi:10.3758/BF03200753

Appendix A (p. 723) prints the input, 393 events of six codes from one couple
(Gottman & Roy, 1990, p. 78); Appendix B (p. 724) prints the program's full lag-1
output, which follows Bakeman & Quera's (1995) formulas: cell frequencies, expected
frequencies, transitional probabilities, the tablewise likelihood-ratio chi-square,
adjusted residuals and Yule's Q. The paper itself was not reachable here; the numbers
below are those of the transcription in the lagdynamics R package
(github.com/mohsaqr/lagdynamics, ``data-raw/oconnor_couple.R``, removed in commit
044edd7), and the first 142 input codes agree with the same couple's data in O'Connor's
own SEQGROUPS program file (oconnor-psych.ok.ubc.ca/sequential/seqgroups.sas). That
our independent computation from the transcribed input lands on every transcribed
output, cell by cell, is itself a check on the transcription.

Each figure is compared "to the printed decimals": our value must lie within half a
unit of the last printed digit of the published one (plus half a unit of our own sixth
decimal, which is where our JSON rounds).

No worked lag table of Bakeman & Quera (2011) was reachable with its printed cells
(their book's text was not available in the sources searched); O'Connor's appendix is
the published example this suite reproduces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from support.analysis import session
from support.clirun import run

from observer.analysis import sequential as sq
from observer.codebook import codebook_from_data
from observer.sessionfile import write_session

# O'Connor (1999), Appendix A, p. 723: the input sequence, one digit per event, codes 1-6,
# in the 12 printed rows.
SEQUENCE = "".join(
    (
        "252425242422524253434144125215425",
        "144236622655563633632535262225244",
        "525255425552525252252522552225252",
        "525225253525522522526254252442125",
        "252555352552552525242425422525552",
        "525525255212515155422236363636363",
        "366651252552455255252525154225252",
        "541442442423542252614145554524552",
        "522252252242226243333236353353222",
        "263636261633335352533631415156336",
        "363636363363632525252522235161666",
        "166161625166622666262625555556",
    )
)

# O'Connor (1999), Appendix B, p. 724. Rows are the given (lag 0) code, columns the
# target (lag 1) code, both in the order Code 1 ... Code 6.
CELL_FREQUENCIES = """
     0    4    0    6    6    7
     3   28    5   14   63   10
     1    4   12    2    9   20
     5   19    2    6    5    0
     8   57    8    9   27    3
     6   10   21    0    2   10
"""
EXPECTED_FREQUENCIES = """
    1.3495   7.1582   2.8163   2.1709   6.5714   2.9337
    7.2168   38.281   15.061   11.610   35.143   15.689
    2.8163   14.939   5.8776   4.5306   13.714   6.1224
    2.1709   11.515   4.5306   3.4923   10.571   4.7194
    6.5714   34.857   13.714   10.571   32.000   14.286
    2.8750   15.250   6.0000   4.6250   14.000   6.2500
"""
TRANSITIONAL_PROBABILITIES = """
    0.0000   0.1739   0.0000   0.2609   0.2609   0.3043
    0.0244   0.2276   0.0407   0.1138   0.5122   0.0813
    0.0208   0.0833   0.2500   0.0417   0.1875   0.4167
    0.1351   0.5135   0.0541   0.1622   0.1351   0.0000
    0.0714   0.5089   0.0714   0.0804   0.2411   0.0268
    0.1224   0.2041   0.4286   0.0000   0.0408   0.2041
"""
ADJUSTED_RESIDUALS = """
    -1.234   -1.466   -1.846    2.815   -0.272    2.620
    -1.953   -2.417   -3.341    0.890    6.712   -1.856
    -1.191   -3.640    2.878   -1.334   -1.608    6.410
     2.080    2.793   -1.334    1.482   -2.131   -2.444
     0.680    5.347   -1.949   -0.601   -1.237   -3.782
     2.031   -1.732    6.988   -2.416   -4.057    1.717
"""
YULES_Q = """
    -1.000   -0.381   -1.000    0.587   -0.066    0.537
    -0.525   -0.291   -0.636    0.157    0.650   -0.327
    -0.525   -0.703    0.481   -0.445   -0.299    0.764
     0.490    0.442   -0.445    0.338   -0.468   -1.000
     0.152    0.548   -0.368   -0.120   -0.157   -0.760
     0.456   -0.308    0.795   -1.000   -0.835    0.320
"""
# Appendix B, tablewise likelihood-ratio chi-square: 202.5009, df = 25, p = .0000.
LR_CHI2, LR_DF, LR_P = "202.5009", 25, "0.0000"

CODES = [f"code-{i}" for i in range(1, 7)]
OUR_ROUNDING = 0.5e-6  # the JSON rounds every figure to 6 decimals


def _printed(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines()]


def _agrees(ours: float | None, printed: str) -> bool:
    """``ours`` rounds to ``printed`` at the printed number of decimals."""
    decimals = len(printed.partition(".")[2])
    return ours is not None and abs(ours - float(printed)) <= 0.5 * 10**-decimals + OUR_ROUNDING


def _check_against_appendix_b(d: dict[str, Any]) -> None:
    assert d["n"] == len(SEQUENCE) - 1 == 392
    assert d["counts"] == [[int(v) for v in row] for row in _printed(CELL_FREQUENCIES)]
    for key, table in (
        ("expected", EXPECTED_FREQUENCIES),
        ("probabilities", TRANSITIONAL_PROBABILITIES),
        ("z", ADJUSTED_RESIDUALS),
        ("yules_q", YULES_Q),
    ):
        wrong = [
            f"{key}[{i + 1}][{j + 1}]: ours {d[key][i][j]}, printed {printed}"
            for i, row in enumerate(_printed(table))
            for j, printed in enumerate(row)
            if not _agrees(d[key][i][j], printed)
        ]
        assert not wrong, wrong
    assert _agrees(d["chi2"], LR_CHI2)
    assert d["df"] == LR_DF
    assert _agrees(d["p"], LR_P)


def test_lag_table_reproduces_oconnor_1999_appendix_b() -> None:
    seq = [f"code-{c}" for c in SEQUENCE]
    _check_against_appendix_b(sq.lag_stats(sq.lag_table(seq, CODES, 1, False)))


def _book_document() -> dict[str, Any]:
    return {
        "schema": "observer.codebook/1",
        "id": "oconnor-1999",
        "version": "1",
        "title": "O'Connor (1999) Appendix A codes",
        "actors": [{"id": "couple", "label": "Couple"}],
        "groups": [{"id": "talk", "label": "Talk"}],
        "codes": [
            {
                "id": code,
                "label": f"Code {i}",
                "group": "talk",
                "actor": "couple",
                "kind": "point",
                "key": "abcdef"[i - 1],
            }
            for i, code in enumerate(CODES, start=1)
        ],
    }


def test_observer_seq_on_a_session_of_the_appendix_a_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The 393 events as point events one second apart, in a session of their codebook.
    book = codebook_from_data(_book_document(), "oconnor-1999")
    events = [(f"code-{c}", float(t), None) for t, c in enumerate(SEQUENCE, start=1)]
    s = session(events, duration=float(len(SEQUENCE) + 1), book=book)
    path = write_session(tmp_path, s)
    code, out, err = run(["seq", str(path), "--format", "json"], capsys)
    assert code == 0, err
    doc = orjson.loads(out)
    assert doc["sessions"][0]["codes"] == CODES
    _check_against_appendix_b(doc["sessions"][0])
    _check_against_appendix_b(doc["pooled"])
