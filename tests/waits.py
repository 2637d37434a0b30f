"""How long a test waits for something before it fails."""

PATIENCE = 30.0
"""A bound for a loaded machine (CI at load 10 runs each step many times slower), never a
deadline under test: a passing wait returns as soon as its condition holds, and a test that
checks a real deadline (Slack's 3 s, the 10 s shutdown) names its own."""
