const mongoose = require('mongoose');
mongoose.connect('mongodb://admin:Fn8-mongo-Vx4k@mongo:27017/app');
const signed = jwt.sign(payload, 'Fj6-jwt-sign-Kq9z');
const signed2 = jwt.sign(payload, process.env.JWT_SECRET);
const TOKEN_REGEX = /^[a-f0-9]{40}$/;
