"""Settings for signing in and staying signed in: accounts, two-factor, login throttling, sessions, headers.

Imported by base.py; anything that differs between machines comes from the environment.
"""

from datetime import timedelta

import environ

env = environ.Env()

# --- Accounts -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out sign-ins before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# New hashes are Argon2id at OWASP's parameters (core/hashers.py); PBKDF2 hashes made before still verify and
# are re-hashed with Argon2id at the user's next successful sign-in.
PASSWORD_HASHERS = [
    "core.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Two-factor sign-in (django-otp) --------------------------------------------------------------
# Required for superusers, staff (admin site), supervisors and org admins, and everyone in an organisation with
# `require_two_factor_for_everyone`; see accounts/two_factor.py.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Homeward")
OTP_TOTP_THROTTLE_FACTOR = 1  # after each wrong code the next try waits 1, 2, 4, ... seconds
OTP_STATIC_THROTTLE_FACTOR = 1
TWO_FACTOR_RECOVERY_CODES = 10

# --- Login throttling (django-axes) ---------------------------------------------------------------
# Wrong passwords count per (email, IP) and per IP. AXES_FAILURE_LIMIT wrong passwords for one email from one
# IP pause that pair; LOGIN_FAILURE_LIMIT_PER_IP wrong passwords from one IP (any emails) pause the IP. Never per
# email alone: an attacker could otherwise lock staff out from everywhere. Always a cool-off, never permanent.
AXES_HANDLER = "accounts.throttling.PerAccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_LIMIT_PER_IP = env.int("LOGIN_FAILURE_LIMIT_PER_IP", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the pause ends on time, however often retried
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttling.normalised_username"
AXES_ENABLE_ADMIN = False  # lockouts are cleared by the cool-off, or by `manage.py axes_reset_username`
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 100
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
# Password-reset requests within the same cool-off: per address (from anywhere) and per IP (any addresses).
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=10)
# The client address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the X-Forwarded-For entry the
# outermost trusted proxy added (entries further left can be forged by the client).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"

# --- Sessions -------------------------------------------------------------------------------------
# Idle and absolute limits are enforced server-side by accounts.security_middleware.SessionLimitsMiddleware.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())  # the stored session never outlives it
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Messages live in the session, so the session and CSRF cookies are the only cookies Homeward sets.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Response headers -----------------------------------------------------------------------------
# django-csp 4: no inline script or style anywhere (templates keep JS and CSS in static files).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
