"""Costs: the monthly expense report, the reports kept, importing billing files, the invoice audit, carriers' CSV
layouts, and the expense report over the API."""
