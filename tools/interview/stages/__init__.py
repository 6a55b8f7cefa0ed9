"""The tests of the follow-up stages of a staged interview (``test_<stage>.py``), each a
``[[stage]]`` of levels.toml, run by the kata's plugin like a level::

    pytest tools/interview/stages --stage ops --impl reference

Their wrong engines are in the one catalogue (``tests/zoo/stage_*.py``)."""
