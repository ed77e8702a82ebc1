-- Failed logins counted per key (a client address, or an address and an account) in a
-- fixed window: a login reserves a slot before its password is checked, a success gives
-- it back. Counted with row locks, so that every replica sees and honours the same counts.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    failures INTEGER NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle(window_start);
