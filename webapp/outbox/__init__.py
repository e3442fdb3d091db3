"""Admin → Outbox: the e-mails numberdesk queued, sent or not, each one's text and HTML, and "send again"."""
