"""The SimPy model of a hiring team. Imports only simpy, numpy and the scenario types.

The modules form layers, lowest first; each imports only modules of the layers below it,
counting imports under ``TYPE_CHECKING`` and inside functions (tests/test_model_layers.py):

0. ``outcomes``: the terminal states of a candidate and the outcomes of a stage visit.
1. ``journey``: running a story (a generator) on the events it waits for (``Signal``).
2. ``sourcing``: each req's outreach pace (a token bucket), whether it wants sourcing,
   and which req an idle sourcer works on next (``ReqSourcing``, ``next_outreach``).
3. ``work``: tasks, queues and staff: ``Person`` and ``UnlimitedPool``, both ``Staff``
   (a ``typing.Protocol``); where work is submitted is a ``TaskQueue``.
4. ``interviews``: the weekly interview slots of a profile's interviewers (``SlotBook``).
5. ``requisitions``: reqs and the desks that assign them to staff. ``Req`` is generic in
   its candidates' type, so it holds candidates without knowing the layer above.
6. ``candidates``: the candidate's story (``CandidateFlow``) and what it counts
   (``Tally``). It is handed what it needs (tally, queues, a hire callback), not the model.
7. ``structures``: what lies between and around combined and split: pods of sourcers
   (``PodDesks``), pooled lead routing, recruiters' sourcing share, one more person of a
   role (``RoleTemplate``, ``make_person``).
8. ``team_changes``: joiners, ramp-up, attrition and backfill (``Turnover``).
9. ``agency``: external providers, agency or RPO (``AgencyProvider``).
10. ``hiring_model``: ``HiringModel`` builds the pieces, wires them and runs one replication.

A lower layer that must call into a higher one gets a callback (``Staff.new_prospect``,
``CandidateFlow``'s ``on_hire``) or a Protocol, never an import.

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
