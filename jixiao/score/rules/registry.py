"""The complete rule registry: importing this module registers every rule family, in a fixed order."""

from __future__ import annotations

import pandas as pd

from jixiao.core.errors import RuleError
from jixiao.score.rules import budget, qualitative, quantitative
from jixiao.score.rules.base import REGISTRY, Rule

__all__ = ["get_rule", "list_rules", "FAMILIES"]

#: The rule families in registration order.
FAMILIES = (quantitative, qualitative, budget)


def get_rule(rule_id: str) -> Rule:
    """The registered rule ``rule_id``; RuleError (Chinese, listing valid ids) if unknown."""
    try:
        return REGISTRY[rule_id]
    except (KeyError, TypeError):
        valid = "、".join(f"{r.rule_id}（{r.label}）" for r in REGISTRY.values())
        raise RuleError(f"未知的计分规则「{rule_id}」，可用的规则：{valid}") from None


def list_rules() -> pd.DataFrame:
    """Table of the registered rules: rule_id, label, description, params."""
    rows = [(r.rule_id, r.label, r.description, "、".join(r.param_names)) for r in REGISTRY.values()]
    return pd.DataFrame(rows, columns=["rule_id", "label", "description", "params"])
