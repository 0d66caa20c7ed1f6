CREATE USER app_rw IDENTIFIED BY 'Sq5-ora-Kx8z';
CREATE USER 'report'@'%' IDENTIFIED BY 'My7-rep-Lq2w';
ALTER USER postgres WITH PASSWORD 'Pg3-alter-Vz6m';
CREATE ROLE ci LOGIN PASSWORD 'Pg9-role-Tx4q';
CREATE TABLE users (id serial PRIMARY KEY, password_hash varchar(255) NOT NULL, api_token text);
GRANT SELECT ON ALL TABLES IN SCHEMA public TO report;
CREATE USER app IDENTIFIED BY '${DB_PASSWORD}';
SELECT id FROM users WHERE password_hash = crypt($1, password_hash);
