-- Outbox payloads become the serde-tagged form of `outbox::Write`: the
-- `kind` tag (equal to the `operation` column) plus each kind's own
-- fields. A row that cannot be converted is kept as it is and marked
-- failed with the reason, so the user sees it and can discard it; nothing
-- is dropped.

UPDATE outbox
   SET payload = json_object('kind', operation, 'incident', subject_id)
 WHERE operation = 'servicenow.create_incident';

UPDATE outbox
   SET payload = json_object('kind', operation, 'incident', subject_id,
                             'work_item_type', coalesce(json_extract(payload, '$.type'), 'Bug'))
 WHERE operation = 'azure_devops.create_work_item'
   AND json_valid(payload)
   AND coalesce(json_type(payload, '$.type'), 'text') = 'text';

UPDATE outbox
   SET payload = json_object('kind', operation, 'document', subject_id,
                             'space', json_extract(payload, '$.space'),
                             'parent', json_extract(payload, '$.parent'))
 WHERE operation = 'confluence.create_page'
   AND json_valid(payload)
   AND json_type(payload, '$.space') = 'text'
   AND json_extract(payload, '$.space') != ''
   AND coalesce(json_type(payload, '$.parent'), 'null') IN ('null', 'text');

UPDATE outbox
   SET payload = json_object('kind', operation, 'document', subject_id,
                             'force', json(CASE WHEN json_extract(payload, '$.force') THEN 'true' ELSE 'false' END))
 WHERE operation = 'confluence.update_page'
   AND json_valid(payload)
   AND coalesce(json_type(payload, '$.force'), 'false') IN ('true', 'false');

UPDATE outbox
   SET payload = json_object('kind', operation, 'sys_id', subject_id,
                             'fields', json(json_extract(payload, '$.fields')))
 WHERE operation = 'servicenow.update_incident'
   AND json_valid(payload)
   AND json_type(payload, '$.fields') = 'object';

UPDATE outbox
   SET payload = json_object('kind', operation, 'id', CAST(subject_id AS INTEGER),
                             'fields', json(json_extract(payload, '$.fields')))
 WHERE operation = 'azure_devops.update_work_item'
   AND json_valid(payload)
   AND json_type(payload, '$.fields') = 'object'
   AND subject_id GLOB '[1-9]*' AND NOT subject_id GLOB '*[^0-9]*';

-- Whatever is not in the typed form now cannot be read.
UPDATE outbox
   SET state = 'failed',
       next_attempt_at = NULL,
       claimed_by = NULL,
       claimed_at = NULL,
       last_error = 'this entry cannot be read (' || operation ||
                    ' with a payload this version does not understand); discard it'
 WHERE state != 'done'
   AND (NOT json_valid(payload)
        OR json_extract(payload, '$.kind') IS NOT operation
        OR operation NOT IN ('servicenow.create_incident', 'azure_devops.create_work_item',
                             'confluence.create_page', 'confluence.update_page',
                             'servicenow.update_incident', 'azure_devops.update_work_item'));
