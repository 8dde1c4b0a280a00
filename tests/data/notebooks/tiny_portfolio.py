# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
outputs_dir: str = ""  # 输出目录
params_dir: str = ""  # 参数目录

# %%
from IPython.display import HTML, display

from jixiao.run.portfolio import load_portfolio, render_portfolio_table

portfolio = load_portfolio(outputs_dir, params_dir)
display(HTML(render_portfolio_table(portfolio)))
