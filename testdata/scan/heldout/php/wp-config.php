<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'Wp9!kR2#vB7x' );
define( 'DB_HOST', 'localhost' );
define( 'AUTH_KEY',         'x;I3k]9+Qm/7zLp{Tv2#Wn8@Rb5&Yc1^Hd4!Jf6' );
define( 'SECURE_AUTH_KEY',  'put your unique phrase here' );
define( 'LOGGED_IN_KEY',    getenv('WP_LOGGED_IN_KEY') );
