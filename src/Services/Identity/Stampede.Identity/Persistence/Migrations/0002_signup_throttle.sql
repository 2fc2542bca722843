-- Sign-ups are counted per client network (IPv4 address or IPv6 /64) in the same table as failed
-- logins, under a scope of their own, so every instance throttles the same count.
ALTER TABLE login_failures DROP CONSTRAINT login_failures_scope_check;
ALTER TABLE login_failures ADD CONSTRAINT login_failures_scope_check CHECK (scope IN ('account', 'ip', 'signup'));
