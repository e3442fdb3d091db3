"""gunicorn's settings for the web app and the JSON API: `gunicorn -c gunicorn.conf.py wsgi:app`.

Used by the Procfile (`make run`) and deploy/numberdesk-web.service; options on the command line win.

Threaded workers ("gthread"): each worker process serves `threads` requests at once, and its main thread tells
the arbiter it is alive between them, whatever a request is doing. So `timeout` only restarts a worker whose
main loop is stuck; a request that waits on something slow is never killed half-way (with the default "sync"
workers the timeout counts each request's time, and a worker killed in the middle of a request answers 500
after the decision was committed). No request waits on Prefect anyway: decisions only mark the next step due.
"""
import os

bind = os.environ.get("NUMBERDESK_BIND", "127.0.0.1:5000")
# Two processes per CPU core is a good start (WEB_CONCURRENCY, gunicorn's own variable, overrides it).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
# Requests mostly wait on the database; 8 threads per process serve a burst of decisions without queueing.
threads = 8
# Seconds a worker's main loop may stay silent before it is restarted (not a limit on a request's time).
timeout = 30
# On a restart or a stop, requests in progress get this long to finish before their worker is stopped.
graceful_timeout = 30
# Behind the reverse proxy, kept-alive connections are reused between requests.
keepalive = 5
accesslog = "-"
