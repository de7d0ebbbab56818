"""The SimPy model of a hiring team. Imports only simpy, numpy and the scenario types.

The modules here (and ``random_streams``) are compiled to C by mypyc when the package is
installed (``hiresim.compiled``, ``setup.py``). When editing them:

* annotations are enforced at run time: an attribute declared ``float`` must hold a
  float, ``list[float]`` a list (use ``Any`` for a value that changes type);
* mypy's narrowing is trusted: after ``if x.attr is None: return`` the compiled code
  assumes ``x.attr`` is still ``None`` after a ``yield`` or a call, so test such
  attributes by a value that keeps its type (``Candidate.terminal`` is ``""`` while live);
* no class-level aliases of methods (``complete = Signal.fire``) in compiled classes.

``make test`` recompiles after an edit and runs the sources-vs-compiled comparison
(tests/test_compiled_core.py); ``HIRESIM_PURE=1`` runs the sources meanwhile.
"""
