#!/usr/bin/env bash
# 运行全部测试（首次运行会先安装环境，以及浏览器测试与 Word 渲染检查所需的系统软件）。
# Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-run
# 浏览器测试用 Chromium，Word 报告渲染检查用 LibreOffice 与 pdftoppm（root 且有 apt 时自动安装）。
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> 安装 ${missing[*]}（浏览器测试与 Word 渲染检查用）"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
    || echo "!! 无法安装 ${missing[*]}，相关测试将失败或跳过"
fi
exec .venv/bin/python -m pytest "$@"
