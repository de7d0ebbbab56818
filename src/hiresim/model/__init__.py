"""The SimPy model of a hiring team. Imports only simpy, numpy and the scenario types.

Editing these modules needs nothing special: ``make test`` (an editable install) runs
them as the Python sources they are. A built wheel (``make fast``, ``pip install .``)
compiles the modules named in ``hiresim.compiled.CORE_MODULES`` to C with mypyc (a new
module runs as Python in the wheel too until its name is added there), and mypyc asks a
little of the code:

* annotations are enforced at run time: an attribute declared ``float`` must hold a
  float, ``list[float]`` a list (use ``Any`` for a value that changes type);
* mypy's narrowing is trusted: after ``if x.attr is None: return`` the compiled code
  assumes ``x.attr`` is still ``None`` after a ``yield`` or a call, so test such
  attributes by a value that keeps its type (``Candidate.terminal`` is ``""`` while live);
* no class-level aliases of methods (``complete = Signal.fire``) in compiled classes.

``tests/test_compiled_core.py`` (part of ``make test``) builds the compiled core and
checks that it gives the same records as the sources, bit for bit.
"""
