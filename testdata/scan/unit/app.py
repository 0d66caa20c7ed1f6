import os

SECRET_KEY = 'unit-dj4ngo-s3cret-k3y-x81'
DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]
API_TOKEN = os.getenv("API_TOKEN")
conn = psycopg2.connect(host="db", user="app", password="Unit-Py-pw-2291")
PASSWORD_HINT = "must be 12 characters"
commit_sha = "9fceb02d0ae598e95dc970b74767f19372d61af8"
