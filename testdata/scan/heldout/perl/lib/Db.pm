package Db;
my $dbpass = 'Pl7-dbi-Xq3w';
my $dbh = DBI->connect($dsn, "app", "Pl9-dbi2-Vm4k");
my $password = $ENV{DB_PASSWORD};
1;
