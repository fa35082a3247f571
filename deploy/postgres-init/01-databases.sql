-- Run once by the postgres image on an empty data volume, as POSTGRES_USER (who owns them):
-- one database per service, as each service owns its event store (DESIGN.md §3).
CREATE DATABASE wardlink_incidents;
CREATE DATABASE wardlink_patrols;
CREATE DATABASE wardlink_tips;
CREATE DATABASE wardlink_partners;
