"""Params-file slips typed on a Chinese keyboard: Chinese message, the slip's own line, a suggestion."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jixiao.core.errors import ParamsError
from jixiao.run.params import load_params_document
from tests.conftest import PARAMS_DIR

REAL = (PARAMS_DIR / "xinhong-2023.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def _broken(old: str, new: str) -> tuple[str, int]:
    """The real sample params file with one slip typed in; the slip's 1-based line."""
    assert old in REAL, old
    text = REAL.replace(old, new, 1)
    return text, _line_of(text, new.strip("\n").splitlines()[-1] if "\n" in new else new)


CASES = {
    "全角冒号": (("year: ", "year："), "全角冒号", "year: 2023"),
    "全角空格缩进": (("  self_evaluation: ", "\u3000self_evaluation: "), "全角空格", "半角空格"),
    "全角空格（冒号后）": (("display_name: ", "display_name:\u3000"), "全角空格", "display_name: "),
    "制表符缩进": (("  self_evaluation: ", "\tself_evaluation: "), "制表符", "空格"),
    "冒号后缺空格": (("year: ", "year:"), "缺少空格", "year: 2023"),
    "特殊字符开头": (("display_name: ", "display_name: @"), "特殊字符「@」", '"@'),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_slip_has_chinese_message_with_its_line_and_a_suggestion(tmp_path: Path, name: str) -> None:
    (old, new), problem, suggestion = CASES[name]
    text, line = _broken(old, new)
    path = tmp_path / "xinhong-2023.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_params_document(path)
    message = str(info.value)
    assert f"第 {line} 行" in message, message
    assert problem in message and "建议" in message and suggestion in message, message
    assert str(path) in message
    # never the raw parser message: no English words besides the file's own keys
    rest = re.sub(r"self_evaluation|display_name|year", "", message.replace(str(path), ""))
    assert not re.search(r"[A-Za-z]{4,}", rest), message


def test_full_width_colon_inside_a_value_is_not_a_slip(tmp_path: Path) -> None:
    path = tmp_path / "u.yaml"
    path.write_text(REAL.replace("display_name: ", "display_name: 上海市：闵行区", 1), encoding="utf-8")
    assert str(load_params_document(path)["display_name"]).startswith("上海市：闵行区")


def test_unrecognised_syntax_error_is_still_chinese(tmp_path: Path) -> None:
    path = tmp_path / "u.yaml"
    path.write_text(REAL + "weight_scheme: [table\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_params_document(path)
    message = str(info.value).replace(str(path), "")
    assert "YAML 格式错误" in message and "建议" in message
    assert not re.search(r"[A-Za-z]{4,}", message.replace("YAML", "")), message
