<?php
return [
    'stripe' => [
        'secret' => env('STRIPE_SECRET'),
    ],
    'mailgun' => [
        'secret' => 'mg-7Kq2Lm9Xv4Rz8Wp3Tn6',
    ],
];
