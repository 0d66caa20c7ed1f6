"""Django settings for the shop project."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = 'django-insecure-q8#v@2k!m4x^s7w&l0p9e3r$t6y1u5i*o(z)'

DEBUG = False
ALLOWED_HOSTS = ["shop.example.com"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": "Sh0p-DB-pa55word",
        "HOST": "db",
        "PORT": "5432",
    },
    "replica": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop_ro",
        "PASSWORD": os.environ["REPLICA_DB_PASSWORD"],
        "HOST": "db-replica",
    },
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://default:cache-Redis-4471@redis:6379/1",
    }
}

CELERY_BROKER_URL = "amqp://celery:rabbit-Celery-pw9@rabbitmq:5672//"

EMAIL_HOST = "smtp.example.com"
EMAIL_HOST_USER = "shop@example.com"
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")

AWS_ACCESS_KEY_ID = os.getenv("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY = os.getenv("AWS_SECRET_ACCESS_KEY")
AWS_STORAGE_BUCKET_NAME = "shop-media"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

STRIPE_SECRET_KEY = "sk_live_8Be3nK4LZ9mB0MIrIoZy0uQN"
STRIPE_WEBHOOK_SECRET = "whsec_ws9n7AeGGmBIge4IfjfiImD8caaI1L3w"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
