"""The model's compiled passes: pure array-in, array-out kernels of the weekly cycle.

Each module is one phase of the week; the engine (`allocsim.engine`) holds the state
and the schedule and calls them:

- `responses.py`  the response round: who looks, which adverts its saved search lists,
                  which it may rent, and where it responds (policies/behaviour.py)
- `close.py`      an advert batch closes: ranking, invitations, acceptance

The kernels give exactly the numbers of the numpy code they replaced (the golden
digests, `benchmarks/golden.py`).
"""
