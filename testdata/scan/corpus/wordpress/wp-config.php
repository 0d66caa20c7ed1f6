<?php
/** The name of the database for WordPress */
define( 'DB_NAME', 'shop_wp' );
define( 'DB_USER', 'shop_wp' );
define( 'DB_PASSWORD', 'Wp-Sh0p-elm-60bo' );
define( 'DB_HOST', 'db.shop.internal' );

define( 'AUTH_KEY',         'yM%?4a?NMC3z1M5Obp<xTn;.Q+3)uDSB.ImuVT+WQ[wdh@eT>h(Xhe@44:ucLTbk' );
define( 'SECURE_AUTH_KEY',  'uQ9XlH&-]c^I,N>0L50x~bmz48n0r?W:W^o~&efp5Qf4gn76#a_%IyX7tu!yMmX;' );
define( 'LOGGED_IN_KEY',    'u^Ui<(7<dRm;f!TI429nn9oWcSp]t!%G?PyrM!lFLU!Ru<(#H.*ja]cs/6C<@U]v' );
define( 'NONCE_KEY',        'xA4M<f,@qPKt^(=h0GtI]nG,7suwl!rOIY-pL3f]Gp9?@5y>1>LGw:VWqX=2Dt6#' );
define( 'AUTH_SALT',        'LV1.ol[^.hmBf/rpx9@-X]owMDnklh;SvS900:B7j0Kf,k/@zRtNs3%d1T)%g,0P' );
define( 'SECURE_AUTH_SALT', 'uu-fP%wE#vedDj<T&<<:fHE1#d(*d->W%A_]BdB&Tl*a5=iG(7]f7[lr4RX6WScS' );
define( 'LOGGED_IN_SALT',   'jC8A&?U71R?jBd&N&#BE1i7pS_whE+GwGPyWMTh@W:RMc3*YRA6=bU]w<<+6^i9e' );
define( 'NONCE_SALT',       '_7UHu40hU(N@nD/35hJVz_kj5qo3~qYi,rO[nkvaLrYbBMF<D4TX8.s@Q7miPy0&' );

$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
