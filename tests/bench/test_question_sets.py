"""The labelled question sets in bench/data/ pass their checker and are split deterministically."""

from __future__ import annotations

import importlib
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"
SETS = ("long", "short", "offtopic", "long2", "short2", "offtopic2", "long3", "short3", "offtopic3", "english2",
        "long4", "short4", "offtopic4", "english3", "long5", "short5", "offtopic5", "english4",
        "long6", "short6", "offtopic6", "english5", "long7", "short7", "offtopic7", "english6",
        "long8", "short8", "offtopic8", "long9", "short9", "offtopic9", "english7",
        "long10", "short10", "offtopic10", "long11", "short11", "offtopic11",
        "long12", "short12", "offtopic12")


@dataclass(frozen=True)
class Result:
    """Exit status and output of one script run."""

    returncode: int
    stdout: str
    stderr: str


Runner = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Iterator[Runner]:
    """Run a bench/data script's main() in-process (the scripts import each other by file name)."""
    sys.path.insert(0, str(DATA))
    try:
        modules: dict[str, ModuleType] = {n: importlib.import_module(n) for n in ("check", "split", "questions")}

        def call(script: str, *args: str) -> Result:
            capsys.readouterr()
            code = modules[script.removesuffix(".py")].main(list(args))
            out = capsys.readouterr()
            return Result(code, out.out, out.err)

        yield call
    finally:
        sys.path.remove(str(DATA))


def rows(path: Path) -> list[str]:
    """The question lines of a TSV file (comments skipped)."""
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


def test_the_sets_pass_the_checker(run: Runner) -> None:
    result = run("check.py")
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
    assert "long: " in result.stdout and "distinct fields" in result.stdout


def test_the_split_parts_are_up_to_date_disjoint_and_balanced(run: Runner) -> None:
    assert run("split.py", "--check").returncode == 0
    for name in SETS:
        combined = rows(DATA / f"{name}.tsv")
        train, test = rows(DATA / f"{name}_train.tsv"), rows(DATA / f"{name}_test.tsv")
        assert sorted(train + test) == sorted(combined)
        assert not set(train) & set(test)
        assert 0.35 <= len(test) / len(combined) <= 0.65, name


@pytest.fixture
def broken_copy(tmp_path: Path) -> Path:
    """A copy of the sets that the tests below break in one place each."""
    for name in SETS:
        shutil.copy(DATA / f"{name}.tsv", tmp_path / f"{name}.tsv")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("short", "lam cccd\t9.999999", "not in the catalog"),
        ("short", "lam cccd moi\t1.014061\textra", "column"),
        ("short", "Lam CCCD\t1.014061", "duplicate"),
        ("long", "Tôi mất sổ đỏ, làm lại ở đâu?\t1.012786", "characters"),
        ("offtopic", "xin chao ban oi nhe\t1.000894", "NONE"),
        ("short", "dk ket hon nhanh\tNONE", "NONE in a procedure set"),
        ("short3", "dk ket hon nhanh\tNONE,1.000894", "NONE in a procedure set"),
    ],
)
def test_the_checker_reports_each_kind_of_problem(
    run: Runner, broken_copy: Path, name: str, line: str, message: str
) -> None:
    path = broken_copy / f"{name}.tsv"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    result = run("check.py", "--data", str(broken_copy))
    assert result.returncode == 1
    assert message in result.stderr
    assert f"{name}.tsv:" in result.stderr


def test_the_checker_requires_enough_questions(run: Runner, broken_copy: Path) -> None:
    path = broken_copy / "offtopic.tsv"
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:20]) + "\n", encoding="utf-8")
    result = run("check.py", "--data", str(broken_copy))
    assert result.returncode == 1
    assert "at least 80 required" in result.stderr


def test_a_stale_split_is_reported(run: Runner, broken_copy: Path) -> None:
    for name in SETS:
        for suffix in ("train", "test"):
            shutil.copy(DATA / f"{name}_{suffix}.tsv", broken_copy / f"{name}_{suffix}.tsv")
    assert run("split.py", "--check", "--data", str(broken_copy)).returncode == 0
    path = broken_copy / "short.tsv"
    path.write_text(path.read_text(encoding="utf-8") + "lam cccd gap\t1.014061\n", encoding="utf-8")
    assert run("split.py", "--check", "--data", str(broken_copy)).returncode == 1


def test_a_few_questions_about_procedures_the_catalog_lacks_are_allowed_where_the_set_says_so(
    run: Runner, broken_copy: Path
) -> None:
    path = broken_copy / "short3.tsv"
    path.write_text(path.read_text(encoding="utf-8") + "xin tro cap that nghiep gap\tNONE\n", encoding="utf-8")
    assert run("check.py", "--data", str(broken_copy)).returncode == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    questions = sum(1 for line in lines if not line.startswith("#"))
    gaps = [f"xin giay to so {i} khong co\tNONE" for i in range(questions // 5)]
    path.write_text("\n".join([*lines, *gaps]) + "\n", encoding="utf-8")
    result = run("check.py", "--data", str(broken_copy))
    assert result.returncode == 1
    assert "labelled NONE, at most 10% allowed" in result.stderr


def test_the_catalog_examples_are_the_training_questions_and_hold_no_held_out_one(run: Runner) -> None:
    assert run("questions.py", "--check").returncode == 0
    sys.path.insert(0, str(DATA))
    try:
        fold = importlib.import_module("check").fold
    finally:
        sys.path.remove(str(DATA))
    catalog = DATA.parents[1] / "procedures_catalog" / "questions.tsv"
    examples = {fold(line.split("\t", 1)[0]) for line in rows(catalog)}
    # (bench/search_bench.py leaves out of the examples any question of a set it measures, so a short question
    # a shared validation set happens to word the same way is not recalled there either)
    for path in [DATA / "english_heldout.tsv", *DATA.glob("*_test.tsv")]:
        leaked = [line for line in rows(path) if fold(line.split("\t", 1)[0]) in examples]
        assert not leaked, (path.name, leaked[:3])
    written = [*DATA.glob("*_train.tsv"), *DATA.glob("examples.tsv")]  # training parts, examples only
    assert examples <= {fold(line.split("\t", 1)[0]) for path in written for line in rows(path)}


def test_an_office_example_above_the_marker_is_kept_when_the_file_is_written_again(run: Runner, tmp_path: Path) -> None:
    target = tmp_path / "questions.tsv"
    assert run("questions.py", "--target", str(target)).returncode == 0
    text = target.read_text(encoding="utf-8")
    marker = next(line for line in text.splitlines() if line.startswith("# ---"))
    target.write_text(text.replace(marker, "xin giay xac nhan cu tru cho con\t1.004194\n" + marker), encoding="utf-8")
    assert run("questions.py", "--check", "--target", str(target)).returncode == 0
    assert run("questions.py", "--target", str(target)).returncode == 0
    assert "xin giay xac nhan cu tru cho con\t1.004194\n" + marker in target.read_text(encoding="utf-8")
