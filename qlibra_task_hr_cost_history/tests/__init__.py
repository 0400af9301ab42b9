from . import test_cost_history
