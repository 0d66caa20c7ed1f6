package Shop::DB;
use strict;
use warnings;
use DBI;

our $API_KEY = "fzJHEQn5L0gXkfRYvUN24ghXPa70nmT5";
my $db_pass = 'Perl-Db-hazel-36ch';
my %smtp = ( host => 'smtp.shop.example', password => 'hIgEhIfJ49J44pbKYA' );
my $env_pass = $ENV{DB_PASSWORD};

sub handle {
    return DBI->connect('dbi:Pg:dbname=shop;host=db', 'shop', $db_pass, { RaiseError => 1 });
}
1;
