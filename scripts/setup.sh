#!/usr/bin/env bash
# 一键安装并生成示例评价：创建 .venv、安装 jixiao 及依赖、运行全部示例单位，输出到 outputs/。
# Usage: bash scripts/setup.sh [--no-run]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> 创建虚拟环境 .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> 安装依赖（pip install -e .[test]）"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
if [ "${1:-}" != "--no-run" ]; then
  echo "==> 运行示例单位（jixiao run）"
  .venv/bin/jixiao run --jobs 2
  echo "==> 完成：打开 outputs/index.html 查看全部评价"
fi
