-- One database per service: no service reads another's tables.
CREATE DATABASE accounts OWNER cmp;
CREATE DATABASE marketing OWNER cmp;
CREATE DATABASE documents OWNER cmp;
CREATE DATABASE compliance OWNER cmp;
