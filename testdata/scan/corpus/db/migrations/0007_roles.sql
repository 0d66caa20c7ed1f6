-- roles for the reporting replica
CREATE ROLE reporting LOGIN PASSWORD 'SCRAM-SHA-256$4096:zE4faCpk+QTCEdWXTJZG0g==$8c8jyayr/jfuFhphunjJ1nN3AQXAX8vVhhi4bWlaUQs=:ipepaZvlqoBKa7ZqmYLZYSyHUyws9eMSRnlGbEehaUY=';
ALTER ROLE metrics WITH PASSWORD 'md504fb3bd90a5144bf64ff82932a9cb387';
ALTER ROLE metabase WITH LOGIN PASSWORD 'Metab4se-Ro-vine-44mu';
