const twilio = require('twilio');
const sgMail = require('@sendgrid/mail');
const TelegramBot = require('node-telegram-bot-api');
const formData = require('form-data');
const Mailgun = require('mailgun.js');

const TWILIO_ACCOUNT_SID = 'ACd07a13a8510e8a66a1d82ff33ed36053';
const TWILIO_AUTH_TOKEN = 'bb5afbbc656190404a24ff8e6ad7939f';
const TWILIO_API_KEY = 'SKb3b851c2ced0275ac8f48f91e20960aa';

sgMail.setApiKey('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');

const telegramToken = '8459478334:AAkBuGjXKAQ1ak2zdUjCs-WDiaK58cJWAsj';
const bot = new TelegramBot(telegramToken, { polling: false });

const mailgun = new Mailgun(formData);
const mg = mailgun.client({ username: 'api', key: 'key-9931dfb5108b57643803bc8407afabff' });

const slackWebhook = process.env.SLACK_WEBHOOK_URL;

async function sms(to, body) {
  const client = twilio(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN);
  return client.messages.create({ to, from: '+15005550006', body });
}

async function email(to, subject, text) {
  return sgMail.send({ to, from: 'noreply@example.com', subject, text });
}

async function chat(chatId, text) {
  return bot.sendMessage(chatId, text);
}

module.exports = { sms, email, chat, mg, slackWebhook, TWILIO_API_KEY };
