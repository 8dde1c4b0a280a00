"""Dates, deadlines and periodic values in 指标值 / 完成值 cells, and small Chinese numerals.

Part of :func:`jixiao.parse.values.parse_value`: "2023年9月底前", "三季度前", "每季度1次",
an Excel date or time that replaced a number. A deadline's ``date`` is the last allowed day;
"9月前" and "三季度前" count to the end of that month / quarter (with a note); without a year
``date`` is None and a note says so.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re

from jixiao.core.parsed_value import ParsedValue

__all__ = ["CN_NUMERALS", "cn_int", "time_note", "parse_temporal", "parse_periodic", "parse_deadline", "TIME_RE"]

CN_NUMERALS = "零〇一二两三四五六七八九十百"
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn_int(text: str) -> int | None:
    """Integer value of a small Chinese (≤ 999) or ASCII numeral, else None."""
    if text.isascii() and text.isdigit():
        return int(text)
    total, rest = 0, text
    if "百" in rest:
        head, _, rest = rest.partition("百")
        if _CN_DIGITS.get(head, 0) == 0:
            return None
        total, rest = 100 * _CN_DIGITS[head], rest.removeprefix("零")
    if "十" in rest:
        head, _, rest = rest.partition("十")
        if head and _CN_DIGITS.get(head, 0) == 0:
            return None
        total += 10 * (_CN_DIGITS[head] if head else 1)
    if rest:
        if rest not in _CN_DIGITS:
            return None
        total += _CN_DIGITS[rest]
    return total if text else None


def _month_end(year: int, month: int) -> _dt.date:
    return _dt.date(year, month, calendar.monthrange(year, month)[1])


def _make(raw: str, kind: str, notes: list[str] | tuple[str, ...] = (), **kw) -> ParsedValue:
    return ParsedValue(raw=raw, kind=kind, notes=tuple(notes), **kw)


# --- temporal values ---------------------------------------------------------------------------


def time_note(h: int, m: int, s: int) -> str:
    frac = (h * 3600 + m * 60 + s) / 86400
    return f"疑似电子表格把数值或文字自动转成了时间（{h:02d}:{m:02d}:{s:02d}，相当于{frac:.4f}天），请核对原表"


def parse_temporal(raw: str, value: _dt.time | _dt.date) -> ParsedValue:
    if isinstance(value, _dt.time):
        return _make(raw, "time_artifact", [time_note(value.hour, value.minute, value.second)])
    day = value.date() if isinstance(value, _dt.datetime) else value
    if day.year <= 1900:
        return _make(raw, "time_artifact", [f"日期{day.isoformat()}早于1901年，疑似电子表格把数值当作日期序号"])
    notes = ["日期为当月1日，原表可能只写了年月"] if day.day == 1 else []
    return _make(raw, "deadline", notes, date=day)


TIME_RE = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?")
_PERIODS = {
    "日": ("日", 365),
    "天": ("日", 365),
    "周": ("周", 52),
    "星期": ("周", 52),
    "旬": ("旬", 36),
    "月": ("月", 12),
    "月度": ("月", 12),
    "双月": ("月", 6),
    "季": ("季度", 4),
    "季度": ("季度", 4),
    "半年": ("半年", 2),
    "年": ("年", 1),
    "年度": ("年", 1),
}
_PERIODIC_RE = re.compile(
    rf"(?P<label>[^0-9]{{0,20}}?)(?:每(?P<n>[0-9]+|[{CN_NUMERALS}]+)?个?|按)(?P<p>半年|季度|季|双月|月度|月|旬|星期|周|年度|年|日|天)"
    rf"(?P<rest>.*)"
)
_COUNT_RE = re.compile(rf"(?P<op>至少|不少于|不低于|≥)?(?P<c>[0-9]+|[{CN_NUMERALS}]+)(?P<u>次|回|期|篇|场|批|份|项)")


def parse_periodic(raw: str, s: str) -> ParsedValue | None:
    if s.startswith("定期"):
        return _make(raw, "periodic", word=s)
    m = _PERIODIC_RE.fullmatch(s)
    if not m or (m.group("n") and cn_int(m.group("n")) in (None, 0)) or m.group("rest").startswith("计划"):
        return None
    period, per_year = _PERIODS[m.group("p")]
    n = cn_int(m.group("n")) if m.group("n") else 1
    notes = []
    if per_year % n:
        notes.append(f"每{n}{period}一次，每年次数不是整数")
    kw: dict = {"period": period, "periods_per_year": per_year // n if per_year % n == 0 else None}
    c = _COUNT_RE.search(m.group("rest"))
    if c and cn_int(c.group("c")) is not None:
        kw.update(number=float(cn_int(c.group("c"))), unit=c.group("u"), op=">=" if c.group("op") else None)
    return _make(raw, "periodic", notes, **kw)


_DONE = r"(?:全部完成|前完成|完成|完工|竣工|验收|上线|到位|办结|结束|启动|实施|交付|报送|提交)?"
_SUF = rf"(?P<suf>底|末|初|中旬|上旬|下旬|中)?(?P<before>前|之前|以前|内|之内|以内|止|为止)?{_DONE}"
_YMD_RE = re.compile(
    rf"(?:于|在|截至|截止|截止到)?(?P<y>[0-9]{{4}})[年./-](?P<m>[0-9]{{1,2}})[月./-](?P<d>[0-9]{{1,2}})日?"
    rf"(?: [0-9]{{1,2}}:[0-9]{{2}}(?::[0-9]{{2}})?)?{_SUF}"
)
_YM_RE = re.compile(
    rf"(?:于|在|截至|截止|截止到)?(?P<y>[0-9]{{4}})(?P<sep>年|[./-])(?P<m>[0-9]{{1,2}}|[{CN_NUMERALS}]+)(?:月份?)?{_SUF}"
)
_YQ_RE = re.compile(rf"(?:于|在)?(?:(?P<y>[0-9]{{4}})年)?(?P<pre>第|前)?(?P<q>[1-4一二三四])季度{_SUF}")
_YH_RE = re.compile(rf"(?:于|在)?(?:(?P<y>[0-9]{{4}})年)?(?P<h>上|下)半年{_SUF}")
_Y_RE = re.compile(rf"(?:于|在)?(?P<y>[0-9]{{4}})年(?:度|全年|年底|年末|底|末)?{_SUF}")
_MD_RE = re.compile(rf"(?:于|在)?(?P<m>[0-9]{{1,2}}|[{CN_NUMERALS}]+)月(?P<d>[0-9]{{1,2}})日{_SUF}")
_M_RE = re.compile(rf"(?:于|在)?(?P<m>[0-9]{{1,2}}|[{CN_NUMERALS}]+)月份?{_SUF}")
_YEARWORD_RE = re.compile(rf"(?:本|当|今)?(?:年内|年底前?|年末前?|年度内|全年|本年度|当年|年中|12月底前?){_DONE}")


def parse_deadline(raw: str, s: str, year: int | None) -> ParsedValue | None:
    notes: list[str] = []
    y = m = d = None
    if mt := _YMD_RE.fullmatch(s):
        y, m, d = int(mt["y"]), int(mt["m"]), int(mt["d"])
    elif (mt := _YM_RE.fullmatch(s)) and cn_int(mt["m"]) is not None:
        y, m = int(mt["y"]), cn_int(mt["m"])
        if mt["sep"] != "年" and mt["sep"] + mt["m"] == s[4:]:
            notes.append(f"「{s}」按{y}年{m}月理解")
    elif mt := _YQ_RE.fullmatch(s):
        q = cn_int(mt["q"]) or int(mt["q"])
        y, m = (int(mt["y"]) if mt["y"] else None), 3 * q
    elif mt := _YH_RE.fullmatch(s):
        y, m = (int(mt["y"]) if mt["y"] else None), (6 if mt["h"] == "上" else 12)
    elif mt := _Y_RE.fullmatch(s):
        y, m = int(mt["y"]), 12
    elif (mt := _MD_RE.fullmatch(s)) and cn_int(mt["m"]) is not None:
        m, d = cn_int(mt["m"]), int(mt["d"])
    elif (mt := _M_RE.fullmatch(s)) and cn_int(mt["m"]) is not None:
        m = cn_int(mt["m"])
    elif _YEARWORD_RE.fullmatch(s):
        m = 6 if "年中" in s else 12
    else:
        return None
    groups = mt.groupdict() if mt else {}
    if groups.get("before") and not groups.get("suf") and d is None and (s.find("月") >= 0 or "季度" in s):
        notes.append("「…前」按该月（季度）末计")
    if y is None:
        y = year
        if y is None:
            return _make(raw, "deadline", notes + ["缺少年份，无法确定具体日期"])
    if y <= 1900 and d is not None:
        return _make(raw, "time_artifact", [f"日期{s}早于1901年，疑似Excel把数值当作日期序号"])
    if not (1901 <= y <= 2100 and 1 <= (m or 0) <= 12):
        return None
    if d is None:
        day = {"上旬": 10, "中旬": 20, "中": 15, "初": 10}.get(groups.get("suf") or "")
        date = _dt.date(y, m, day) if day else _month_end(y, m)
    else:
        try:
            date = _dt.date(y, m, d)
        except ValueError:
            return _make(raw, "unparsed", [f"日期{y}年{m}月{d}日不存在"])
    return _make(raw, "deadline", notes, date=date)
