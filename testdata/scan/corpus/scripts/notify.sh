#!/bin/sh
set -eu
curl -s "https://api.postmarkapp.com/email" \
  -H "Accept: application/json" \
  -H "X-Postmark-Server-Token: 81d74a37-f8ed-942c-2a87-aec0e714a0e3" \
  -d @message.json
curl -s "https://api.telegram.org/bot4224549856:AAZz7Ui4dkSPvBUXBD868fhxeJisNDRLFI9/sendMessage" -d chat_id=-1001234567890 -d text="deploy done"
curl -s -X POST https://fcm.googleapis.com/fcm/send \
  -H "Authorization: key=AAAATBm48Fv:APA91b6s5X3FLv4NXp9BNrnuBDvSCdR23jswNPa8yPejknt5bqWiMWhDA5ZBU-k7yCTeJ8nHo6wFftDrNO9cfat2FQS4ZmQg4qddZktLpUn7sK2o5FH4YeaoDBa8NdkARnK8_CU2InSk" \
  -H "Content-Type: application/json" -d @push.json
curl -s -H "X-Request-Id: 307fd74e-11b2-4dba-1c3d-4ab48ea31183" https://status.shop.example/ping
