from dataclasses import dataclass

import anthropic
import openai
import requests
import stripe
from huggingface_hub import InferenceClient

stripe.api_key = "rk_live_bNdKrtylLUq4fnCeOU7Hb56qok2qf4iJ"
openai.api_key = "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"

claude = anthropic.Anthropic(api_key="sk-ant-api03-rA9D414uuBHytd2LSGeXOKf7M9oY8AYAbIZSV_c1a9q1j0POnNfU75-FC8hFmu0jzqHt2DU-Dd4lZzhhtV9JrLQxpRq-pAA")
hf = InferenceClient(token="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")

SERVICE_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJyZXBvcnRpbmctam9iIiwiaWF0IjoxNzM2NDMxNjk5LCJyb2xlIjoic2VydmljZSJ9.6YVRrf62LAsW7QoscPGZzZqwn0rpS9-2sOUFXmi_YCx"


@dataclass
class ApiCredentials:
    username: str
    password: str = ""
    token: str | None = None

    def get_password(self) -> str:
        return self.password


class Warehouse:
    def __init__(self, creds: ApiCredentials):
        self.session = requests.Session()
        self.session.auth = (creds.username, creds.password)

    def call(self, token: str, path: str):
        headers = {"Authorization": f"Bearer {token}"}
        return self.session.get("https://warehouse.example.com" + path, headers=headers)


GEOCODER_API_KEY = "AIzagnofRJvQhrkLKdg7BIkKNiXyVQ6IIn9Mrnt"
