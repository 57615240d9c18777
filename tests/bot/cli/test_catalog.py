"""``python -m bot`` as an office runs it, in a subprocess: a start during a broken catalog edit, a fresh
install with a broken catalog, ``catalog reload`` and its removal guard, ``catalog add-question``, JSON logs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _config(tmp_path: Path, catalog: Path, log_format: str = "text") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f"""
[database]
url = "sqlite:///{tmp_path / 'assistant.db'}"
[catalog]
path = "{catalog}"
cache_path = "{tmp_path / 'cache.pickle'}"
state_dir = "{tmp_path / 'var'}"
[logging]
format = "{log_format}"
[channels.telegram]
enabled = false
""", encoding="utf-8")  # fmt: skip
    return config


def _bot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "ASSISTANT_"))}
    env["ASSISTANT_SECRET_KEY"] = "k" * 40
    return subprocess.run([sys.executable, "-m", "bot", "--config", str(config), *args], cwd=ROOT, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)  # fmt: skip


def _break(catalog: Path) -> tuple[Path, int]:
    path = next(catalog.rglob("1.000894.toml"))
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("name = "))
    lines[line - 1] = lines[line - 1].rstrip('"')  # an unclosed string
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, line


def test_a_start_during_a_broken_edit_serves_the_last_good_catalog_and_logs_json(
    catalog_root: Path, tmp_path: Path
) -> None:
    config = _config(tmp_path, catalog_root, "json")
    first = _bot(config, "catalog", "reload")
    assert first.returncode == 0 and "catalog accepted: 10 procedures" in first.stdout
    path, line = _break(catalog_root)

    started = _bot(config, "chat")
    assert started.returncode == 0, started.stderr
    assert "Traceback" not in started.stderr
    records = [json.loads(text) for text in started.stderr.splitlines() if text.strip()]  # every line is JSON
    [problem] = [r for r in records if f"{path}:{line}:" in r["message"]]
    assert problem["level"] == "ERROR" and problem["logger"] == "bot.knowledge" and problem["time"].endswith("+00:00")
    assert "last good catalog (10 procedures)" in problem["message"]

    search = _bot(config, "search", "đăng ký kết hôn")  # a procedure of the broken file, from the snapshot
    assert search.returncode == 0 and "1.000894" in search.stdout


def test_a_fresh_install_with_a_broken_catalog_refuses_to_start(catalog_root: Path, tmp_path: Path) -> None:
    path, line = _break(catalog_root)
    started = _bot(_config(tmp_path, catalog_root), "chat")
    assert started.returncode == 3
    assert f"{path}:{line}: " in started.stderr and "cannot start" in started.stderr
    assert "Traceback" not in started.stderr


def test_catalog_reload_refuses_a_mass_deletion_until_allowed(catalog_root: Path, tmp_path: Path) -> None:
    config = _config(tmp_path, catalog_root)
    assert _bot(config, "catalog", "reload").returncode == 0
    folder = next(catalog_root.rglob("1.000894.toml")).parent
    gone = sorted(p.stem for p in folder.glob("*.toml"))
    shutil.rmtree(folder)

    refused = _bot(config, "catalog", "reload")
    assert refused.returncode == 1
    assert f"removes {len(gone)} of 10 procedures (more than 1%): {', '.join(gone)}" in refused.stderr
    assert "--allow-removals" in refused.stderr

    accepted = _bot(config, "catalog", "reload", "--allow-removals")
    assert accepted.returncode == 0, accepted.stderr
    assert f"catalog accepted: {10 - len(gone)} procedures" in accepted.stdout
    assert _bot(config, "catalog", "reload").returncode == 0  # the accepted catalog is now the last good one


def test_the_alias_check_lists_an_alias_that_finds_another_procedure(catalog_root: Path, tmp_path: Path) -> None:
    path = next(catalog_root.rglob("1.000894.toml"))
    text = path.read_text(encoding="utf-8")
    assert "aliases = []" in text
    # a good everyday name, and one that names another procedure by its code
    aliases = 'aliases = ["đăng ký kết hôn", "hồ sơ như 1.009129"]'
    path.write_text(text.replace("aliases = []", aliases), encoding="utf-8")
    result = _bot(_config(tmp_path, catalog_root), "catalog", "aliases")
    assert result.returncode == 0, result.stderr
    assert "1.000894: 'hồ sơ như 1.009129' → answered: 1.009129" in result.stdout
    assert "'đăng ký kết hôn'" not in result.stdout
    assert "2 aliases; 1 find their own procedure first; 1 do not (1 of them answered with another procedure)" in (
        result.stdout
    )


def test_an_example_question_is_added_above_the_generated_lines_and_bad_ones_are_refused(
    catalog_root: Path, tmp_path: Path
) -> None:
    from bot.catalog.loader import load_catalog
    from bot.catalog.questions import MARKER, QUESTIONS_FILE

    path = catalog_root / QUESTIONS_FILE
    path.write_text(f"# câu hỏi mẫu\n{MARKER}\nlam giay ket hon\t1.000894\n", encoding="utf-8")
    config = _config(tmp_path, catalog_root)
    added = _bot(config, "catalog", "add-question", "  đăng ký  kết hôn\tở xã  ", "1.000894")
    assert added.returncode == 0, added.stderr
    assert f"{path}:2: added → Thủ tục đăng ký kết hôn" in added.stdout
    assert path.read_text(encoding="utf-8").splitlines()[1:3] == ["đăng ký kết hôn ở xã\t1.000894", MARKER]
    assert [e.question for e in load_catalog(catalog_root).questions] == ["đăng ký kết hôn ở xã", "lam giay ket hon"]
    again = _bot(config, "catalog", "add-question", "Dang ky ket hon o xa", "1.000894")
    assert again.returncode == 1 and "câu hỏi đã có ở dòng 2" in again.stderr
    unknown = _bot(config, "catalog", "add-question", "xin giấy gì đó", "9.999999")
    assert unknown.returncode == 1 and "không có thủ tục mã 9.999999" in unknown.stderr
    empty = _bot(config, "catalog", "add-question", "   ", "1.000894")
    assert empty.returncode == 1 and f"{path}: câu hỏi để trống" in empty.stderr
    assert len(path.read_text(encoding="utf-8").splitlines()) == 4  # nothing else written
    gap = _bot(config, "catalog", "add-question", "xin trợ cấp thất nghiệp", "NONE")
    assert gap.returncode == 0 and "added → no procedure of the catalog" in gap.stdout
    assert "xin trợ cấp thất nghiệp\tNONE" in path.read_text(encoding="utf-8")
