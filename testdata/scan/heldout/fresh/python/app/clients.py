import boto3, redis, os

cache = redis.Redis(host="cache", password="Fy5-redis-Lq2m")
cache2 = redis.Redis(host="cache", password=os.environ["REDIS_PASSWORD"])
s3 = boto3.client("s3", aws_access_key_id="AKIA" + suffix, aws_secret_access_key="Ab3dEf5gHi7jKl9mNo1pQr3sTu5vWx7yZa9bCd1e")
