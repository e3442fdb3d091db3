"""A request's documents: the .docx, a preview, a PDF and a redline between versions, in the browser and the API."""
