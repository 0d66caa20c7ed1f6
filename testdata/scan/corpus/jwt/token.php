<?php
use Firebase\JWT\JWT;

function issue(array $claims): string {
    return JWT::encode($claims, 'ljzS1DvCt6i5PVa2MjchoDbV5C2xb4eIJZz0WAXa', 'HS256');
}
