"""ipywidgets for interactive review in JupyterLab: a unit's review panel and the portfolio explorer.

``review_panel("xinhong-2023")`` shows the indicator table with filters, each indicator's self,
rule and review scores, an editor for the review score (with reason and qualitative tier), a
what-if on 完成值 and the weight scheme; the total, grade and level-1 chart follow every change.
Save writes the review scores into ``params/<unit>.yaml`` (comments kept), so ``jixiao run``
reproduces them. The edit model is :class:`jixiao.interactive.session.ReviewSession`; this module
only draws it (its HTML in :mod:`jixiao.interactive.panel_html`); the portfolio explorer is
:mod:`jixiao.interactive.explorer`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as w
import pandas as pd

from jixiao.core.errors import JixiaoError
from jixiao.core.vocab import TIERS, WEIGHT_SCHEMES
from jixiao.interactive.panel_html import (
    detail_html,
    escape,
    indicator_table_html,
    points,
    scheme_definitions_html,
    summary_html,
)
from jixiao.interactive.rerun import RerunTicker, rerun_outputs, rerun_started_html, rerun_unit
from jixiao.interactive.session import EditError, ReviewSession, filter_view
from jixiao.interactive.tieradvice import tier_advice
from jixiao.report.charts import plot_level1_rates
from jixiao.report.chartstyle import figure_to_png_bytes

__all__ = ["ReviewPanel", "review_panel"]

_CUSTOM = "custom"
_OK, _ERROR = "#166534", "#B91C1C"
_NOTE = (
    "保存只写入复核分、理由和档次（参数文件 overrides 一节），批量运行 <code>jixiao run</code> 将得到同样的结果；"
    "完成值假设和权重方案切换仅用于试算，<b>不会保存</b>。复核分按表内分值填写。"
)


def review_panel(unit_id: str = "", *, params_path: str = "", project_dir: str = "") -> ReviewPanel:
    """The review panel of one unit of the project (``params/<unit_id>.yaml``, or ``params_path``); display it."""
    return ReviewPanel.open(unit_id, params_path=params_path, project_dir=project_dir)


class ReviewPanel:
    """Widgets over a :class:`ReviewSession`; every widget is an attribute so tests can drive it."""

    def __init__(self, session: ReviewSession | None, error: str = "") -> None:
        self.session = session
        self._quiet = False
        self._score_typed = False
        self._level1_drawn: pd.DataFrame | None = None
        self.message = w.HTML()
        if session is None:
            self.widget = w.VBox([w.HTML("<h3>复核面板</h3>"), self.message])
            self._say(error, ok=False)
            return
        self._build()
        self._refresh()
        self._populate()
        if session.problem:
            self._say(f"参数文件中的复核调整有误，已忽略（修正后重新打开）：{session.problem}", ok=False)
        elif not session.editable:
            why = (
                "申报表没有分值和完成值，不计分"
                if session.result.declaration is not None
                else "该单位只有自评报告，没有指标表"
            )
            self._say(f"{why}：本面板只供查看，不能调整复核分。", ok=False)

    @classmethod
    def open(cls, unit_id: str = "", *, params_path: str = "", project_dir: str = "") -> ReviewPanel:
        """Open a unit; problems with its params or inputs become a message in the panel."""
        try:
            return cls(ReviewSession.open(unit_id, params_path=params_path, project_dir=project_dir))
        except JixiaoError as exc:
            return cls(None, f"无法打开单位「{unit_id or params_path}」：{exc}")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # --- layout ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        s = self.session
        params = s.params
        title = w.HTML(
            f"<h3>复核面板：{escape(params.display_name)}（{params.year} 年度，{escape(params.unit_id)}）</h3>"
        )
        self.summary, self.table, self.detail = w.HTML(), w.HTML(), w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(max_width="760px"))
        view = s.view()
        level1 = list(dict.fromkeys(view["level1"].astype(str))) if not view.empty else []
        self.level1_filter = w.Dropdown(
            options=[("全部一级指标", "")] + [(n or "（未归类）", n) for n in level1], description="一级指标"
        )
        self.findings_only = w.Checkbox(False, description="只看有复核发现的指标", indent=False)
        self.lost_only = w.Checkbox(False, description="只看失分的指标", indent=False)
        fitting = s.applicable_schemes() if s.editable else {}
        schemes = [(WEIGHT_SCHEMES[key], key) for key in fitting]
        if isinstance(params.weight_scheme, str) and params.weight_scheme not in fitting:
            schemes.insert(0, (WEIGHT_SCHEMES.get(params.weight_scheme, params.weight_scheme), params.weight_scheme))
        if isinstance(params.weight_scheme, dict):
            schemes.append(("参数文件中的自定义方案", _CUSTOM))
        self.scheme_select = w.Dropdown(
            options=schemes, value=self._scheme_key(s.scheme), description="权重方案", layout=w.Layout(width="460px")
        )
        self.scheme_note = w.HTML(scheme_definitions_html(fitting, params.weight_scheme))
        self.indicator_select = w.Dropdown(description="指标", layout=w.Layout(width="460px"))
        self.score_input = w.Text(description="复核分", layout=w.Layout(width="220px"))
        self.tier_select = w.Dropdown(options=[("（不分档）", "")] + [(t, t) for t in TIERS], description="档次")
        self.reason_input = w.Textarea(
            description="理由", placeholder="调整复核分必须写明理由（会写入报告）", layout=w.Layout(width="640px")
        )
        self.apply_button = w.Button(description="应用调整", button_style="primary")
        self.clear_button = w.Button(description="恢复规则分")
        self.what_if_input = w.Text(description="完成值假设", placeholder="如 95%（仅试算，不保存）")
        self.what_if_button = w.Button(description="试算")
        self.what_if_clear_button = w.Button(description="清除假设")
        self.save_button = w.Button(description="保存到参数文件", button_style="success", icon="save")
        self.reset_button = w.Button(description="放弃未保存的修改", button_style="warning")
        self.rerun_button = w.Button(description="重新生成报告", icon="refresh")
        self.rerun_status = w.HTML()
        editors = [
            self.score_input,
            self.tier_select,
            self.reason_input,
            self.apply_button,
            self.clear_button,
            self.what_if_input,
            self.what_if_button,
            self.what_if_clear_button,
            self.save_button,
            self.reset_button,
            self.scheme_select,
            self.rerun_button,
        ]
        for widget in editors:
            widget.disabled = not s.editable
            if isinstance(widget, (w.Dropdown, w.Text, w.Textarea)):
                widget.style.description_width = "initial"  # Chinese labels are not cut off
        for widget in (self.level1_filter, self.indicator_select):
            widget.style.description_width = "initial"
        findings = s.findings
        unit_level = findings[findings["indicator_id"] == ""] if not findings.empty else findings
        items = "".join(
            f"<li>{escape(f.code)}（{escape(f.severity)}）{escape(f.message)}</li>" for f in unit_level.itertuples()
        )
        others = w.Accordion([w.HTML(f"<ul>{items}</ul>" if items else "<p>无。</p>")], titles=("单位层面的复核发现",))
        others.selected_index = None if s.evaluation is not None else 0
        editor = w.VBox(
            [
                self.indicator_select,
                self.detail,
                w.HBox([self.score_input, self.tier_select]),
                self.reason_input,
                w.HBox([self.apply_button, self.clear_button]),
                w.HBox([self.what_if_input, self.what_if_button, self.what_if_clear_button]),
            ]
        )
        parts = [
            title,
            w.HTML(f"<small>{_NOTE}</small>"),
            self.summary,
            self.chart,
            w.HBox([self.level1_filter, self.findings_only, self.lost_only]),
            self.table,
            editor,
            w.HBox([self.scheme_select]),
            self.scheme_note,
            w.HBox([self.save_button, self.reset_button, self.rerun_button]),
            self.message,
            self.rerun_status,
            others,
        ]
        if s.evaluation is None:
            parts = [title, self.summary, self.message, others]
        self.widget = w.VBox(parts)
        for box in (self.level1_filter, self.findings_only, self.lost_only):
            box.observe(lambda _: self._refresh_table(), names="value")
        self.indicator_select.observe(lambda _: self._populate(), names="value")
        self.tier_select.observe(self._on_tier, names="value")
        self.score_input.observe(self._on_score, names="value")
        self.scheme_select.observe(self._on_scheme, names="value")
        self.apply_button.on_click(lambda _: self._act(self._apply))
        self.clear_button.on_click(lambda _: self._act(self._clear))
        self.what_if_button.on_click(lambda _: self._act(self._what_if))
        self.what_if_clear_button.on_click(lambda _: self._act(self._what_if_clear))
        self.save_button.on_click(lambda _: self._act(self._save))
        self.reset_button.on_click(lambda _: self._act(self._reset))
        self.rerun_button.on_click(lambda _: self._rerun())

    # --- drawing ------------------------------------------------------------------------------------------
    def _refresh(self) -> None:
        s = self.session
        scored = s.recompute()
        if scored is None:
            self.summary.value = "<p>该单位没有指标表（只有自评报告），无可复核的指标分数；报告的复核发现见下。</p>"
            return
        states = []
        if s.pending:
            states.append(f"<span style='color:#92400E'>未保存的复核调整 {len(s.pending)} 项</span>")
        if s.what_if:
            states.append(f"完成值假设 {len(s.what_if)} 项（不保存）")
        if s.editable and s.scheme != s.params.weight_scheme:
            states.append("权重方案为试算（不保存）")
        label = WEIGHT_SCHEMES.get(s.scheme, "自定义权重方案") if isinstance(s.scheme, str) else "自定义权重方案"
        self.summary.value = summary_html(scored.totals, label, states)
        level1 = scored.level1[["name", "weight_sum", "self_score_sum", "review_score_sum"]]
        if self._level1_drawn is None or not level1.equals(self._level1_drawn):
            self.chart.value = figure_to_png_bytes(plot_level1_rates(scored.level1), dpi=90)
            self._level1_drawn = level1
        self._refresh_table()

    def _refresh_table(self) -> None:
        view = self._filtered()
        self.table.value = indicator_table_html(view)
        options = [(f"{r['indicator_id']} {r['name']}", str(r["indicator_id"])) for r in view.to_dict("records")]
        current = self.indicator_select.value
        with self._silence():
            self.indicator_select.options = options
            ids = [ident for _, ident in options]
            self.indicator_select.value = current if current in ids else (ids[0] if ids else None)
        if self.indicator_select.value != current:
            self._populate()
        elif current is not None:
            self._show_detail()

    def _filtered(self) -> pd.DataFrame:
        view = self.session.view()
        if view.empty:
            return view
        return filter_view(
            view, level1=self.level1_filter.value, with_findings=self.findings_only.value, lost=self.lost_only.value
        )

    def _show_detail(self) -> None:
        ident = self.indicator_select.value
        view = self.session.view()
        rows = view[view["indicator_id"].astype(str) == str(ident)] if ident is not None and not view.empty else view
        if ident is None or rows.empty:
            self.detail.value = ""
            return
        override = self.session.overrides.get(str(ident))
        self.detail.value = detail_html(rows.iloc[0].to_dict(), override, self.session.what_if.get(str(ident), ""))

    def _populate(self) -> None:
        """Fill the editor from the selected indicator's current state."""
        if self._quiet or self.session is None or self.session.evaluation is None:
            return
        ident = self.indicator_select.value
        override = self.session.overrides.get(str(ident)) if ident is not None else None
        with self._silence():
            self.score_input.value = f"{override.score:g}" if override else ""
            self.reason_input.value = override.reason if override else ""
            self.tier_select.value = (override.tier or "") if override else ""
            self.what_if_input.value = self.session.what_if.get(str(ident), "") if ident is not None else ""
            if ident is not None:
                row = self.session.row(ident)
                self.score_input.placeholder = f"规则分 {points(row['rule_score'])}，上限 {points(row['weight'])}"
        self._score_typed = override is not None
        self._show_detail()

    # --- events -------------------------------------------------------------------------------------------
    @contextmanager
    def _silence(self) -> Iterator[None]:
        quiet, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = quiet

    def _on_score(self, change: dict) -> None:
        if not self._quiet:
            self._score_typed = True

    def _on_tier(self, change: dict) -> None:
        """A tier sets the tier's default score, unless the evaluator typed a score (see :mod:`tieradvice`)."""
        tier, ident = change["new"], self.indicator_select.value
        if self._quiet or not tier or ident is None:
            return
        typed = self.score_input.value if self._score_typed else None
        advice = tier_advice(tier, self.session.row(ident)["weight"], typed)
        if advice is None:
            return
        if advice.score is not None:
            with self._silence():
                self.score_input.value = advice.score
            self._score_typed = False
        self._say(advice.message, ok=advice.ok)

    def _on_scheme(self, change: dict) -> None:
        if self._quiet:
            return
        scheme = self.session.params.weight_scheme if change["new"] == _CUSTOM else change["new"]
        try:
            self.session.set_scheme(scheme)
        except EditError as exc:
            with self._silence():
                self.scheme_select.value = change["old"]
            self._say(str(exc), ok=False)
            return
        self._refresh()
        self._say(f"已切换权重方案（试算，不保存）：{self.scheme_select.label}")

    def _act(self, action: Any) -> None:
        try:
            text = action()
        except JixiaoError as exc:
            self._say(str(exc), ok=False)
            return
        self._refresh()
        self._say(text)

    def _apply(self) -> str:
        ident = self.indicator_select.value
        if ident is None:
            raise EditError("请先选择一个指标")
        tier = self.tier_select.value or None
        ov = self.session.set_review(ident, self.score_input.value, self.reason_input.value, tier)
        with self._silence():
            self.score_input.value = f"{ov.score:g}"
        tier = f"（档次：{ov.tier}）" if ov.tier else ""
        return f"已应用：{ident} 复核分 {ov.score:g}{tier}。尚未保存，点击「保存到参数文件」写入。"

    def _clear(self) -> str:
        ident = self.indicator_select.value
        self.session.clear_review(ident)
        self._populate()
        return f"已恢复 {ident} 为规则分（保存后生效）。"

    def _what_if(self) -> str:
        ident = self.indicator_select.value
        self.session.set_what_if(ident, self.what_if_input.value)
        return f"试算：{ident} 完成值按「{self.what_if_input.value.strip()}」计分（不保存）。"

    def _what_if_clear(self) -> str:
        ident = self.indicator_select.value
        self.session.set_what_if(ident, None)
        with self._silence():
            self.what_if_input.value = ""
        return f"已清除 {ident} 的完成值假设。"

    def _save(self) -> str:
        count = len(self.session.pending)
        if not count:
            return "没有需要保存的复核调整。"
        path = self.session.save()
        self._populate()
        note = "；完成值假设和权重方案切换未保存" if self.session.exploratory else ""
        return f"已保存 {count} 项复核调整到 {path.name}{note}。"

    def _reset(self) -> str:
        self.session.reset()
        with self._silence():
            self.scheme_select.value = self._scheme_key(self.session.scheme)
        self._populate()
        return "已放弃未保存的修改，恢复为参数文件中的状态。"

    def _rerun(self) -> None:
        """重新生成报告: the saved params through ``jixiao run``'s code path; link to the fresh client HTML."""
        self.rerun_button.disabled = True
        unsaved = len(self.session.pending)
        self.rerun_status.value = rerun_started_html(unsaved)
        try:
            outputs = rerun_outputs(self.session.params, self.session.project_dir)
            with RerunTicker(self._show_rerun, outputs, unsaved):
                outcome = rerun_unit(self.session.params, self.session.project_dir)
            self.rerun_status.value = outcome.html()
        except JixiaoError as exc:
            self.rerun_status.value = f"<p style='color:{_ERROR}'>⚠ {escape(str(exc))}</p>"
        finally:
            self.rerun_button.disabled = False

    def _show_rerun(self, html: str) -> None:
        self.rerun_status.value = html

    def _scheme_key(self, scheme: Any) -> str:
        return scheme if isinstance(scheme, str) else _CUSTOM

    def _say(self, text: str, ok: bool = True) -> None:
        color = _OK if ok else _ERROR
        self.message.value = f"<p style='color:{color}'>{'' if ok else '⚠ '}{escape(text)}</p>"
