"""What a hunt is aimed at: a registered claim or group, or a Claim in a user's ``.py`` file.

``CLAIM`` on the command line is a registered id (``theorem-IV.4``), a group
(``conjecture-ssetf``: each direction is hunted) or ``path/to/file.py:NAME``, where ``NAME`` is
a :class:`~verify.claims.Claim` (or a tuple or list of them, hunted one at a time) defined in the
file with the public API of ``proofs/``. A :class:`ClaimRef` names a claim by that text plus the
hypotheses relaxed and added, so a worker process (or a Dask worker) can rebuild the very same
claim from a few strings instead of unpickling functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..claims import Claim
from ..claims.files import claims_named, is_file_spec, load_file_claims, slugify, split_file_spec
from ..claims.registry import registry
from ..errors import InvalidArgument

__all__ = ["ClaimRef", "load_file_claims", "resolve", "run_slug", "slugify"]


@dataclass(frozen=True)
class ClaimRef:
    """A claim named by text: the CLAIM argument, which direction, what is relaxed and added."""

    spec: str  # a registered id, or an absolute "path.py:NAME"
    index: int = 0  # which claim, when NAME is a tuple of claims
    relax: tuple[str, ...] = ()
    amend: tuple[str, ...] = ()

    @property
    def is_file(self) -> bool:
        return is_file_spec(self.spec)

    def load(self) -> Claim:
        if self.is_file:
            path, name = split_file_spec(self.spec)
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


def resolve(spec: str, relax: tuple[str, ...] = ()) -> list[ClaimRef]:
    """The claims ``spec`` names (each direction of a group), with ``relax`` dropped.

    Raises the one-line errors of :func:`verify.claims.files.claims_named`, and for a relaxed
    hypothesis no chosen claim has.
    """
    claims = claims_named(spec)
    if is_file_spec(spec):
        path, name = split_file_spec(spec)
        refs = [ClaimRef(f"{path}:{name}", i) for i in range(len(claims))]
    else:
        refs = [ClaimRef(c.id) for c in claims]
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
