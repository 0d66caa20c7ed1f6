#!/usr/bin/env bash
set -euo pipefail

export GITHUB_TOKEN=ghp_qXuUMeuWgrjZiYwE1skBqUKv8PrcNmnaobsk
export DB_PASSWORD="${DB_PASSWORD:?DB_PASSWORD must be set}"
export VAULT_TOKEN=hvs.WU7zN_LvZMOJ9VGIpuJ5NFZ2-AkZdebWsDB_QRJ0bwX-FnU0XLjCPN4KCropaeIFLyYX5YfCZ0a2Wpwspan_U3ga4j5LbCy
export DOPPLER_TOKEN="dp.pt.DXeRGumgSi8v97FfxtPPHCUzPyNbjVqE23EwIUXUfAf"
export SLACK_TOKEN="$(vault kv get -field=token secret/slack)"

API=https://api.example.com

curl -fsS -H "Authorization: Bearer $DEPLOY_TOKEN" "$API/v1/deploys"
curl -fsS -H "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiIsImlhdCI6MTczNTk4ODYzNiwicm9sZSI6ImRlcGxveWVyIn0.vunn7HsqMSY3tuJg3xs00fK8GKA1ydI069NFWytaHbz" "$API/v1/releases"
curl -fsS -H "Authorization: Basic ZGVwbG95ZXI6RGVwbG95LUJhc2ljLXB3LTE3" "$API/v1/hooks"
curl -fsS -u admin:Curl-Adm1n-pass "$API/v1/admin/cache" -X DELETE
curl -fsS -u "$API_USER:$API_PASSWORD" "$API/v1/status"
curl -fsS -H "X-Api-Key: ${API_KEY}" "$API/v1/metrics"

curl -fsSLo artifact.tgz "https://deploy:Artif4ct-Dl-pw@artifacts.example.com/shop/1.4.2.tgz"
echo "9f5efc1eb1bc7577343c8de197b348dac0baeb64fdd0d00360a07d0d1ac5479d  artifact.tgz" | sha256sum -c -

git clone "https://oauth2:glpat-XzPcXtTi9Kv4sbKVHS7f@gitlab.example.com/acme/infra.git"

read -r -s -p "Enter password: " ADMIN_PASSWORD
echo "$REGISTRY_PASSWORD" | docker login ghcr.io -u ci-bot --password-stdin
