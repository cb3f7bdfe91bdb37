-- Supporters on duty (`/duty on|off`): with AUTO_ASSIGN=true a handed-over ticket is claimed
-- for the one among them with the fewest open claims.
CREATE TABLE on_duty (
    user_id BIGINT PRIMARY KEY NOT NULL,
    user_name TEXT NOT NULL,
    since BIGINT NOT NULL
);
