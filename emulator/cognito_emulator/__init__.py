"""Local Amazon Cognito User Pools emulator: moto 5.2.5 plus patches that close its gaps.

The patches reach into moto's private models, so they are only valid for the exact version
pinned in requirements.txt; importing this package with another moto fails loudly.
"""

import os
from importlib.metadata import version

MOTO_VERSION = "5.2.5"
REGION = "us-east-1"

if version("moto") != MOTO_VERSION:
    raise RuntimeError(
        f"cognito_emulator patches moto=={MOTO_VERSION}, found moto=={version('moto')}; "
        "install emulator/requirements.txt"
    )

# Read by moto when a pool/client is created: same name and config give the same ids across
# restarts, so a seeded dev pool keeps its ids. Must be set before moto is imported.
os.environ["MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"] = "HASH"
os.environ["MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY"] = "HASH"
# We check TOTP codes ourselves; this keeps moto's own remaining paths strict too.
os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
