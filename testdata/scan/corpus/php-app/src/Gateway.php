<?php
namespace Shop;

class Gateway
{
    const SECRET = "nBSEoI4ssK00xu2FOmdT0fL83PYGMJDo";
    private $apiKey = '6ajNqRs5LIUNKv4Cvw5WLhXnGmrbqGol';
    private $password;

    public function __construct()
    {
        $this->password = $_ENV['GATEWAY_PASSWORD'];
    }

    public function options(): array
    {
        return ['username' => 'shop', 'password' => 'Gate-Php-rowan-69ti'];
    }
}
