"""Field checks of a params document: each failure a ParamsError naming the file, the key and the line."""

from __future__ import annotations

import difflib
import math
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from ruamel.yaml.comments import CommentedMap

from jixiao.core.errors import ParamsError
from jixiao.core.textnorm import normalize_text
from jixiao.core.vocab import DEFAULT_GRADE_BANDS, INPUT_KINDS, TIER_ALIASES, TIERS, WEIGHT_SCHEMES, Tolerances
from jixiao.score.overrides import Override

__all__ = ["ParamsValidator", "did_you_mean", "line_of", "shown"]

_OVERRIDE_KEYS = ("score", "reason", "tier")
_TOLERANCE_KEYS = ("score", "money", "rate")
# Chinese words users may write instead of a key: used for "did you mean" only.
_KEY_HINTS = {
    "单位编号": "unit_id",
    "单位名称": "display_name",
    "名称": "display_name",
    "年度": "year",
    "年份": "year",
    "输入": "inputs",
    "输入文件": "inputs",
    "权重方案": "weight_scheme",
    "权重": "weight_scheme",
    "等级": "grade_bands",
    "等级划分": "grade_bands",
    "容差": "tolerances",
    "评价人": "evaluator",
    "复核人": "evaluator",
    "覆盖": "overrides",
    "复核调整": "overrides",
    "自评表": "self_evaluation",
    "申报表": "declaration",
    "报告": "report",
    "自评报告": "report",
    "分数": "score",
    "得分": "score",
    "理由": "reason",
    "原因": "reason",
    "档次": "tier",
}


def shown(value: Any, limit: int = 40) -> str:
    """A value as a message may show it: mappings and lists by kind, text cut to ``limit`` characters."""
    if isinstance(value, dict):
        return "（映射）"
    if isinstance(value, (list, tuple, set)):
        return "（列表）"
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def did_you_mean(word: str, choices: list[str]) -> str:
    hint = _KEY_HINTS.get(normalize_text(word))
    if hint in choices:
        return f"，是否想写「{hint}」？"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"，是否想写「{close[0]}」？" if close else ""


class ParamsValidator:
    """Field checks that raise ParamsError naming the file, the key and the line."""

    def __init__(self, path: Path, doc: CommentedMap) -> None:
        self.path = path
        self.doc = doc

    def fail(self, key: str, message: str, node: Any = None, name: Any = None) -> NoReturn:
        line = line_of(node if node is not None else self.doc, name if name is not None else key.split(".")[-1])
        suffix = f"（第 {line} 行）" if line else ""
        raise ParamsError(message + suffix, path=str(self.path), key=key)

    def check_keys(self, node: Any, allowed: tuple[str, ...], prefix: str, required: tuple[str, ...] = ()) -> None:
        if not isinstance(node, dict):
            self.fail(prefix.rstrip("."), "应为「键: 值」映射")
        for key in node:
            if str(key) not in allowed:
                hint = did_you_mean(str(key), list(allowed))
                self.fail(prefix + str(key), f"未知的键{hint or '。'}可用的键：{'、'.join(allowed)}", node, key)
        for key in required:
            if key not in node or node[key] is None:
                self.fail(prefix + key, "缺少必填的键")

    def text(self, node: dict, key: str, required: bool = True) -> str:
        value = node.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"应为非空文本，这里是「{shown(value)}」")
        return str(value).strip()

    def year(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
            self.fail("year", f"应为四位数的年度（如 2023），这里是「{shown(value)}」")
        return int(value)

    def number(self, value: Any, key: str, node: Any, name: Any, minimum: float = 0.0) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(key, f"应为有限的数字，这里是「{shown(value)}」", node, name)
        if value < minimum:
            self.fail(key, f"不能为负数，这里是 {value:g}", node, name)
        return float(value)

    def inputs(self, node: Any) -> dict[str, Path | None]:
        self.check_keys(node, tuple(INPUT_KINDS), "inputs.")
        given = {k: v for k, v in node.items() if v not in (None, "")}
        if not given:
            choices = "、".join(f"{k}（{v}）" for k, v in INPUT_KINDS.items())
            self.fail("inputs", f"至少要给出一个输入文件：{choices}")
        resolved: dict[str, Path | None] = dict.fromkeys(INPUT_KINDS)
        for kind, raw in given.items():
            if not isinstance(raw, str):
                self.fail(f"inputs.{kind}", f"应为文件路径，这里是「{shown(raw)}」", node, kind)
            path = (self.path.parent / raw).resolve()
            if not path.is_file():
                self.fail(
                    f"inputs.{kind}",
                    f"{INPUT_KINDS[kind]}文件不存在：{path}（相对路径按参数文件所在目录解析）",
                    node,
                    kind,
                )
            resolved[kind] = path
        return resolved

    def weight_scheme(self, value: Any) -> str | dict[str, float]:
        if isinstance(value, str):
            if value not in WEIGHT_SCHEMES:
                choices = "、".join(f"{k}（{v}）" for k, v in WEIGHT_SCHEMES.items())
                hint = did_you_mean(value, list(WEIGHT_SCHEMES))
                self.fail(
                    "weight_scheme", f"未知的权重方案「{shown(value)}」{hint}可选：{choices}，或按一级指标给出权重"
                )
            return str(value)
        if not isinstance(value, dict) or not value:
            self.fail("weight_scheme", "应为方案名称，或「一级指标: 权重」映射")
        weights = {normalize_text(k): self.number(v, f"weight_scheme.{k}", value, k) for k, v in value.items()}
        total = sum(weights.values())
        if abs(total - 100) > 0.01:
            self.fail("weight_scheme", f"各一级指标权重之和应为 100，这里是 {total:g}")
        return weights

    def grade_bands(self, node: Any) -> dict[str, float]:
        self.check_keys(node, tuple(DEFAULT_GRADE_BANDS), "grade_bands.")
        bands = dict(DEFAULT_GRADE_BANDS)
        for name, value in node.items():
            bands[str(name)] = self.number(value, f"grade_bands.{name}", node, name)
        edges = list(bands.values())
        if any(v > 100 for v in edges) or edges != sorted(edges, reverse=True) or len(set(edges)) < len(edges):
            shown = "、".join(f"{k} {v:g}" for k, v in bands.items())
            self.fail("grade_bands", f"等级下限应在 0–100 之间且 优 > 良 > 中，这里是 {shown}")
        return bands

    def tolerances(self, node: Any, base: Tolerances) -> Tolerances:
        self.check_keys(node, _TOLERANCE_KEYS, "tolerances.")
        values = {k: self.number(v, f"tolerances.{k}", node, k) for k, v in node.items()}
        return replace(base, **values)

    def overrides(self, node: Any) -> tuple[Override, ...]:
        if not isinstance(node, dict):
            self.fail("overrides", "应为「指标名称或编号: {score: 分数, reason: 理由}」映射")
        result = []
        for indicator, spec in node.items():
            key = f"overrides.{indicator}"
            if not isinstance(spec, dict):
                self.fail(key, "应为 {score: 分数, reason: 理由} 映射", node, indicator)
            self.check_keys(spec, _OVERRIDE_KEYS, key + ".")
            if "score" not in spec:
                self.fail(key + ".score", "缺少复核分", node, indicator)
            score = self.number(spec["score"], key + ".score", spec, "score")
            reason = spec.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                self.fail(key + ".reason", "调整复核分必须写明理由（reason）", node, indicator)
            tier = spec.get("tier")
            if tier is not None:
                tier = TIER_ALIASES.get(normalize_text(tier), normalize_text(tier))
                if tier not in TIERS:
                    self.fail(
                        key + ".tier", f"未知的档次「{shown(spec['tier'])}」，可选：{'、'.join(TIERS)}", spec, "tier"
                    )
            result.append(Override(str(indicator), score, str(reason).strip(), tier))
        return tuple(result)


def line_of(node: Any, key: Any) -> int | None:
    """1-based line of ``key`` in a ruamel mapping, or None."""
    try:
        return node.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return None
