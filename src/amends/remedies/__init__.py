"""The remedy engine's pure-Python cores: money, the remedy catalogue, the policy and its file, codes and the
remedy lifecycle. Nothing here imports Django, so the evaluator runs the same in a request, a worker, a
benchmark and a test.
"""
