-- One WardLink service's PostgreSQL role and database (DESIGN.md §8, least privilege): the role
-- wardlink_<service> logs in and owns its database wardlink_<service> and every object in it, and
-- nothing else; no other role but a superuser may connect to that database.
--
-- A superuser runs it with psql, connected to the database postgres, once per service:
--   psql -v ON_ERROR_STOP=1 -v service=tips [-v password=…] -f deploy/postgres/service-database.sql
-- deploy/postgres/roles.sh does that for the four services (local-infra.sh and docker compose run
-- it). Without a password the role keeps the one it has; a new role has none and cannot log in.
--
-- Idempotent. It also upgrades a server where another role owned the database and its objects
-- (the one shared role `wardlink` of earlier versions): the database, its schemas, tables, views,
-- sequences, types and functions pass to the service's role.

\if :{?service}
SELECT :'service' ~ '^[a-z]+$' AS service_is_valid \gset
\else
\set service_is_valid false
\endif
\if :service_is_valid
\else
DO $$ BEGIN RAISE EXCEPTION 'service-database.sql: give -v service=<name>, lower-case letters only'; END $$;
\endif
\set role wardlink_ :service

SELECT format('CREATE ROLE %I', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
\if :{?password}
ALTER ROLE :"role" PASSWORD :'password';
\endif

SELECT format('CREATE DATABASE %I OWNER %I', :'role', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'role') \gexec
ALTER DATABASE :"role" OWNER TO :"role";
-- PUBLIC may connect to (and make temporary tables in) a new database: only the owner may here.
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;

\connect :"role"
-- Everything in the database that someone else owns passes to the service's role, whatever
-- made it; objects of extensions stay with their extension, and a sequence that belongs to a
-- table's column follows its table.
SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, :'role')
  FROM pg_namespace n
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
   AND n.nspowner NOT IN (:'role'::regrole, 'pg_database_owner'::regrole)
   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e') \gexec
SELECT format('ALTER %s %s OWNER TO %I',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                             WHEN 'S' THEN 'SEQUENCE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
              c.oid::regclass, :'role')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
   AND c.relowner <> :'role'::regrole
   AND NOT EXISTS (SELECT FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i')))) \gexec
SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, :'role')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typtype IN ('d', 'e', 'r')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
   AND t.typowner <> :'role'::regrole
   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e') \gexec
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'role')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
   AND p.proowner <> :'role'::regrole
   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') \gexec
\connect postgres
