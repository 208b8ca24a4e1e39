"""The model's compiled passes: array-in, array-out kernels of the week.

The engine (`allocsim.engine`) holds the schedule (simpy: the weekly rounds, the
rules' monthly and half-yearly ticks, the policy start, the horizon) and calls:

- `state.py`       the typed state: household and home columns, the rules' counts,
                   the homes' event queue, the record rows
- `world.py`       the whole state behind one handle (`World`), for cheap calls
- `homes.py`       the homes' events: vacancies with the rules that act before an
                   advert and the labelling rules, lettings, move-ins, demolitions
- `week.py`        the weekly advert round: publication and the close
- `responses.py`   the response round: who looks, what it reads, where it responds
- `close.py`       an advert batch closes: ranking, invitations, acceptance
- `departures.py`  who leaves the list, who starts or stops searching
- `labels.py`      the rules' label groups (who ranks first for which advert)

Each kernel gives exactly the numbers of the Python it replaced: the golden digests
(benchmarks/golden.py) and tests/model/test_kernels.py, which checks each kernel against
those numpy steps on random worlds on any machine.
"""
