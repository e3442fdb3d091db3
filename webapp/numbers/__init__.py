"""The inventory of numbers the company holds, as a page and over the API."""
