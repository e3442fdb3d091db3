"""Flask extensions, created once and bound to the app in create_app()."""
from flask_babel import lazy_gettext
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

bootstrap = Bootstrap5()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Sign in to open this page.")
login_manager.localize_callback = str  # the message in the language of the request that needs it
login_manager.login_message_category = "warning"
migrate = Migrate()
