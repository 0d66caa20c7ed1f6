#!/bin/sh
# Nightly database backup.
set -eu

export PGPASSWORD='Backup-Pg-pw-2024'
pg_dump -h db.internal -U backup shop | gzip > /backups/shop.sql.gz

export MYSQL_PWD="$(cat /run/secrets/mysql_backup)"
mysqldump -h mariadb.internal -u backup --all-databases | gzip > /backups/all.sql.gz

export AWS_ACCESS_KEY_ID=AKIANU6HQ2DASKDZFEQW
export AWS_SECRET_ACCESS_KEY=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
export AWS_SESSION_TOKEN=
aws s3 cp /backups/ s3://acme-backups/$(date +%F)/ --recursive

export RESTIC_PASSWORD_FILE=/etc/restic/password
export RESTIC_REPOSITORY="s3:s3.amazonaws.com/acme-restic"
mongodump --uri "mongodb://backup:M0ngo-Backup-pw@mongo.internal:27017/?authSource=admin" --archive=/backups/mongo.archive
redis-cli -a "$REDIS_PASSWORD" --rdb /backups/redis.rdb
