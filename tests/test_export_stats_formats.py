"""SPSS .sav, Stata .dta and Parquet exports and ``observer stats --wide``, read back by
independent readers: pyreadstat and R (haven, foreign) for SPSS and Stata, DuckDB and
pyarrow for Parquet, pandas for the wide table (a pivot of the long output).
Every comparison is against observer's own CSV export or long statistics."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import attrs
import pytest
from support.clirun import run
from support.instruments import book as instruments_book
from support.statsformats import SS_RATINGS, STRANGE, study

from observer.export.tables import variable_names
from observer.sessionfile import write_session
from observer.synthetic import make_session

pyreadstat = pytest.importorskip("pyreadstat")
pd = pytest.importorskip("pandas")
duckdb = pytest.importorskip("duckdb")
pq = pytest.importorskip("pyarrow.parquet")

TEXT = ("session", "dyad", "observer", "label", "modifiers", "flags")
CATEGORIES = ("code", "group", "actor", "kind", "segment", "status")
NUMBERS = ("start", "end", "duration")


def _csv_rows(
    paths: list[Path], capsys: pytest.CaptureFixture[str], *args: str
) -> list[dict[str, str]]:
    code, out, err = run(["export", *map(str, paths), "--format", "csv", *args], capsys)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def _number(text: str) -> float | None:
    return None if text == "" else float(text)


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _same_number(a: Any, b: float | None) -> bool:
    if b is None:
        return a is None or (isinstance(a, float) and math.isnan(a))
    return bool(a == b)


def _check_events(frame: Any, rows: list[dict[str, str]]) -> None:
    """A read-back frame (value labels applied) equals the CSV export, row by row."""
    assert list(frame.columns) == list(rows[0])
    assert len(frame) == len(rows)
    for i, row in enumerate(rows):
        got = frame.iloc[i]
        for name in (*TEXT, *CATEGORIES):
            value = got[name]
            value = (
                "" if value is None or (isinstance(value, float) and math.isnan(value)) else value
            )
            assert value == row[name], (i, name, value, row[name])
        for name in NUMBERS:
            assert _same_number(got[name], _number(row[name])), (i, name, got[name], row[name])


async def test_sav_and_dta_events_read_back_by_pyreadstat_equal_the_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = study(tmp_path)
    rows = _csv_rows(paths, capsys)
    for fmt, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        target = tmp_path / f"events.{fmt}"
        code, out, err = run(
            ["export", *map(str, paths), "--format", fmt, "-o", str(target)], capsys
        )
        assert (code, err) == (0, ""), err
        assert out == f"wrote {target} (5 sessions, {len(rows)} events)\n"
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        frame, meta = read(str(target), apply_value_formats=True)
        _check_events(frame, rows)
        labels = meta.column_names_to_labels
        assert labels["start"] == "Onset (s, session clock)" and labels["code"] == "Code (id)"
        coded = meta.variable_to_label
        codes = meta.value_labels[coded["code"]]
        # every code of both codebooks labelled, unused ones too, in codebook order
        assert list(codes.values())[: len(STRANGE.codes)] == [c.id for c in STRANGE.codes]
        assert set(meta.value_labels[coded["actor"]].values()) >= {"caregiver", "child", "stranger"}
        assert list(meta.value_labels[coded["segment"]].values())[:8] == [
            s.id for s in STRANGE.segments
        ]
        raw, _ = read(str(target))  # the numbers behind the labels
        assert raw["code"].dropna().map(float.is_integer).all()


async def test_ratings_sav_and_dta_label_the_strange_situation_classes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = study(tmp_path)
    code, out, err = run(["export", *map(str, paths), "--format", "ratings-csv"], capsys)
    long = list(csv.DictReader(io.StringIO(out)))
    wide_names = list(dict.fromkeys(
        r["rating"] if not r["segment"] else f"{r['rating']}_{r['segment']}" for r in long
    ))  # fmt: skip
    for fmt, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        target = tmp_path / f"ratings.{fmt}"
        code, out, err = run(
            ["export", *map(str, paths), "--format", f"ratings-{fmt}", "-o", str(target)], capsys
        )
        assert (code, err) == (0, ""), err
        assert out == f"wrote {target} (5 sessions, 5 rows)\n"
        frame, meta = read(str(target), apply_value_formats=True)
        assert list(frame["session"]) == [p.stem for p in paths]
        # each category whose values have classes has its class beside it
        classed = [f"{r.id}_class" for r in STRANGE.ratings if r.kind == "category" and r.classes]
        given = ["session", "dyad", "observer", *wide_names, *classed]
        names = variable_names(given)
        column = dict(zip(given, names, strict=True))
        assert set(frame.columns) == set(names)
        # every value of the long ratings CSV is in the wide file, in its variable
        for r in long:
            name = r["rating"] if not r["segment"] else f"{r['rating']}_{r['segment']}"
            got = frame.loc[frame["session"] == r["session"], column[name]].iloc[0]
            if r["value"] == "":
                assert _missing(got)
            elif r["kind"] == "category":
                assert got == r["value"]
                if r["class"]:
                    where = frame["session"] == r["session"]
                    assert frame.loc[where, column[f"{r['rating']}_class"]].iloc[0] == r["class"]
            elif r["kind"] == "pair":  # a forced-alternative pair, as text: D/B3
                assert got == r["value"]
            else:
                assert got == float(r["value"]), (r, got)
        given = [None if _missing(v) else v for v in frame["classification"].astype(object)]
        assert given == ["B2", None, "D", None, None]
        value_labels = meta.value_labels[meta.variable_to_label["classification"]]
        assert list(value_labels.values()) == ["A1", "A2", "B1", "B2", "B3", "B4", "C1", "C2", "D"]
        classes = meta.value_labels[meta.variable_to_label["classification_class"]]
        assert list(classes.values()) == ["A", "B", "C", "D"]
        labels = meta.column_names_to_labels
        assert labels["classification"] == "Attachment classification"
        assert labels[column["ch-proximity-seeking_reunion-1"]] == (
            "Proximity and contact seeking · First reunion"
        )


async def test_ratings_sav_checks_are_labelled_no_yes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = make_session(instruments_book(), 20, seed=3, session_id="S-checks")
    session = attrs.evolve(session, ratings={"i1": True, "i2": False, "class": "A2", "warmth": 4})
    path = write_session(tmp_path, session)
    target = tmp_path / "r.sav"
    assert run(["export", str(path), "--format", "ratings-sav", "-o", str(target)], capsys)[0] == 0
    frame, meta = pyreadstat.read_sav(str(target), apply_value_formats=True)
    assert (frame["i1"][0], frame["i2"][0], frame["class"][0], frame["class_class"][0]) == (
        "yes", "no", "A2", "A",
    )  # fmt: skip
    assert frame["warmth"][0] == 4.0 and frame["checks"][0] == 1.0  # a composite, computed
    raw, meta = pyreadstat.read_sav(str(target))
    assert raw["i1"][0] == 1.0 and meta.variable_value_labels["i1"] == {0.0: "no", 1.0: "yes"}


def _rscript(code: str) -> str:
    done = subprocess.run(
        ["Rscript", "--vanilla", "-e", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _r_has(package: str) -> bool:
    if shutil.which("Rscript") is None:
        return False
    done = subprocess.run(
        ["Rscript", "--vanilla", "-e", f"library({package})"], capture_output=True, timeout=120
    )
    return done.returncode == 0


async def test_r_reads_the_sav_with_haven_and_foreign_and_the_dta_with_haven(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not (_r_has("haven") and _r_has("foreign")):
        pytest.skip(
            "Rscript with haven and foreign is not installed (r-cran-haven, r-cran-foreign)"
        )
    paths = study(tmp_path, events=60)
    rows = _csv_rows(paths, capsys)
    for fmt in ("sav", "dta"):
        assert (
            run(
                ["export", *map(str, paths), "--format", fmt, "-o", str(tmp_path / f"e.{fmt}")],
                capsys,
            )[0]
            == 0
        )
    readers = {
        "haven-sav": f"d <- haven::as_factor(haven::read_sav('{tmp_path}/e.sav'), levels = 'labels')",
        "haven-dta": f"d <- haven::as_factor(haven::read_dta('{tmp_path}/e.dta'), levels = 'labels')",
        "foreign-sav": f"d <- foreign::read.spss('{tmp_path}/e.sav', to.data.frame = TRUE,"
        " use.value.labels = TRUE, reencode = 'UTF-8')",
    }
    for name, read in readers.items():
        out = tmp_path / f"{name}.csv"
        _rscript(
            f"{read}; d[] <- lapply(d, function(x) if (is.factor(x)) as.character(x) else x);"
            f" d[] <- lapply(d, function(x) if (is.character(x)) trimws(x, 'right') else x);"
            f" write.csv(d, '{out}', row.names = FALSE, na = '', fileEncoding = 'UTF-8')"
        )
        frame = pd.read_csv(out, dtype=str, keep_default_na=False)
        for column in NUMBERS:
            frame[column] = frame[column].map(lambda v: None if v == "" else float(v))
        _check_events(frame, rows)
    labels = _rscript(
        f"d <- haven::read_sav('{tmp_path}/e.sav'); cat(attr(d$start, 'label'), '\\n');"
        " cat(names(attr(d$kind, 'labels')), '\\n')"
    )
    assert labels.split("\n")[:2] == ["Onset (s, session clock) ", "point state "]
    ratings = tmp_path / "r.sav"
    assert (
        run(["export", *map(str, paths), "--format", "ratings-sav", "-o", str(ratings)], capsys)[0]
        == 0
    )
    classes = _rscript(
        f"d <- haven::as_factor(haven::read_sav('{ratings}'), levels = 'labels');"
        " cat(as.character(d$classification), '\\n'); cat(as.character(d$classification_class), '\\n');"
        f" f <- foreign::read.spss('{ratings}', to.data.frame = TRUE, reencode = 'UTF-8');"
        " cat(trimws(as.character(f$classification)), '\\n'); cat(levels(f$classification), '\\n')"
    )
    assert classes.split("\n")[:4] == [
        "B2 NA D NA NA ", "B NA D NA NA ", "B2 NA D NA NA ", "A1 A2 B1 B2 B3 B4 C1 C2 D ",
    ]  # fmt: skip


def _stats_totals(
    paths: list[Path], capsys: pytest.CaptureFixture[str]
) -> dict[tuple[str, str], tuple[int, float]]:
    code, out, err = run(["stats", *map(str, paths), "--format", "json"], capsys)
    assert code == 0, err
    totals = {}
    for s in json.loads(out)["sessions"]:
        for c in s["codes"]:
            totals[(s["id"], c["code"])] = (c["count"], c["total_s"] or 0.0)
    return totals


def _duck_totals(query_from: str, where: str = "") -> dict[tuple[str, str], tuple[int, float]]:
    found = duckdb.sql(
        f"SELECT session, code, count(*), coalesce(sum(duration), 0) FROM {query_from} {where}"
        " GROUP BY session, code"
    ).fetchall()
    return {(s, c): (n, total) for s, c, n, total in found}


def _close(
    a: dict[tuple[str, str], tuple[int, float]], b: dict[tuple[str, str], tuple[int, float]]
) -> None:
    used = {k: v for k, v in b.items() if v[0]}
    assert set(a) == set(used)
    for key, (n, total) in a.items():
        assert n == used[key][0], key
        assert total == pytest.approx(used[key][1], abs=5e-6), key


async def test_parquet_file_has_the_csv_columns_typed_and_duckdb_totals_equal_stats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = study(tmp_path)
    target = tmp_path / "all.parquet"
    code, _out, err = run(
        ["export", *map(str, paths), "--format", "parquet", "-o", str(target)], capsys
    )
    assert (code, err) == (0, ""), err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    table = pq.read_table(target)
    assert [str(t) for t in table.schema.types] == [
        "double" if n in NUMBERS else "string" for n in table.schema.names
    ]
    rows = _csv_rows(paths, capsys)
    assert table.schema.names == list(rows[0])
    got = table.to_pylist()
    assert len(got) == len(rows)
    for mine, row in zip(got, rows, strict=True):
        for name in row:
            if name in NUMBERS:
                assert mine[name] == _number(row[name]), (name, mine, row)
            else:
                assert mine[name] == row[name], (name, mine, row)
    _close(_duck_totals(f"read_parquet('{target}')"), _stats_totals(paths, capsys))


async def test_parquet_partitioned_by_site_reads_with_duckdb_hive_partitioning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = study(tmp_path)
    tree = tmp_path / "tree"
    code, out, err = run(
        ["export", *map(str, paths), "--format", "parquet", "-o", str(tree), "--partition", "site"],
        capsys,
    )
    assert (code, err) == (0, ""), err
    assert out.startswith(f"wrote {tree}/ (2 files, 5 sessions, ")
    assert sorted(p.name for p in tree.iterdir()) == ["site=site-a", "site=site-b"]
    for root, _dirs, files in os.walk(tree):
        assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
        for name in files:
            assert stat.S_IMODE(os.stat(Path(root) / name).st_mode) == 0o600
    source = f"read_parquet('{tree}/**/*.parquet', hive_partitioning = true)"
    sites = duckdb.sql(f"SELECT DISTINCT session, site FROM {source} ORDER BY session").fetchall()
    assert sites == [(p.stem, p.parent.name) for p in paths]
    _close(_duck_totals(source), _stats_totals(paths, capsys))
    a = [p for p in paths if p.parent.name == "site-a"]
    _close(_duck_totals(source, "WHERE site = 'site-a'"), _stats_totals(a, capsys))


async def test_parquet_partitioned_by_several_keys_keeps_ids_that_look_like_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = study(tmp_path)
    tree = tmp_path / "tree"
    args = ["--format", "parquet", "-o", str(tree), "--partition", "codebook,observer,dyad"]
    code, _out, err = run(["export", *map(str, paths), *args], capsys)
    assert (code, err) == (0, ""), err
    assert (tree / "codebook=strange-situation" / "observer=obs1" / "dyad=007").is_dir()
    source = (
        f"read_parquet('{tree}/**/*.parquet', hive_partitioning = true,"
        " hive_types_autocast = false)"
    )
    found = duckdb.sql(
        f"SELECT DISTINCT session, codebook, observer, dyad FROM {source}"
    ).fetchall()
    assert sorted(found) == [
        ("S1-007", "strange-situation", "obs1", "007"),
        ("S2-D012", "cpp-attachment", "obs2", "D012"),
        ("S3-D020", "strange-situation", "obs1", "D020"),
        ("S4-1e3", "strange-situation", "obs3", "1e3"),
        ("S5-D021", "cpp-attachment", "obs2", "D021"),
    ]
    # the key columns are in the folder names, not repeated in the files
    one = next(tree.rglob("*.parquet"))
    assert {"dyad", "observer", "codebook"}.isdisjoint(pq.read_schema(one).names)
    assert "session" in pq.read_schema(one).names
    _close(_duck_totals(source), _stats_totals(paths, capsys))


async def test_parquet_refusals_leave_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = study(tmp_path, events=20)
    names = list(map(str, paths))
    bad_site = tmp_path / "site c"
    bad_site.mkdir()
    odd = bad_site / "S9.json"
    odd.write_bytes(paths[0].read_bytes().replace(b'"S1-007"', b'"S9"'))
    tree = tmp_path / "tree"
    code, _, err = run(
        ["export", *names, str(odd), "--format", "parquet", "-o", str(tree), "--partition", "site"],
        capsys,
    )
    assert code == 2 and "cannot be a site" in err and str(odd) in err
    assert not tree.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".tree")]
    broken = tmp_path / "site-b" / "broken.json"
    broken.write_text("{")
    code, _, err = run(
        [
            "export",
            *names,
            str(broken),
            "--format",
            "parquet",
            "-o",
            str(tree),
            "--partition",
            "site",
        ],
        capsys,
    )
    assert code == 2 and str(broken) in err and not tree.exists()
    tree.mkdir()
    (tree / "x").write_text("")
    code, _, err = run(
        ["export", *names, "--format", "parquet", "-o", str(tree), "--partition", "site"], capsys
    )
    assert code == 2 and "not empty" in err
    code, _, err = run(["export", *names, "--format", "parquet", "-o", str(tree)], capsys)
    assert code == 2 and "--partition" in err
    code, _, err = run(["export", *names, "--format", "csv", "--partition", "site"], capsys)
    assert code == 2 and "--partition is for --format parquet" in err
    code, _, err = run(
        ["export", *names, "--format", "parquet", "--partition", "site,room", "-o", "t"], capsys
    )
    assert code == 2 and "site, codebook, observer, dyad" in err
    code, _, err = run(["export", *names, "--format", "sav"], capsys)
    assert code == 2 and "give -o FILE" in err
    existing = tmp_path / "e.sav"
    existing.write_bytes(b"mine")
    code, _, err = run(["export", *names, "--format", "sav", "-o", str(existing)], capsys)
    assert code == 2 and "never overwrites" in err and existing.read_bytes() == b"mine"


async def test_without_the_formats_extra_the_command_says_which_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec

    def gone(name: str, *args: Any) -> Any:
        return None if name in ("pyreadstat", "pyarrow") else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", gone)
    paths = study(tmp_path, events=10)
    for argv in (
        ["export", str(paths[0]), "--format", "sav", "-o", str(tmp_path / "x.sav")],
        ["export", str(paths[0]), "--format", "parquet", "-o", str(tmp_path / "x.parquet")],
        ["stats", str(paths[0]), "--wide", "--format", "dta", "-o", str(tmp_path / "x.dta")],
    ):
        code, out, err = run(argv, capsys)
        assert code == 2 and out == "", err
        assert "pip install 'observer[formats]'" in err and err.count("\n") == 1, err
    assert not list(tmp_path.glob("x.*"))


def _pivot(long: Any, index: list[str]) -> Any:
    """The long ``observer stats --format csv`` pivoted to one row per ``index``."""
    fields = {"count": "count", "rate_per_min": "rate", "total_s": "duration", "mean_s": "mean"}
    melted = long.melt(id_vars=[*index, "code"], value_vars=list(fields), var_name="field")
    melted["column"] = melted["code"] + "_" + melted["field"].map(fields)
    return melted.pivot_table(index=index, columns="column", values="value", aggfunc="first")


async def test_stats_wide_equals_a_pandas_pivot_of_the_long_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = study(tmp_path)
    names = list(map(str, paths))
    for by in ([], ["--by", "segment"]):
        code, out, err = run(["stats", *names, "--format", "csv", *by], capsys)
        assert code == 0, err
        long = pd.read_csv(
            io.StringIO(out), dtype={"session": str, "segment": str}, keep_default_na=False
        )
        for f in ("count", "rate_per_min", "total_s", "mean_s"):
            long[f] = pd.to_numeric(long[f])
        index = ["session", "segment"] if by else ["session"]
        expected = _pivot(long, index)
        code, out, err = run(["stats", *names, "--format", "csv", "--wide", *by], capsys)
        assert code == 0, err
        wide = pd.read_csv(
            io.StringIO(out),
            dtype={"session": str, "dyad": str, "segment": str},
            keep_default_na=False,
        )
        assert list(wide.columns[:3]) == ["session", "dyad", "observer"]
        assert len(wide) == len(expected)
        wide_by = wide.set_index(index)
        stat_columns = [
            c
            for c in wide.columns
            if "_" in c and c.rsplit("_", 1)[-1] in ("count", "rate", "duration", "mean")
        ]
        # point codes have no duration or mean column; state codes have all four
        assert (
            "cg-present_duration" in stat_columns
            and "cg-warm-touch_duration" not in stat_columns
            and "cg-warm-touch_rate" in stat_columns
        )
        for column in stat_columns:
            for key, value in wide_by[column].items():
                want = expected.loc[key, column] if column in expected.columns else None
                got = pd.to_numeric(value) if value != "" else None
                if got is None or (isinstance(want, float) and math.isnan(want)):
                    assert got is None and (want is None or math.isnan(want) or want == "")
                else:
                    assert got == pytest.approx(want, abs=1e-9), (key, column)
        first = wide_by.loc[("S1-007", "") if by else "S1-007"]
        assert first["classification"] == "B2" and first["classification_class"] == "B"
        if by:
            reunion = wide_by.loc[("S1-007", "reunion-1")]
            assert reunion["ch-proximity-seeking"] == "5" and reunion["classification"] == ""
        else:
            assert first["ch-proximity-seeking_reunion-1"] == "5"
            assert first["ch-disorganization"] == "2"


async def test_stats_wide_as_sav_and_parquet_equals_the_wide_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = study(tmp_path)
    names = list(map(str, paths))
    code, out, err = run(["stats", *names, "--wide", "--by", "segment", "--format", "csv"], capsys)
    wide = list(csv.DictReader(io.StringIO(out)))
    for fmt in ("sav", "dta", "parquet"):
        target = tmp_path / f"wide.{fmt}"
        code, out, err = run(
            ["stats", *names, "--wide", "--by", "segment", "--format", fmt, "-o", str(target)],
            capsys,
        )
        assert (code, out, err) == (0, "", ""), err
        if fmt == "parquet":
            got = pq.read_table(target).to_pylist()
            assert list(got[0]) == list(wide[0])
            columns = {n: n for n in wide[0]}
        else:
            reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
            frame, meta = reader(str(target), apply_value_formats=True)
            got = frame.to_dict("records")
            columns = dict(zip(wide[0], variable_names(list(wide[0])), strict=True))
            assert meta.column_names == list(columns.values())
            labels = meta.column_names_to_labels
            assert (
                labels[columns["cg-present_duration"]]
                == "Caregiver in the room (cg-present): total duration (s)"
            )
        assert len(got) == len(wide)
        for mine, row in zip(got, wide, strict=True):
            for name, text in row.items():
                value = mine[columns[name]]
                if isinstance(value, float) and math.isnan(value):
                    value = None
                if text == "":
                    assert value in (None, ""), (fmt, name, value)
                elif isinstance(value, str):
                    assert value == text, (fmt, name)
                else:
                    assert float(value) == pytest.approx(float(text), abs=1e-9), (fmt, name)


async def test_stats_wide_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = study(tmp_path, events=10)
    name = str(paths[0])
    for argv, message in (
        (["--wide"], "--wide is written as csv, tsv, sav, dta, parquet, not table"),
        (["--wide", "--format", "json"], "not json"),
        (["--format", "sav", "-o", "x.sav"], "add --wide"),
        (["--wide", "--format", "parquet"], "give -o FILE"),
    ):
        code, out, err = run(["stats", name, *argv], capsys)
        assert code == 2 and message in err and out == "", (argv, err)


def test_variable_names_fit_spss_and_stata() -> None:
    names = variable_names(
        [
            "session",
            "cg-shares-play_count",
            "7up",
            "with",
            "a.b",
            "a-b",
            "x" * 40,
            "x" * 40 + "y",
            "str12",
            "_n",
        ]
    )
    assert names == [
        "session", "cg_shares_play_count", "v_7up", "with_", "a_b", "a_b_2", "x" * 32,
        "x" * 30 + "_2", "str12_", "v__n",
    ]  # fmt: skip
    assert SS_RATINGS[0]["classification"] == "B2"


async def test_parquet_is_written_as_the_sessions_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from observer.export import parquet
    from observer.study.loading import load_sessions

    monkeypatch.setattr(parquet, "BATCH_ROWS", 1)  # a row group per session
    paths = study(tmp_path, events=30)
    read: list[str] = []

    def sessions() -> Any:
        for _, session in load_sessions(paths):
            read.append(session.id)
            yield session

    chunks = parquet.parquet_chunks(sessions())
    sizes = []
    for chunk in chunks:
        sizes.append((len(read), len(chunk)))
    # the first session's row group is out before the second session is read
    assert [n for n, size in sizes if size][:2] == [1, 2] and read == [p.stem for p in paths]


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "--format", "parquet", "-o", "OUT"],
        ["export", "--format", "sav", "-o", "OUT"],
        ["export", "--format", "ratings-dta", "-o", "OUT"],
        ["stats", "--wide", "--format", "parquet", "-o", "OUT"],
        ["stats", "--wide", "--format", "csv", "-o", "OUT"],
    ],
)
async def test_a_bad_last_file_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    paths = study(tmp_path, events=20)
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": 1}')
    target = tmp_path / "out"
    argv = [str(target) if a == "OUT" else a for a in argv]
    code, out, err = run([*argv, *map(str, paths), str(bad)], capsys)
    assert code == 2 and out == "" and err.startswith(f"{bad}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "site-a", "site-b"]


async def test_arrow_arrays_made_from_buffers_hold_every_cell() -> None:
    from observer.export.tables import arrow_array

    cells: dict[str, list[Any]] = {
        "text": ["", "Apart, not engaged", None, "é\u00e0 ✓", "", "x" * 1000],
        "category": ["A1", None, "D", "A1", "B2", None],
        "number": [0.0, None, -1.5, 1e-6, 123456.654321, None],
        "integer": [0, 3, None, -7, 2**40, 1],
        "check": [True, False, None, True, None, False],
    }
    for kind, values in cells.items():
        assert arrow_array(kind, values).to_pylist() == values, kind
    assert arrow_array("text", []).to_pylist() == []


async def test_a_partition_whose_file_was_closed_goes_on_in_its_next_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from observer.export import parquet

    monkeypatch.setattr(parquet, "BATCH_ROWS", 1)  # every session written as it comes
    monkeypatch.setattr(parquet, "OPEN_FILES", 1)
    paths = study(tmp_path, events=40)
    mixed = [paths[0], paths[2], paths[1], paths[3], paths[4]]  # site a, b, a, b, b
    tree = tmp_path / "tree"
    code, out, err = run(
        ["export", *map(str, mixed), "--format", "parquet", "-o", str(tree), "--partition", "site"],
        capsys,
    )
    assert (code, err) == (0, ""), err
    assert out.startswith(f"wrote {tree}/ (4 files, 5 sessions, ")
    assert sorted(str(p.relative_to(tree)) for p in tree.rglob("*.parquet")) == [
        "site=site-a/part-0.parquet", "site=site-a/part-1.parquet",
        "site=site-b/part-0.parquet", "site=site-b/part-1.parquet",
    ]  # fmt: skip
    source = f"read_parquet('{tree}/**/*.parquet', hive_partitioning = true)"
    _close(_duck_totals(source), _stats_totals(paths, capsys))
