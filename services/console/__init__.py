"""The SCRS web console: call handlers' live alert queue, person records, sign-in and
roles, the audit log. A JSON API under /api (one router per resource, OpenAPI at
/api/docs) and server-rendered pages (Jinja2 + htmx, vendored in static/vendor).

Reads come from the store; every change to the care record goes through the
care-record handlers (`care.handle`), never straight to a care table."""
