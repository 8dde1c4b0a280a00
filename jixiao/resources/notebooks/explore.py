# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 交互复核
#
# 在项目目录运行 `jixiao lab`（本文件即以 notebook 打开），运行全部单元格。
#
# - **复核面板**：逐项查看自评分、规则分（附计分说明）和复核分；可按一级指标、有复核发现、失分筛选；
#   调整复核分（须写明理由，定性指标可选择档次）、试算完成值、切换权重方案，总分、等级和一级指标图随之更新。
#   「保存到参数文件」把复核分、理由和档次写入 `params/<单位编号>.yaml`（保留注释），`jixiao run` 即按此出报告；
#   完成值假设和权重方案切换只用于试算，不会保存。
# - **单位对比**：选择多个单位，并排比较复核总分、一级指标得分率和复核发现（读取最近一次 `jixiao run` 的结果）。

# %% tags=["parameters"]
unit_id: str = "xinhong-2023"  # 单位编号：params/<单位编号>.yaml（示例单位：xinhong-2023、xinhong-2024-declaration、hongqiao-2024）
params_path: str = ""  # 参数文件路径；为空时按单位编号在 params/ 中查找
outputs_dir: str = ""  # 单位对比读取的输出目录；为空时为 outputs/

# %%
from jixiao.interactive.explorer import portfolio_explorer
from jixiao.interactive.widgets import review_panel

# %% [markdown]
# ## 复核面板

# %%
review_panel(unit_id, params_path=params_path)

# %% [markdown]
# ## 单位对比

# %%
portfolio_explorer(outputs_dir)
