"""The learner's library: what your code and the kata's tests import.

    from utils.autograd_stub import Value                      # the escape hatch: a finished engine
    from utils.finite_difference_checker import check_gradients
    from utils.torch_oracle import compare_with_torch          # levels 3-4, needs PyTorch
    from utils.visualization import to_text, draw

Nothing here imports the kata runner (``runner/``) or the tools (``tools/``).
"""
