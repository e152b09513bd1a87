"""Where the app runs: its package, the source checkout, the directory it writes to, and whether it
runs in production; star-imported by ``settings.py`` and read by the other settings modules."""

from pathlib import Path

from common.env import env_choice, env_str

# Templates, static files and compiled translations ship inside this package (the wheel carries them).
PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent  # the source checkout, or site-packages when installed from the wheel
# What the app writes at run time (the embedded database, exports, mail and texts in development,
# collected static files): ./var in a source checkout, else ./var in the working directory.
VAR_DIR = Path(
    env_str("VAR_DIR", str(BASE_DIR / "var" if (BASE_DIR / "manage.py").is_file() else Path.cwd() / "var"))
)
VAR_DIR_SET = env_str("VAR_DIR") is not None  # production names it (check --deploy: common.W003)

APP_ENV = env_choice("APP_ENV", "development", ("development", "production"))
PRODUCTION = APP_ENV == "production"
