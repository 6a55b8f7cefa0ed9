"""The bug zoo: wrong engines the kata must reject, and correct ones it must pass.

Each engine file starts with a docstring that registers it (see
``tests/test_zoo.py``). Wrong engines subclass the correct engine in
``_base.py`` and override the one method that holds their bug.
"""
