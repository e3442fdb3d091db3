"""The limits of what people may write into a request, declared once.

The domain checks them (lifecycle.open_request, payloads), the page forms use them in their validators, and the
JSON API's input models (webapp/api/inputs.py) use them, which also puts them into the OpenAPI document.
"""

# A new request
MIN_QUANTITY = 1
MAX_QUANTITY = 100
MAX_PURPOSE = 500

# Every decision's comment
MAX_COMMENT = 2000

# A protocol of disagreements: its clauses, each with a clause number and two wordings
MAX_CLAUSES = 50
MAX_CLAUSE = 40
MAX_WORDING = 5000

# The carrier's trunk settings a sysadmin records (registrar, username, password, each SBC address)
MAX_TRUNK_SETTING = 200

# Ids are 64-bit in every database numberdesk runs on: a larger number names no record, and must not reach the
# database driver, which cannot even send it.
MAX_ID = 2**63 - 1
