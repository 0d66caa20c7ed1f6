"""Seed the staff accounts for local and staging environments.

Only password hashes are stored; the plain passwords live in the team vault.
"""
from django.db import migrations

STAFF = [
    ("admin@example.com", "pbkdf2_sha256$600000$igATHjgzkw6VNB6yrxg98c$ZGP444PagqcW5T30BgMPBA0kqE7L5pK8w97SA4POfV8="),
    ("ops@example.com", "$argon2id$v=19$m=65536,t=3,p=4$ZPG4QBbyil0zZXDWuZs5cZ$QJMIGKEvwq2y6s9W34qyETQGP85fe9aKnb9ZEki2Ji9"),
]

LEGACY_SQL = """
INSERT INTO legacy_users (email, password_hash) VALUES
  ('support@example.com', '$2b$12$CaCrNZkG7TnE0RiDCyaR9vEuUrbZeBpkL8VIFA/ZlD0SY5r6d605F'),
  ('billing@example.com', '$2b$12$X8o.an5RNLC1KF3nIv52Z1Kdtu4Z4CUZ9eJzmUn4rfMU0tOB6/mUr');
"""


def seed(apps, schema_editor):
    User = apps.get_model("auth", "User")
    for email, password_hash in STAFF:
        User.objects.create(username=email, email=email, password=password_hash, is_staff=True)
    schema_editor.execute(LEGACY_SQL)


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
