-- Status notes written by earlier builds ended with the command that fixes
-- them ("…: run `ibridge connect NAME`"). Each front end now shows that fix
-- itself, in its own words, from the connection's typed action; a stored
-- command showed it twice in the CLI and as CLI wording in the window.
-- Only the reason is kept.
UPDATE integration_config
SET status_detail = CASE
    WHEN status_detail = 'not connected yet: run `ibridge connect`'
        THEN 'not connected yet: sign in'
    WHEN instr(status_detail, ': run `ibridge connect') > 1
        THEN substr(status_detail, 1, instr(status_detail, ': run `ibridge connect') - 1)
    WHEN instr(status_detail, '; run `ibridge connect') > 1
        THEN substr(status_detail, 1, instr(status_detail, '; run `ibridge connect') - 1)
    ELSE status_detail
END
WHERE status_detail LIKE '%run `ibridge connect%';
