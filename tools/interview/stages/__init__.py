"""The follow-up stages of a staged interview: their manifest (stages.toml), their tests
(test_<stage>.py, run by pytest with ``--impl``), a solution of every stage (solution.py)
and wrong engines that each stage must reject (zoo/)."""
