"""Number requests: my tasks, the list, one request and the decisions on it, a new request, the trunk password
view, and the same over the API."""
