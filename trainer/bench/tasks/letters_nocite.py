"""Ablation of `letters`: the same task, but the teacher does not cite the knowledge's source. Everything else (base
prior, knowledge block, trajectories, probes) is unchanged, so comparing the two isolates what the ungroundable
citation does to each method. Also an example of a task built on another task file."""
import importlib.util as _util
import os as _os

_spec = _util.spec_from_file_location("letters_for_nocite", _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "letters.py"))
_letters = _util.module_from_spec(_spec)
_spec.loader.exec_module(_letters)
_letters.CITES = False
_letters.NAME = "letters-nocite"
globals().update({k: getattr(_letters, k) for k in dir(_letters) if not k.startswith("__")})
