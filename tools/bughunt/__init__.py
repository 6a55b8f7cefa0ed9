"""Bug hunts: find and fix one planted bug in a working-looking engine or training step.

    nox -s bughunt                 # start the next hunt you have not solved
    nox -s bughunt -- 3            # start hunt 3;  -- --random;  -- --list
    nox -s bughunt -- 3 --minutes 10   # against the clock
    nox -s bughunt -- check        # verify your fix (-- check --watch: on every save)
    nox -s bughunt -- hint         # the next hint of the current hunt

The hunts live in ``hunts/`` (the catalogue), ``scaffold`` plants one in a
scratch folder under the state folder, ``check`` verifies a fix (the level's
tests pass, and the change is in the right function), ``records`` keeps the
attempts, and ``cli`` is the command line.
"""
