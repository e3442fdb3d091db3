"""What every feature of the web app uses: the Flask extensions, the access rules, the one mapping of errors to
answers, the security headers, the page helpers, the base page templates and the static files."""
