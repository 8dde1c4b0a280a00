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

# %% tags=["parameters"]
# 单位绩效评价复核报告模板。批量运行：jixiao run；单独运行：在 JupyterLab 中打开本文件，改参数后全部运行。
# 本模板不含逻辑：只有参数、对 jixiao 的调用和章节标题；各章节按单位提供的材料（自评表、申报表、自评报告）取舍内容。
unit_id: str = "xinhong-2023"  # 单位编号：params/<单位编号>.yaml
params_path: str = ""  # 参数文件路径；为空时按单位编号在项目的 params/ 中查找
project_dir: str = ""  # 评价项目目录（含 jixiao.toml）；为空时从当前目录向上查找
report_date: str = ""  # 封面上的报告日期（YYYY-MM-DD）；为空时取运行当天

# %%
from jixiao.report import engagement, readernotes, sections
from jixiao.run.evaluate import evaluate_unit
from jixiao.run.handoff import display_result
from jixiao.run.params import load_unit

params = load_unit(unit_id, params_path, project_dir)
result = evaluate_unit(params)
sections.show_cover(result, report_date)

# %% [markdown] tags=["jixiao-toc"]
# ## 目录

# %% [markdown]
# ## 摘要

# %%
sections.show_summary(result)

# %% [markdown]
# ## 一、基本情况

# %%
sections.show_basic_info(result)

# %% [markdown]
# ## 二、绩效评价（复核）工作开展情况

# %%
sections.show_method(result)

# %% [markdown]
# ## 三、综合评价情况及评价结论

# %%
sections.show_conclusion(result)

# %% [markdown]
# ## 四、绩效评价指标分析

# %%
sections.show_indicator_analysis(result)

# %% [markdown]
# ## 五、主要经验及做法

# %%
sections.show_experience(result)

# %% [markdown]
# ## 六、存在的问题及原因分析

# %%
sections.show_problems(result)

# %% [markdown]
# ## 七、有关建议

# %%
sections.show_suggestions(result)

# %% [markdown]
# ## 八、其他需要说明的问题

# %%
sections.show_other_matters(result)

# %%
engagement.show_limitations(result)

# %% [markdown]
# ## 附件

# %%
sections.show_appendix(result)

# %%
engagement.show_annex(result)

# %% [markdown] tags=["jixiao-analyst"]
# ## 读取说明

# %% tags=["jixiao-analyst"]
readernotes.show_reader_notes(result)

# %%
sections.show_footer(result)

# %% tags=["jixiao-result"]
display_result(result)
