"""Password hashing: Argon2id at the OWASP Password Storage Cheat Sheet's parameters."""

from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP Password Storage Cheat Sheet (Argon2id section,
# https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html): "use Argon2id with a minimum
# configuration of 19 MiB of memory, an iteration count of 2, and 1 degree of parallelism". Its other rows trade
# memory for passes at equal strength (46 MiB/t=1, 12 MiB/t=3, 9 MiB/t=4, 7 MiB/t=5, all p=1); we take the first.
OWASP_MEMORY_KIB = 19 * 1024
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2id hasher at OWASP's parameters (Django's own defaults are 100 MiB, t=2, p=8).

    The algorithm name stays "argon2", so hashes made with other Argon2 parameters still verify and are
    re-hashed at these parameters at the next sign-in (Django's `must_update`).
    """

    memory_cost = OWASP_MEMORY_KIB
    time_cost = OWASP_TIME_COST
    parallelism = OWASP_PARALLELISM
