"""gunicorn settings for the Procfile's web process; `shishin run --http` uses the same ones."""

import os

from bot.web import gunicorn_options

globals().update(gunicorn_options(int(os.environ.get("PORT", "3000"))))
