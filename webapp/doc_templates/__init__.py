"""Contract templates: the admin pages that upload versions and show the variables, and the same over the API.

Named so as not to be mistaken for a Flask templates folder or for the top-level contract_templates package (the
.docx files and the renderer, which this feature uses)."""
