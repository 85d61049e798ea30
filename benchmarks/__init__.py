"""Performance harness for chainsim.

``python -m benchmarks.engine`` measures agent-steps per second of the chain
model against Mesa's Boltzmann wealth model in the same run (see
``benchmarks/engine.py``). Figures are reported, never asserted.
"""
