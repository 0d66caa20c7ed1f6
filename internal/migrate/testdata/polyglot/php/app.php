<?php
$password = 'canary-php-Vb63mQ2s';
$config = ['api' => ['secret' => 'canary-phpsec-N4k8Rt1w']];
echo $password, "\n", $config['api']['secret'], "\n";
