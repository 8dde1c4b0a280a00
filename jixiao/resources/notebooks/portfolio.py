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
# # 绩效评价复核 —— 单位汇总
#
# 各单位最近一次运行的复核总分、等级和复核发现；点击「查看报告」打开单位报告。

# %% tags=["parameters"]
outputs_dir: str = "../outputs"  # 输出目录：各单位的 result.json 所在的 outputs/
params_dir: str = "../params"  # 参数目录：只汇总在此仍有参数文件的单位

# %%
from IPython.display import HTML

from jixiao.report import charts_portfolio
from jixiao.report.sections import show_figure, show_footer
from jixiao.run.portfolio import load_portfolio, portfolio_level1, render_portfolio_table

portfolio = load_portfolio(outputs_dir, params_dir)
HTML(render_portfolio_table(portfolio))

# %% [markdown]
# ## 等级分布与总分排名

# %%
show_figure(charts_portfolio.plot_grade_distribution(portfolio), "单位评价等级分布")

# %%
show_figure(charts_portfolio.plot_unit_ranking(portfolio), "各单位复核总分排名")

# %% [markdown]
# ## 各单位一级指标得分率

# %%
show_figure(charts_portfolio.plot_level1_heatmap(portfolio_level1(portfolio)), "各单位一级指标得分率")

# %%
show_footer()
