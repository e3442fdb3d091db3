"""What gunicorn and `flask` load."""
from webapp import create_app

app = create_app()
