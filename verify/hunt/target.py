"""What a hunt is aimed at: a registered claim or group, or a Claim in a user's ``.py`` file.

``CLAIM`` on the command line is a registered id (``theorem-IV.4``), a group
(``conjecture-ssetf``: each direction is hunted) or ``path/to/file.py:NAME``, where ``NAME`` is
a :class:`~verify.claims.Claim` (or a tuple or list of them, hunted one at a time) defined in the
file with the public API of ``proofs/``. A :class:`ClaimRef` names a claim by that text plus the
hypotheses relaxed and added, so a worker process (or a Dask worker) can rebuild the very same
claim from a few strings instead of unpickling functions.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..claims import Claim
from ..claims.registry import registry, select
from ..errors import InvalidArgument, InvalidFile, UnknownName

__all__ = ["ClaimRef", "load_file_claims", "resolve", "run_slug", "slugify"]

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
    except Exception as error:  # a user's file: any error while importing it is theirs
        sys.modules.pop(name, None)
        first = str(error).splitlines()[0] if str(error) else ""
        raise InvalidFile(
            f"claim file {str(path)!r}: importing it raised {type(error).__name__}: {first}"
        ) from None
    _MODULES[key] = module
    return module


def _split_file_spec(spec: str) -> tuple[Path, str]:
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


@dataclass(frozen=True)
class ClaimRef:
    """A claim named by text: the CLAIM argument, which direction, what is relaxed and added."""

    spec: str  # a registered id, or an absolute "path.py:NAME"
    index: int = 0  # which claim, when NAME is a tuple of claims
    relax: tuple[str, ...] = ()
    amend: tuple[str, ...] = ()

    @property
    def is_file(self) -> bool:
        return self.spec.rpartition(":")[0].endswith(".py")

    def load(self) -> Claim:
        if self.is_file:
            path, name = _split_file_spec(self.spec)
            claim = load_file_claims(path, name)[self.index]
        else:
            claim = registry()[self.spec]
        if self.relax:
            claim = claim.relaxed(*self.relax)
        if self.amend:
            claim = claim.amended(*self.amend)
        return claim

    def amended(self, *names: str) -> ClaimRef:
        """With ``names`` added; a relaxed hypothesis added back is simply restored."""
        relax = tuple(n for n in self.relax if n not in names)
        added = tuple(n for n in names if n not in self.relax and n not in self.amend)
        return ClaimRef(self.spec, self.index, relax, self.amend + added)

    @property
    def key(self) -> str:
        """A stable text key of this claim (for seeds and database keys)."""
        base = Path(self.spec).name if self.is_file else self.spec
        parts = [f"{base}#{self.index}" if self.is_file else base]
        if self.relax:
            parts.append("without " + "+".join(self.relax))
        if self.amend:
            parts.append("with " + "+".join(self.amend))
        return " ".join(parts)


def _looks_like_file(text: str) -> bool:
    return text.endswith(".py") or "/" in text or Path(text).expanduser().exists()


def resolve(spec: str, relax: tuple[str, ...] = ()) -> list[ClaimRef]:
    """The claims ``spec`` names (each direction of a group), with ``relax`` dropped.

    Raises one-line errors for an unknown claim, a missing or non-``.py`` file, a file without
    ``NAME`` or whose ``NAME`` is no Claim, and a relaxed hypothesis no chosen claim has.
    """
    if not isinstance(spec, str) or not spec:
        raise InvalidArgument("claim", spec, "must be a claim id, a group or path/to/file.py:NAME")
    known = registry()
    if spec in known or any(spec == c.group for c in known.values()):
        claims = select([spec])
        refs = [ClaimRef(c.id) for c in claims]
    elif ":" in spec and _looks_like_file(spec.rpartition(":")[0]):
        path, name = _split_file_spec(spec)
        claims = load_file_claims(path, name)
        refs = [ClaimRef(f"{path}:{name}", i) for i in range(len(claims))]
    elif spec.endswith(".py"):
        raise InvalidArgument("claim", spec, "name the claim in the file: path/to/file.py:NAME")
    else:
        select([spec])  # raises UnknownName listing the registered ids and groups
        raise AssertionError("unreachable")
    for name in relax:
        if not any(name in c.hypotheses for c in claims):
            have = sorted({h for c in claims for h in c.hypotheses})
            raise InvalidArgument(
                "relax", name, f"{spec} has no such hypothesis; its hypotheses are {have}"
            )
    out = []
    for ref, claim in zip(refs, claims, strict=True):
        dropped = tuple(n for n in dict.fromkeys(relax) if n in claim.hypotheses)
        out.append(ClaimRef(ref.spec, ref.index, dropped))
    return out


def run_slug(spec: str, relax: tuple[str, ...]) -> str:
    """The slug of a hunt's files: the claim (file stem and NAME for a file) and the relaxations."""
    if spec.rpartition(":")[0].endswith(".py"):
        path, _, name = spec.rpartition(":")
        base = f"{Path(path).stem}-{name}"
    else:
        base = spec
    if relax:
        base += "--relax-" + "+".join(dict.fromkeys(relax))
    return slugify(base)
