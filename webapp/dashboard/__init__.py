"""The project leads' dashboard: open requests per stage and city, what is overdue, stage times and weekly results."""
