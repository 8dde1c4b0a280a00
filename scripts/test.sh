#!/usr/bin/env bash
# 运行全部测试（首次运行会先安装环境与浏览器测试所需的 Chromium）。
# Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-run
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> 安装 Chromium（浏览器测试用）"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "!! 无法安装 Chromium，浏览器测试将失败"
fi
exec .venv/bin/python -m pytest "$@"
