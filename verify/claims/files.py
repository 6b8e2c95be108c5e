"""Claims named on a command line or in a test: a registered id, a group, or ``FILE.py:NAME``.

``path/to/file.py:NAME`` names a :class:`~verify.claims.Claim` (or a tuple or list of them)
defined in a user's file with the public API of ``proofs/``. :func:`claims_named` is the one
place that reads such a spec, for ``verify check``, ``verify hunt`` and
:func:`verify.testing.assert_claim` alike, with the same one-line errors.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from ..errors import InvalidArgument, InvalidFile, UnknownName
from .claim import Claim
from .registry import registry, select

__all__ = ["claims_named", "is_file_spec", "load_file_claims", "slugify", "split_file_spec"]

_MODULES: dict[str, ModuleType] = {}


def slugify(text: str) -> str:
    """A file-name-safe slug: runs of anything but letters, digits and ``._+-`` become ``-``."""
    return re.sub(r"[^A-Za-z0-9._+-]+", "-", text).strip("-.") or "claim"


def _import(path: Path) -> ModuleType:
    key = str(path)
    if key in _MODULES:
        return _MODULES[key]
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    name = f"_verify_user_claims_{slugify(path.stem).replace('-', '_').replace('.', '_')}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InvalidFile(f"claim file {str(path)!r}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except (InvalidArgument, UnknownName, InvalidFile):
        sys.modules.pop(name, None)
        raise
    except (Exception, SystemExit) as error:  # a user's file: any error importing it is theirs
        sys.modules.pop(name, None)
        first = str(error).splitlines()[0] if str(error) else ""
        raise InvalidFile(
            f"claim file {str(path)!r}: importing it raised {type(error).__name__}: {first}"
        ) from None
    _MODULES[key] = module
    return module


def split_file_spec(spec: str) -> tuple[Path, str]:
    path_text, _, name = spec.rpartition(":")
    if not path_text.endswith(".py"):
        raise InvalidArgument(
            "claim", spec, "a claim file must be a Python file: path/to/file.py:NAME"
        )
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise InvalidArgument("claim", spec, f"no such file {path_text!r}")
    if not name.isidentifier():
        raise InvalidArgument("claim", spec, f"NAME={name!r} after the colon must be a Python name")
    return path.resolve(), name


def load_file_claims(path: Path, name: str) -> list[Claim]:
    """The Claim (or the Claims of a tuple or list) called ``name`` in the file at ``path``."""
    module = _import(path)
    if not hasattr(module, name):
        found = sorted(k for k, v in vars(module).items() if isinstance(v, Claim))
        raise InvalidArgument(
            "claim",
            f"{path.name}:{name}",
            f"the file defines no {name!r}",
            f"its claims: {', '.join(found) or 'none'}",
        )
    value = getattr(module, name)
    claims = list(value) if isinstance(value, tuple | list) else [value]
    if not claims or not all(isinstance(c, Claim) for c in claims):
        raise InvalidArgument(
            "claim",
            f"{path.name}:{name}",
            f"must be a verify.claims.Claim (or a tuple of them), not {type(value).__name__}",
        )
    return claims


def is_file_spec(text: str) -> bool:
    """Whether ``text`` has the form ``FILE.py:NAME`` (the file need not exist)."""
    return text.rpartition(":")[0].endswith(".py")


def _looks_like_file(text: str) -> bool:
    return text.endswith(".py") or "/" in text or Path(text).expanduser().exists()


def claims_named(spec: str) -> list[Claim]:
    """The claims ``spec`` names: a registered id, a group (each direction) or ``FILE.py:NAME``.

    Raises one-line errors for an unknown claim, a missing or non-``.py`` file, a file without
    ``NAME``, or whose ``NAME`` is no Claim, or whose import fails (also by ``sys.exit``).
    """
    if not isinstance(spec, str) or not spec:
        raise InvalidArgument("claim", spec, "must be a claim id, a group or path/to/file.py:NAME")
    known = registry()
    if spec in known or any(spec == c.group for c in known.values()):
        return select([spec])
    if ":" in spec and _looks_like_file(spec.rpartition(":")[0]):
        return load_file_claims(*split_file_spec(spec))
    if spec.endswith(".py"):
        raise InvalidArgument("claim", spec, "name the claim in the file: path/to/file.py:NAME")
    select([spec])  # raises UnknownName listing the registered ids and groups
    raise AssertionError("unreachable")
