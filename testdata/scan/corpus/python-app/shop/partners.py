import requests

from shop.settings import PARTNER_API_KEY, PARTNER_PASSWORD, PARTNER_USER


def rates(base):
    r = requests.get(f"https://api.rates.example/v2/latest?api_key={PARTNER_API_KEY}&base={base}")
    return r.json()


def partner_db_url(host):
    return f"postgresql://{PARTNER_USER}:{PARTNER_PASSWORD}@{host}:5432/partner"
