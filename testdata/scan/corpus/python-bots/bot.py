import os

import telebot
from postmarker.core import PostmarkClient

bot = telebot.TeleBot("397262136:AAmc6RF53ysdVbllWd-c8J5PsPOZyfTM3ty")
mail = PostmarkClient(server_token="37793596-0c4a-f047-99e1-7df20f28c5ea")
MAPBOX_TILES = "sk.eyJ1Ijoic2hvcC1ib3RzIiwiYSI6ImNsqwE5eLYJVMnO8BAKe7k0.77NfSSCzRDa3GpIMEZ4CIk"
FCM_SERVER_KEY = "AAAAsX8sqhp:APA91baMtozuCiRVBFMrm0ZUNpSvlteBGeepdtbk3Y9Q4IuUK7tbjk4TIpiGRVdAzbnW36fZ3it93Yo0YVFAh88Tdgme_Yx2bEeFobsptNnfcJR4jgmc3EIBqID_sq-Pux-4s7ip2R-p"
ADMIN_CHAT = os.environ["ADMIN_CHAT_ID"]
