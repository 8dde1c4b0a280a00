# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 测试用单位模板（只导入轻量模块，供运行器测试）
#
# 输入文件的第一行是总分；含 BROKEN 时第二个代码单元格报错。

# %% tags=["parameters"]
unit_id: str = ""  # 单位编号
params_path: str = ""  # 参数文件路径

# %%
import os
import time
from pathlib import Path

from jixiao.run.handoff import display_result
from jixiao.run.params import load_params

params = load_params(params_path)
text = Path(params.self_evaluation).read_text(encoding="utf-8")

# %%
assert "BROKEN" not in text, "输入文件损坏：" + params.unit_id
total = float(text.split()[0])
grade = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
time.sleep(0.3)  # long enough for units run with jobs=2 to overlap
print(params.display_name, total)
print("kernel pid", os.getpid())

# %% tags=["jixiao-result"]
display_result(
    {
        "schema_version": 1,
        "unit": {"name": params.display_name, "year": params.year},
        "budget": [],
        "indicators": [{"id": "I01", "name": "测试指标", "weight": 100.0, "self_score": total, "review_score": total}],
        "level1": [{"name": "产出指标", "review_score_sum": total, "review_rate": total}],
        "totals": {"review_total": total, "grade": grade},
        "findings": [
            {
                "code": "T01",
                "severity": "提示",
                "where": "单位",
                "scope": "unit",
                "indicator_id": "",
                "message": "测试",
                "expected": "",
                "reported": "",
            }
        ],
    }
)
