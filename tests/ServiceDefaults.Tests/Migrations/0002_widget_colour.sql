ALTER TABLE widgets ADD COLUMN colour text;
INSERT INTO widgets (id, name, colour) VALUES (1, 'first', 'red');
