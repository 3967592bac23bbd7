"""Every template line is at most 160 characters (scripts/template_width.py, also run by `make lint`)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _checker():
    spec = importlib.util.spec_from_file_location("template_width", ROOT / "scripts" / "template_width.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_template_line_is_longer_than_160_characters():
    assert _checker().long_lines() == []


def test_the_check_names_file_and_line(tmp_path):
    templates = tmp_path / "xinzhi" / "app" / "templates" / "app"
    templates.mkdir(parents=True)
    (templates / "page.html").write_text("<p>short</p>\n" + "<p>" + "长" * 160 + "</p>\n", encoding="utf-8")
    assert _checker().long_lines(tmp_path / "xinzhi") == [
        "xinzhi/app/templates/app/page.html:2: 167 characters (at most 160)"
    ]
